"""make sql, make products and make coverage: finding one's way around the data."""

from __future__ import annotations

import shutil

import pytest

from pipelines import explore
from tests.conftest import REPO


@pytest.fixture()
def data(short_window, tmp_path, monkeypatch):
    """A copy of the sample's three days, as the settings' data folder."""
    shutil.copy(short_window / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    shutil.copytree(short_window / "lake", tmp_path / "lake")
    monkeypatch.setenv("CHARTWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CHARTWATCH_PRODUCTS", str(REPO / "products.toml"))
    return tmp_path


def test_one_query_prints_its_result(data, capsys):
    assert explore.main(["sql", "-q", "select count(*) AS n from chart_entries"]) == 0
    out = capsys.readouterr().out
    assert "n" in out.splitlines()[0] and "(1 row)" in out
    assert any(line.strip().replace(",", "").isdigit() for line in out.splitlines())


def test_a_long_result_is_cut_and_says_so(data, capsys):
    assert explore.main(["sql", "-q", "from chart_entries", "--max-rows", "5"]) == 0
    out = capsys.readouterr().out
    assert "more than 5 rows" in out and len(out.splitlines()) == 2 + 5 + 1


def test_the_warehouse_is_read_only_and_a_bad_query_says_why(data, capsys):
    assert explore.main(["sql", "-q", "drop table chart_entries"]) == 2
    assert "read-only" in capsys.readouterr().err
    assert explore.main(["sql", "-q", "select nope from chart_entries"]) == 2
    assert "the query failed" in capsys.readouterr().err


def test_without_a_warehouse_it_says_how_to_make_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CHARTWATCH_DATA_DIR", str(tmp_path))
    assert explore.main(["sql", "-q", "select 1"]) == 2
    assert "make demo" in capsys.readouterr().err


def test_products_lists_every_key_with_its_apps_and_competitors(data, capsys):
    assert explore.main(["products"]) == 0
    out = capsys.readouterr().out
    deepseek = next(line for line in out.splitlines() if line.startswith("deepseek "))
    assert "6737597349" in deepseek and "com.deepseek.chat" in deepseek and "perplexity" in deepseek
    assert "9 tracked products" in out


def test_coverage_says_the_days_countries_and_rows_of_the_lake_and_warehouse(data, capsys):
    assert explore.main(["coverage"]) == 0
    out = capsys.readouterr().out
    charts = [line.split() for line in out.splitlines() if line.startswith("chart_entries ")]
    lake, warehouse = charts
    assert lake[1:5] == ["2025-01-25", "2025-01-27", "3", "3"]
    assert warehouse[1:4] == ["2025-01-25", "2025-01-27", "3"] and warehouse[-1] == lake[-1]
    assert any(line.startswith("product_downloads_daily") for line in out.splitlines())

"""Data checks: a bad day is not published, its rows are kept, the warehouse waits."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.checks import check_day
from assets.lake import chart_entries
from assets.resources import ChartwatchConfig
from assets.warehouse_tables import warehouse
from tests.conftest import REPO

DAY = "2025-01-26"


def _chart(ranks, app_ids=None, country="us"):
    n = len(ranks)
    return pl.DataFrame(
        {
            "date": [dt.date(2025, 1, 26)] * n,
            "country": [country] * n,
            "store": ["app_store"] * n,
            "device": ["iphone"] * n,
            "chart": ["top_free"] * n,
            "genre_id": [None] * n,
            "rank": ranks,
            "app_id": app_ids or [str(100 + r) for r in ranks],
            "app_name": ["x"] * n,
            "developer": ["d"] * n,
            "source": ["apple_rss"] * n,
        },
        schema_overrides={"genre_id": pl.String, "rank": pl.Int32},
    )


def test_a_clean_chart_passes():
    check, invalid = check_day("chart_entries", _chart([1, 2, 3]), ("us",))
    assert invalid is None and check.valid.height == 3


@pytest.mark.parametrize(
    ("ranks", "app_ids", "rule"),
    [
        ([1, 2, 2], None, "rank_unique_in_chart"),
        ([1, 2, 4], None, "ranks_contiguous_in_chart"),
        ([1, 2, 3], ["101", "", "103"], "app_id|min_length"),
        ([1, 2, 3], ["101", "com.not.apple", "103"], "app_id_of_its_store"),
    ],
)
def test_a_broken_chart_names_the_rule_and_keeps_the_rows(ranks, app_ids, rule):
    check, invalid = check_day("chart_entries", _chart(ranks, app_ids), ("us",))
    assert rule in check.broken_rules and check.invalid_rows == invalid.height > 0
    assert invalid["broken_rules"].list.contains(rule).any()


def test_a_missing_storefront_breaks_the_day():
    check, _ = check_day("chart_entries", _chart([1, 2, 3]), ("us", "gb"))
    assert any("gb" in rule for rule in check.broken_rules)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture()
def copy(tmp_path, short_window) -> Path:
    for part in ("raw", "lake"):
        shutil.copytree(short_window / part, tmp_path / part)
    shutil.copy(short_window / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    return tmp_path


def _run(data_dir: Path):
    config = ChartwatchConfig(
        data_dir=str(data_dir), countries="us,gb,eg", products_file=str(REPO / "products.toml")
    )
    return dg.materialize(
        [chart_entries, warehouse],
        resources={"chartwatch": config},
        partition_key=DAY,
        raise_on_error=False,
    )


def _check(result) -> dg.AssetCheckEvaluation:
    (evaluation,) = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    return evaluation


def test_a_day_with_a_duplicate_chart_fails_its_check_and_leaves_the_warehouse(copy):
    # A second iPhone top-free feed for gb (the legacy one): every rank appears twice.
    day = copy / "raw" / "itunes_rss" / f"date={DAY}" / "country=gb"
    shutil.copy(day / "topgrossingapplications.json", day / "topfreeapplications.json")
    lake_before = _digest(copy / "lake" / "chart_entries" / f"date={DAY}")
    warehouse_before = hashlib.sha256((copy / "warehouse.duckdb").read_bytes()).hexdigest()

    result = _run(copy)

    evaluation = _check(result)
    assert not evaluation.passed
    assert "rank_unique_in_chart" in evaluation.metadata["broken_rules"].value
    kept = pl.read_parquet(
        copy / "quarantine" / "lake" / "chart_entries" / f"date={DAY}" / "invalid.parquet"
    )
    assert kept.height == 200 and set(kept["country"]) == {"gb"}
    assert _digest(copy / "lake" / "chart_entries" / f"date={DAY}") == lake_before
    assert hashlib.sha256((copy / "warehouse.duckdb").read_bytes()).hexdigest() == warehouse_before
    assert not any(
        e.is_step_success and e.step_key == "warehouse__duckdb" for e in result.all_events
    )


def test_a_day_missing_a_storefront_fails_its_check(copy):
    for source in ("apple_rss", "itunes_rss"):
        shutil.rmtree(copy / "raw" / source / f"date={DAY}" / "country=eg")

    evaluation = _check(_run(copy))

    assert not evaluation.passed and "eg" in str(evaluation.metadata["broken_rules"].value)

"""The incremental warehouse: a window build recomputes the derived tables only from
the window's first day on, and must leave the warehouse exactly as a full build of
the same lake would, whatever the order of the windows, gaps between them, past
days rewritten in the lake, or products.toml edited between builds.

Uses the hand-made lake of test_warehouse_models (15 days, a renamed app whose
product key changes with its name, a day without estimates).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.schemas import APP_ESTIMATES, CHART_ENTRIES
from tests.conftest import write_lake
from tests.test_warehouse_models import (
    PRODUCTS_TOML,
    chart_rows,
    day,
    estimate_rows,
    make_lake,
    products_file,
    snapshot,
)
from warehouse.build import STATE_TABLE, build_warehouse, connect_read_only


def assert_same_warehouse(built: Path, expected: Path) -> None:
    got, want = snapshot(built), snapshot(expected)
    assert got.keys() == want.keys()
    for name, frame in want.items():
        assert got[name].equals(frame), f"{name} differs from a full build:\n{got[name]}\n{frame}"


def full_build(root: Path, lake: Path, products: Path) -> Path:
    db = root / "full.duckdb"
    db.unlink(missing_ok=True)
    build_warehouse(db, lake, products)
    return db


@pytest.mark.parametrize(
    "windows",
    [
        [(n, n) for n in range(1, 16)],  # the daily update, day after day
        [(1, 9), (10, 15), (15, 15)],  # a backfill, then today again
        [(8, 15), (1, 7)],  # the recent days first, then the history behind them
    ],
    ids=["day-by-day", "ranges", "backwards"],
)
def test_window_builds_equal_a_full_build(tmp_path, windows):
    lake, products = make_lake(tmp_path), products_file(tmp_path)
    db = tmp_path / "w.duckdb"
    for first, last in windows:
        build_warehouse(db, lake, products, dates=(day(first), day(last)))
    assert_same_warehouse(db, full_build(tmp_path, lake, products))


def test_ranges_across_month_ends_equal_a_full_build(tmp_path):
    # The same lake 20 days later (01-21..02-04): builds go a month at a time, so a
    # range over the month end is cut in two, and so is a full build.
    lake = make_lake(tmp_path / "january")
    moved = tmp_path / "lake"
    for dataset in ("chart_entries", "app_estimates", "search_interest"):
        frame = pl.read_parquet(lake / dataset / "*" / "*" / "*.parquet", hive_partitioning=False)
        write_lake(moved, dataset, frame.with_columns(pl.col("date") + dt.timedelta(days=20)))
    products = products_file(tmp_path)
    db = tmp_path / "w.duckdb"
    build_warehouse(db, moved, products, dates=(day(21), day(29)))
    build_warehouse(db, moved, products, dates=(day(30), dt.date(2025, 2, 4)))
    build_warehouse(db, moved, products, dates=(day(25), dt.date(2025, 2, 2)))
    assert_same_warehouse(db, full_build(tmp_path, moved, products))


def test_a_gap_between_builds_is_filled_as_a_full_build_fills_it(tmp_path):
    # Days 4 and 5 never reach the lake: the running totals carry over them.
    lake, products = make_lake(tmp_path), products_file(tmp_path)
    for dataset in ("chart_entries", "app_estimates", "search_interest"):
        for n in (4, 5):
            shutil.rmtree(lake / dataset / f"date={day(n)}", ignore_errors=True)
    db = tmp_path / "w.duckdb"
    build_warehouse(db, lake, products, dates=(day(1), day(3)))
    build_warehouse(db, lake, products, dates=(day(6), day(15)))
    assert_same_warehouse(db, full_build(tmp_path, lake, products))


def test_a_past_day_rewritten_in_the_lake_updates_every_later_total(tmp_path):
    lake, products = make_lake(tmp_path), products_file(tmp_path)
    db = tmp_path / "w.duckdb"
    build_warehouse(db, lake, products)

    # 01-06 is re-collected: other downloads and ranks in the US, China gone.
    for dataset, rows, schema in (
        ("app_estimates", estimate_rows(), APP_ESTIMATES),
        ("chart_entries", chart_rows(), CHART_ENTRIES),
    ):
        frame = pl.DataFrame(rows, schema, orient="row").filter(
            pl.col("date") == day(6), pl.col("country") == "us"
        )
        if dataset == "app_estimates":
            frame = frame.with_columns(downloads=pl.col("downloads") * 3)
        else:
            frame = frame.with_columns(rank=pl.lit(3, pl.Int32))
        write_lake(lake, dataset, frame)
        shutil.rmtree(lake / dataset / f"date={day(6)}" / "country=cn", ignore_errors=True)

    build_warehouse(db, lake, products, dates=(day(6), day(6)))
    assert_same_warehouse(db, full_build(tmp_path, lake, products))
    con = connect_read_only(db)
    try:
        (total,) = con.execute(
            "SELECT cumulative_downloads FROM product_downloads_daily"
            " WHERE product = 'deepseek' AND date = ?",
            [day(15)],
        ).fetchall()[0]
    finally:
        con.close()
    # 14 days with estimates of 100 (US) + 200 (China) + 50 (Play), and Egypt's 50 on
    # 7 of them; 01-06 now has 300 (US) + 150 (Play) and no China.
    assert total == 13 * 350 + 7 * 50 + 450


def test_an_app_moved_to_another_product_moves_its_whole_history(tmp_path):
    lake, products = make_lake(tmp_path), products_file(tmp_path)
    db = tmp_path / "w.duckdb"
    build_warehouse(db, lake, products)

    # The untracked Play app joins Perplexity: every day of it changes product.
    products.write_text(
        PRODUCTS_TOML.replace('app_store = ["1668000334"]', 'app_store = ["1668000334"]\n'
                              'google_play = ["pkg.cool"]'),
        encoding="utf-8",
    )  # fmt: skip
    build_warehouse(db, lake, products, dates=(day(15), day(15)))
    assert_same_warehouse(db, full_build(tmp_path, lake, products))
    con = connect_read_only(db)
    try:
        products_seen = con.execute(
            "SELECT DISTINCT product FROM app_rank_history WHERE app_id = 'pkg.cool'"
        ).fetchall()
        downloads = con.execute(
            "SELECT date, downloads FROM product_downloads_daily"
            " WHERE product = 'perplexity' ORDER BY date"
        ).fetchall()
    finally:
        con.close()
    assert products_seen == [("perplexity",)]
    assert downloads == [(day(14), 10), (day(15), 10)]


def test_derived_tables_built_by_other_model_sql_are_rebuilt_in_full(tmp_path):
    lake, products = make_lake(tmp_path), products_file(tmp_path)
    db = tmp_path / "w.duckdb"
    build_warehouse(db, lake, products)
    # As if an older Chartwatch had built the file: other models, other rows.
    con = duckdb.connect(str(db))
    con.execute(f"UPDATE {STATE_TABLE} SET models_hash = 'older models'")
    con.execute("DELETE FROM product_country_share WHERE date < ?", [day(3)])
    con.close()

    build_warehouse(db, lake, products, dates=(day(15), day(15)))
    assert_same_warehouse(db, full_build(tmp_path, lake, products))


def test_a_memory_limit_duckdb_cannot_read_is_refused_before_anything_is_written(tmp_path):
    lake, products = make_lake(tmp_path), products_file(tmp_path)
    db = tmp_path / "w.duckdb"
    with pytest.raises(ValueError, match="CHARTWATCH_DUCKDB_MEMORY"):
        build_warehouse(db, lake, products, memory_limit="lots")
    assert not db.exists()
    # A small cap still builds the same warehouse (DuckDB spills beyond it).
    build_warehouse(db, lake, products, memory_limit="64MB")
    assert_same_warehouse(db, full_build(tmp_path, lake, products))

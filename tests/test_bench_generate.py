"""The bench archive (bench/generate.py) is one the pipeline reads as its own, dated
by its partitions beyond the sample window, and the floor (bench/floor.py) writes
the same chart_entries partitions as the lake."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from assets.lake import APP_ESTIMATES_DATASET, CHART_ENTRIES_DATASET, SEARCH_INTEREST_DATASET
from assets.market import SampleMarketClient
from assets.resources import ChartwatchConfig
from assets.storage import replace_partitions
from bench.floor import floor, same_as_lake
from bench.generate import MARKER, generate

REPO = Path(__file__).resolve().parents[1]
START = dt.date(2025, 3, 1)  # beyond the sample window: sample days 2025-01-20 and -21
DATES = [START, START + dt.timedelta(days=1)]
COUNTRIES = ["us", "gb", "eg"]

# A day of each dataset as the lake asset builds it from the bench's (sample) archive.
MARKET = SampleMarketClient()


def chart_entries_for_day(config, date):
    return CHART_ENTRIES_DATASET.build_day(config, MARKET, date)


def app_estimates_for_day(config, date):
    return APP_ESTIMATES_DATASET.build_day(config, MARKET, date)


def search_interest_for_day(config, date):
    return SEARCH_INTEREST_DATASET.build_day(config, MARKET, date)


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("bench")
    result = generate(data_dir, 2, START, COUNTRIES)
    assert not result["reused"]
    # top free, paid, grossing and estimates per storefront and day, and the pageviews
    assert result["files"] > 2 * 4 * len(COUNTRIES)
    assert result["bytes"] > 0
    return data_dir


def _config(data_dir: Path) -> ChartwatchConfig:
    return ChartwatchConfig(
        data_dir=str(data_dir),
        countries=",".join(COUNTRIES),
        legacy_feeds="topgrossingapplications",
        products_file=str(REPO / "products.toml"),
    )


def test_the_pipeline_reads_bench_days_with_their_dates(bench_dir: Path) -> None:
    config = _config(bench_dir)
    for date in DATES:
        charts = chart_entries_for_day(config, date)
        assert charts["date"].unique().to_list() == [date]
        per_chart = charts.group_by("country", "chart").len()
        assert sorted(per_chart["country"].unique()) == sorted(COUNTRIES)
        assert per_chart["chart"].unique().sort().to_list() == [
            "top_free",
            "top_grossing",
            "top_paid",
        ]
        assert per_chart["len"].unique().to_list() == [100]
        assert charts.group_by("country").len()["len"].unique().to_list() == [300]
        assert charts.filter(pl.col("store") != "app_store").is_empty()

        estimates = app_estimates_for_day(config, date)
        assert estimates.height > 0
        assert estimates["date"].unique().to_list() == [date]
        assert sorted(estimates["country"].unique()) == sorted(COUNTRIES)
        interest = search_interest_for_day(config, date)
        assert interest.height > 0
        assert interest["date"].unique().to_list() == [date]


def test_a_second_call_reuses_the_archive(bench_dir: Path) -> None:
    marker = bench_dir / "raw" / MARKER
    before = marker.stat().st_mtime_ns
    again = generate(bench_dir, 2, START, COUNTRIES)
    assert again["reused"]
    assert again["files"] == json.loads(marker.read_text())["result"]["files"]
    assert marker.stat().st_mtime_ns == before
    # nothing left beside the archive
    assert sorted(p.name for p in bench_dir.iterdir()) == ["raw"]


def test_a_folder_it_did_not_make_is_refused(tmp_path: Path) -> None:
    (tmp_path / "raw" / "apple_rss").mkdir(parents=True)
    with pytest.raises(FileExistsError, match=r"not made by bench\.generate"):
        generate(tmp_path, 1, START, ["us"])


def test_other_parameters_replace_a_generated_archive(tmp_path: Path) -> None:
    generate(tmp_path, 1, START, ["us"])
    again = generate(tmp_path, 1, START, ["gb"])
    assert not again["reused"]
    assert [p.name for p in (tmp_path / "raw" / "apple_rss" / f"date={START}").iterdir()] == [
        "country=gb"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]


def test_the_floor_writes_the_lake_partitions(bench_dir: Path, tmp_path: Path) -> None:
    config = _config(bench_dir)
    lake = tmp_path / "lake"
    for date in DATES:
        replace_partitions(
            lake / "chart_entries",
            chart_entries_for_day(config, date),
            [str(date)],
            COUNTRIES,
            ["store", "device", "chart", "genre_id", "rank"],
        )
    stats = floor(bench_dir / "raw", tmp_path / "floor_lake", DATES)
    assert stats["rows"] == 2 * 300 * len(COUNTRIES)
    assert stats["files"] == 2 * 3 * len(COUNTRIES)
    assert stats["partitions"] == 2 * len(COUNTRIES)
    same_as_lake(tmp_path / "floor_lake", lake, DATES)


def test_same_as_lake_names_the_difference(bench_dir: Path, tmp_path: Path) -> None:
    floor(bench_dir / "raw", tmp_path / "a", DATES)
    floor(bench_dir / "raw", tmp_path / "b", DATES)
    same_as_lake(tmp_path / "a", tmp_path / "b", DATES)
    part = tmp_path / "b" / "chart_entries" / f"date={START}" / "country=us" / "part-0.parquet"
    rows = pl.read_parquet(part)
    rows.with_columns(app_name=pl.col("app_name").reverse()).write_parquet(part)
    with pytest.raises(AssertionError, match="rows differ"):
        same_as_lake(tmp_path / "a", tmp_path / "b", DATES)
    part.unlink()
    with pytest.raises(AssertionError, match="partitions differ"):
        same_as_lake(tmp_path / "a", tmp_path / "b", DATES)

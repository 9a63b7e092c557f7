"""Data checks: a bad day is not published, its rows are kept, the warehouse waits."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from dagster._core.events import DagsterEventType

from assets.checks import check_day, rows_out_of_bounds
from assets.graph import asset_graph
from assets.market import resources_for
from assets.resources import ChartwatchConfig
from pipelines.cli import failed_runs, failure_text, materialize
from pipelines.definitions import build_definitions
from tests.conftest import REPO

DAY = "2025-01-26"
GRAPH = asset_graph(ChartwatchConfig())  # the sample's
chart_entries = GRAPH.lake["chart_entries"]
model_parameters = GRAPH.lake["model_parameters"]
warehouse = GRAPH.warehouse
launch_pictures = GRAPH.reports


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
        # Ranks unique and 1..N, but one app at ranks 1 and 2.
        ([1, 2, 3], ["101", "101", "103"], "app_once_in_chart"),
    ],
)
def test_a_broken_chart_names_the_rule_and_keeps_the_rows(ranks, app_ids, rule):
    check, invalid = check_day("chart_entries", _chart(ranks, app_ids), ("us",))
    assert rule in check.broken_rules and check.invalid_rows == invalid.height > 0
    assert invalid["broken_rules"].list.contains(rule).any()


def test_a_missing_storefront_breaks_the_day():
    check, _ = check_day("chart_entries", _chart([1, 2, 3]), ("us", "gb"))
    assert any("gb" in rule for rule in check.broken_rules)


def test_row_counts_out_of_bounds_are_named_with_the_day_before():
    days = [dt.date(2025, 1, d) for d in (2, 3, 4, 5)]
    counts = list(zip(days, [1000, 400, 900, 0], strict=True))
    out = rows_out_of_bounds(counts, day_before=1000)
    assert [o["date"] for o in out] == ["2025-01-03", "2025-01-04", "2025-01-05"]
    assert out[0] == {"date": "2025-01-03", "rows": 400, "day_before": 1000, "ratio": 0.4}
    # Nothing to compare the first day with, and a day after an empty one is not judged.
    assert rows_out_of_bounds([(days[0], 5), (days[1], 6)], day_before=None) == []
    assert rows_out_of_bounds([(days[0], 0), (days[1], 6)], day_before=None) == []


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


def _config(data_dir: Path) -> ChartwatchConfig:
    return ChartwatchConfig(
        data_dir=str(data_dir), countries="us,gb,eg", products_file=str(REPO / "products.toml")
    )


def _run(data_dir: Path):
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [chart_entries, warehouse],
        resources=resources_for(_config(data_dir)),
        partition_key=DAY,
        raise_on_error=False,
        instance=instance,
    )
    return result, instance


def _check(run, name: str = "rows_valid") -> dg.AssetCheckEvaluation:
    result, instance = run
    records = instance.get_records_for_run(
        result.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    (evaluation,) = [
        r.event_log_entry.dagster_event.event_specific_data
        for r in records
        if r.event_log_entry.dagster_event.event_specific_data.check_name == name
        and r.event_log_entry.dagster_event.event_specific_data.asset_key == chart_entries.key
    ]
    return evaluation


def _duplicate_gb_top_free(data_dir: Path, day: str = DAY) -> Path:
    """A second iPhone top-free feed for gb (the legacy one): every rank appears twice."""
    folder = data_dir / "raw" / "itunes_rss" / f"date={day}" / "country=gb"
    shutil.copy(folder / "topgrossingapplications.json", folder / "topfreeapplications.json")
    return folder / "topfreeapplications.json"


def test_a_day_with_a_duplicate_chart_fails_its_check_and_leaves_the_warehouse(copy):
    _duplicate_gb_top_free(copy)
    lake_before = _digest(copy / "lake" / "chart_entries" / f"date={DAY}")
    warehouse_before = hashlib.sha256((copy / "warehouse.duckdb").read_bytes()).hexdigest()

    run = _run(copy)
    result, instance = run

    evaluation = _check(run)
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
    # The day is failed, not materialised: a re-run of failed days picks it up.
    assert not instance.get_materialized_partitions(chart_entries.key)
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert DAY in failure_text(failure) and "quarantine" in failure_text(failure)


def test_a_day_missing_a_storefront_fails_its_check(copy):
    for source in ("apple_rss", "itunes_rss"):
        shutil.rmtree(copy / "raw" / source / f"date={DAY}" / "country=eg")

    evaluation = _check(_run(copy))

    assert not evaluation.passed and "eg" in str(evaluation.metadata["broken_rules"].value)


def test_a_backfill_publishes_the_good_days_and_reruns_only_the_failed_one(copy):
    """Three days, the middle one broken: the other two are published and recorded as
    materialised; after a fix, a re-run of the failed days parses only the broken day."""
    definitions = build_definitions(_config(copy))
    days = [dt.date(2025, 1, 25), dt.date(2025, 1, 26), dt.date(2025, 1, 27)]
    broken = _duplicate_gb_top_free(copy)
    with dg.DagsterInstance.ephemeral() as instance:
        first = materialize(days[0], days[-1], instance=instance, definitions=definitions)
        assert not first.success
        assert instance.get_materialized_partitions(chart_entries.key) == {
            "2025-01-25",
            "2025-01-27",
        }
        statuses = instance.get_status_by_partition(
            chart_entries.key, [str(d) for d in days], GRAPH.partitions
        )
        assert statuses[DAY] == dg.AssetPartitionStatus.FAILED
        assert not _check((first, instance)).passed

        plan = failed_runs(days[0], days[-1], instance, definitions)
        # The lake only for the broken day; the warehouse, the rank model's fit and the
        # charts' coverage (downstream of the charts, stopped by the check) for all; the reports
        # of the latest day once, at the end.
        fitted = model_parameters.key
        coverage = dg.AssetKey(["lake", "chart_coverage"])  # also computed from the charts
        assert plan == [
            (frozenset({fitted, coverage, warehouse.key}), days[0], days[0]),
            (frozenset({chart_entries.key, fitted, coverage, warehouse.key}), days[1], days[1]),
            (frozenset({fitted, coverage, warehouse.key, launch_pictures.key}), days[2], days[2]),
        ]

        broken.unlink()  # the fix
        lake_other_day = _digest(copy / "lake" / "chart_entries" / "date=2025-01-25")
        for assets, start, end in plan:
            assert materialize(
                start, end, instance=instance, definitions=definitions, assets=assets
            ).success
        assert _digest(copy / "lake" / "chart_entries" / "date=2025-01-25") == lake_other_day
        assert failed_runs(days[0], days[-1], instance, definitions) == []
        assert instance.get_materialized_partitions(warehouse.key) >= {str(d) for d in days}


def test_a_raw_file_its_parser_cannot_read_fails_only_its_day(copy):
    """A Google Play chart with a repeated rank: its day is not published and is noted
    in the quarantine; the other days of the range are published."""
    definitions = build_definitions(_config(copy))
    days = [dt.date(2025, 1, 25), dt.date(2025, 1, 26), dt.date(2025, 1, 27)]
    bad = copy / "raw" / "google_play" / f"date={DAY}" / "country=us" / "topselling_free.json"
    bad.write_text(bad.read_text().replace('"rank":2,', '"rank":1,', 1))
    lake_before = _digest(copy / "lake" / "chart_entries" / f"date={DAY}")
    with dg.DagsterInstance.ephemeral() as instance:
        result = materialize(
            days[0],
            days[-1],
            instance=instance,
            definitions=definitions,
            assets={chart_entries.key},
        )

        assert not result.success
        assert instance.get_materialized_partitions(chart_entries.key) == {
            "2025-01-25",
            "2025-01-27",
        }
    assert _digest(copy / "lake" / "chart_entries" / f"date={DAY}") == lake_before
    note = json.loads(
        (
            copy / "quarantine" / "lake" / "chart_entries" / f"date={DAY}" / "unreadable.json"
        ).read_text()
    )
    assert note["file"] == str(bad) and note["problem"] == "rank 1 is repeated"
    (failure,) = [e for e in result.all_events if e.is_step_failure and "chart" in e.step_key]
    assert DAY in failure_text(failure) and "rank 1 is repeated" in failure_text(failure)

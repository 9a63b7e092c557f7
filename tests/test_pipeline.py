"""The Dagster wiring end to end: definitions, a short window through the job,
idempotent partitions, and clear errors on bad raw files."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.graph import asset_graph
from assets.market import resources_for
from assets.raw import RawArchiveConflict
from assets.resources import ChartwatchConfig
from pipelines.cli import materialize
from pipelines.definitions import build_definitions, defs
from tests.conftest import REPO, run_pipeline

chart_entries = asset_graph(ChartwatchConfig()).lake["chart_entries"]

CONTRACT_TABLES = {
    "chart_entries": [
        "date",
        "country",
        "store",
        "device",
        "chart",
        "genre_id",
        "rank",
        "app_id",
        "app_name",
        "developer",
    ],
    "apps": ["store", "app_id", "product", "name"],
    "app_chart_coverage": [
        "date",
        "store",
        "device",
        "chart",
        "app_id",
        "countries_rank_1",
        "countries_top_10",
        "countries_charting",
        "best_rank",
    ],
    "app_rank_history": [
        "date",
        "country",
        "store",
        "device",
        "chart",
        "app_id",
        "rank",
        "rank_1d_ago",
        "rank_7d_ago",
    ],
    "product_downloads_daily": [
        "date",
        "product",
        "downloads",
        "cumulative_downloads",
        "downloads_last_7d",
        "share_last_7d",
        "estimated",
    ],
    "product_country_share": ["date", "product", "country", "downloads_to_date", "share"],
    "product_dau_daily": ["date", "product", "dau", "dau_7d_ago", "wow_growth"],
    "search_interest_daily": ["date", "product", "source", "interest"],
}


def _config(data_dir: Path, countries: str = "") -> ChartwatchConfig:
    return ChartwatchConfig(
        data_dir=str(data_dir), countries=countries, products_file=str(REPO / "products.toml")
    )


def _snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under root: content hash and modification time."""
    return {
        str(path.relative_to(root)): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _failure(result: dg.ExecuteInProcessResult) -> str:
    """The failed step's error and its causes, as a user reads them in the run log."""
    error = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error
    messages = []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    return "\n".join(messages)


def test_definitions_wire_every_source_through_lake_to_warehouse():
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {
        "raw/apple_charts",
        "raw/google_play_charts",
        "raw/wikimedia_pageviews",
        "raw/vendor_estimates",
    } <= keys
    assert {"lake/chart_entries", "lake/app_estimates", "lake/search_interest"} <= keys
    assert "warehouse/duckdb" in keys
    assert "warehouse/tables/product_downloads_daily" in keys
    job = defs.resolve_job_def("daily_pipeline")
    # The tables' pages are not the job's to run: the warehouse asset builds them.
    assert not any(
        k.path[:2] == ["warehouse", "tables"] for k in job.asset_layer.executable_asset_keys
    )
    assert job.partitions_def is not None
    # The sample's days are in the past: its code location has no daily schedules.
    assert not defs.schedules
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        # What the UI shows of every asset: a description, a group and kinds.
        assert node.description and node.kinds, key
        group = "warehouse_tables" if key.path[:2] == ["warehouse", "tables"] else key.path[0]
        assert node.group_name == {"raw": "ingest"}.get(group, group), key
        if not node.is_executable:
            # A warehouse table's page: built by warehouse/duckdb, every column described.
            assert key.path[:2] == ["warehouse", "tables"], key
            assert node.parent_keys == {dg.AssetKey(["warehouse", "duckdb"])}, key
            columns = node.metadata["dagster/column_schema"].columns
            assert columns and all(column.description for column in columns), key
            continue
        if key.path[0] == "reports":
            # The reports stand for the warehouse's latest day: not partitioned.
            assert node.partitions_def is None, key
        else:
            assert node.partitions_def == job.partitions_def, key
            assert node.backfill_policy == dg.BackfillPolicy.single_run(), key
        # Lake, warehouse and reports follow their upstreams (the daemon of `make ui`).
        if key.path[0] in ("lake", "warehouse", "reports"):
            assert node.automation_condition is not None, key
    assert "reports/launch_pictures" in keys


def test_short_window_fills_lake_and_warehouse(short_window):
    lake = short_window / "lake" / "chart_entries"
    partitions = sorted(p.relative_to(lake).as_posix() for p in lake.glob("date=*/country=*"))
    assert partitions == [
        f"date=2025-01-{day}/country={c}" for day in (25, 26, 27) for c in ("eg", "gb", "us")
    ]
    frame = pl.read_parquet(lake / "date=2025-01-27" / "country=us" / "part-0.parquet")
    assert set(frame["date"]) == {dt.date(2025, 1, 27)} and set(frame["country"]) == {"us"}
    ranks = frame.group_by("store", "device", "chart").agg(
        pl.col("rank").min().alias("first"), pl.col("rank").max().alias("last"), pl.len()
    )
    assert (ranks["first"] == 1).all() and (ranks["last"] == ranks["len"]).all()

    con = duckdb.connect(str(short_window / "warehouse.duckdb"), read_only=True)
    for table, columns in CONTRACT_TABLES.items():
        described = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
        assert set(columns) <= set(described), table
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
    top = con.execute(
        "SELECT app_name FROM chart_entries WHERE date = DATE '2025-01-27' AND country = 'us'"
        " AND store = 'app_store' AND chart = 'top_free' AND rank = 1"
    ).fetchone()
    assert top == ("DeepSeek - AI Assistant",)


def test_live_schedules_capture_today_then_settle_yesterday():
    from pipelines.schedules import daily_charts, settled_day

    at = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)
    for schedule, day in [(daily_charts, "2026-11-30"), (settled_day, "2026-11-29")]:
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
        request = schedule(dg.build_schedule_context(scheduled_execution_time=at))
        assert request.partition_key == day
    live = build_definitions(ChartwatchConfig(source="live", first_day="2024-06-01"))
    assert sorted(s.name for s in live.schedules) == ["daily_charts", "settled_day"]
    # Live partitions run from CHARTWATCH_FIRST_DAY to today: a chart fetched now is
    # today's chart.
    partitions = live.resolve_job_def("daily_pipeline").partitions_def
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert partitions.get_first_partition_key() == "2024-06-01"
    assert partitions.get_last_partition_key() == today


def test_sample_partitions_are_exactly_the_sample_window():
    """The UI's defaults (latest partition, "all", the last N days) offer only days the
    sample market has."""
    keys = defs.resolve_job_def("daily_pipeline").partitions_def.get_partition_keys()
    assert (keys[0], keys[-1], len(keys)) == ("2025-01-01", "2025-02-09", 40)


def test_a_partition_twice_gives_identical_data_and_leaves_others_untouched(tmp_path):
    assert run_pipeline(
        tmp_path, dt.date(2025, 1, 26), dt.date(2025, 1, 27), countries="us"
    ).success
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    before_rows = con.execute("SELECT * FROM chart_entries ORDER BY ALL").fetchall()
    con.close()
    before = _snapshot(tmp_path / "raw") | _snapshot(tmp_path / "lake")

    assert run_pipeline(
        tmp_path, dt.date(2025, 1, 27), dt.date(2025, 1, 27), countries="us"
    ).success
    after = _snapshot(tmp_path / "raw") | _snapshot(tmp_path / "lake")

    assert after.keys() == before.keys()
    for path, (digest, mtime) in before.items():
        assert after[path][0] == digest, f"{path} changed"
        if "date=2025-01-26" in path:
            assert after[path][1] == mtime, f"{path} was rewritten by another day's run"
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    assert con.execute("SELECT * FROM chart_entries ORDER BY ALL").fetchall() == before_rows


@pytest.fixture()
def one_day(tmp_path_factory, short_window) -> Path:
    """A private copy of one day's archive and lake (tests below damage it)."""
    data_dir = tmp_path_factory.mktemp("damaged")
    shutil.copytree(short_window / "raw", data_dir / "raw")
    shutil.copytree(short_window / "lake", data_dir / "lake")
    return data_dir


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", "HTML"),
        (b'{"feed": {"results": [{"id": "1", "name": "x"', "truncated"),
        (b'{"feed": {}}', "results"),
        ('{"feed": {"title": "Défense"}}'.encode("latin-1"), "not UTF-8"),
    ],
)
def test_a_bad_raw_file_fails_naming_it_and_keeps_the_lake(one_day, body, problem):
    bad = one_day / "raw" / "apple_rss" / "date=2025-01-26" / "country=gb" / "top-free.json"
    bad.write_bytes(body)
    lake_before = _snapshot(one_day / "lake" / "chart_entries" / "date=2025-01-26")

    result = dg.materialize(
        [chart_entries],
        resources=resources_for(_config(one_day, "us,gb,eg")),
        partition_key="2025-01-26",
        raise_on_error=False,
    )

    assert not result.success
    message = _failure(result)
    assert (
        "apple_rss" in message
        and "2025-01-26" in message
        and "country=gb" in message.replace("country gb", "country=gb")
    )
    assert str(bad) in message
    assert re.search(problem, message, re.IGNORECASE)
    assert _snapshot(one_day / "lake" / "chart_entries" / "date=2025-01-26") == lake_before


def test_the_raw_archive_is_never_rewritten(one_day):
    archived = one_day / "raw" / "apple_rss" / "date=2025-01-27" / "country=us" / "top-free.json"
    archived.write_bytes(archived.read_bytes().replace(b"DeepSeek", b"DeepFake"))
    kept = archived.read_bytes()

    apple_charts = asset_graph(ChartwatchConfig()).raw["apple_charts"]

    with pytest.raises(RawArchiveConflict, match=r"(?s)never rewritten.*make clean"):
        dg.materialize(
            [apple_charts],
            resources=resources_for(_config(one_day, "us")),
            partition_key="2025-01-27",
        )
    assert archived.read_bytes() == kept


def test_days_outside_the_sample_window_fail_clearly(tmp_path):
    result = run_pipeline(tmp_path, dt.date(2025, 3, 1), dt.date(2025, 3, 1), countries="us")
    assert not result.success
    message = _failure(result)
    assert "sample market covers 2025-01-01..2025-02-09" in message


def test_unknown_country_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="unknown country codes zz"):
        build_definitions(_config(Path("unused"), "us,zz")).resources["chartwatch"].check()


def test_only_runs_that_archive_simulate_the_sample_market(tmp_path):
    from pipelines.cli import simulates_sample_market

    sample = build_definitions(_config(tmp_path, "us"))
    lake_and_warehouse = [
        dg.AssetKey(["lake", "chart_entries"]),
        dg.AssetKey(["warehouse", "duckdb"]),
    ]
    assert simulates_sample_market(sample, None)  # the whole pipeline archives
    assert simulates_sample_market(sample, [dg.AssetKey(["raw", "apple_charts"])])
    # A re-parse or rebuild reads the archive: no simulation (CPU seconds, ~0.5 GB).
    assert not simulates_sample_market(sample, lake_and_warehouse)
    live = build_definitions(ChartwatchConfig(data_dir=str(tmp_path), source="live"))
    assert not simulates_sample_market(live, None)


def test_the_run_log_is_a_few_short_lines_per_step(tmp_path):
    """Per-day and per-country detail is DEBUG (and metadata); each step says what it
    did in a line or two at INFO, none longer than a terminal can show."""
    import logging

    config = _config(tmp_path, "us,gb")
    with dg.DagsterInstance.ephemeral() as instance:
        result = materialize(
            dt.date(2025, 1, 26),
            dt.date(2025, 1, 27),
            instance=instance,
            definitions=build_definitions(config),
        )
        assert result.success
        logs = [e for e in instance.all_logs(result.run_id) if e.dagster_event is None]
        # Each warehouse table's page in the UI shows its rows from the last build.
        page = instance.get_latest_materialization_event(
            dg.AssetKey(["warehouse", "tables", "chart_entries"])
        )
        assert page is not None
        assert page.asset_materialization.metadata["dagster/row_count"].value > 0
    info = [e for e in logs if e.level >= logging.INFO]
    by_step: dict[str, list[str]] = {}
    for entry in info:
        by_step.setdefault(entry.step_key or "run", []).append(entry.user_message)
    assert by_step, "no step said anything"
    for step, messages in by_step.items():
        assert len(messages) <= 3, (step, messages)
        assert all(len(m) <= 200 for m in messages), (step, messages)
    # The per-country counts are still there, at DEBUG.
    debug = [e.user_message for e in logs if e.level == logging.DEBUG]
    assert any("chart_entries 2025-01-27" in m and "us " in m for m in debug)
    # Plurals read as English.
    said = [message for messages in by_step.values() for message in messages]
    assert not any(re.search(r"\b1 (days|countries|tables|partitions)\b", m) for m in said)

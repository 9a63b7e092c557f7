"""The benchmark harness works: `make bench QUICK=1` (30 days) produces every figure.

It asserts that figures are produced and consistent, never how fast anything is:
speed is measured by `make bench`, not by tests.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from bench.run import REPO, TARGETS, _clear_previous_run
from warehouse.products import read_products


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """The quick variant, each step once (the figures, not their medians, are tested)."""
    work = tmp_path_factory.mktemp("bench")
    command = [
        sys.executable, "-m", "bench.run", "--quick", "--runs", "1", "--heavy-runs", "1",
        "--work", str(work), "--out", str(work / "results.md"), "--json", str(work / "f.json"),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    return work, (work / "results.md").read_text(), json.loads((work / "f.json").read_text())


def test_every_measurement_has_a_time_and_a_peak_memory(quick):
    _, _, figures = quick
    for step in ("floor", "lake", "warehouse", "dagster", "report", "daily_small", "daily_full"):
        assert figures[step]["seconds"] > 0, step
        assert 0.05 < figures[step]["peak_gb"] < 24, step
    assert set(figures["history"]) == {"7", "15", "30"}  # a quarter, a half, all 30 days
    daily = figures["daily_full"]
    assert daily["raw"] + daily["lake"] + daily["warehouse"] == pytest.approx(daily["seconds"])
    # A new day's charts (3) and estimates (1) of every storefront, and its pageviews.
    articles = len(read_products(REPO / "products.toml").articles)
    assert daily["files"] == 175 * 3 + 175 + articles


def test_the_floor_wrote_what_the_pipeline_wrote(quick):
    _, _, figures = quick
    # bench.run checks the floor's Parquet against the lake's (same_as_lake) on these days.
    assert len(figures["floor_checked_days"]) >= 3
    assert figures["floor"]["rows"] == 30 * 175 * 300  # 100 free, paid and grossing
    assert figures["generated"]["days"] == 31  # and the new day of the daily update


def test_results_name_the_machine_every_figure_and_every_target(quick):
    _, text, _ = quick
    assert re.search(r"- cores: \d+", text) and re.search(r"- memory_gb: [\d.]+", text)
    assert "make bench QUICK=1" in text
    figures = re.findall(r"^\| (.+?) \| ([\d.]+) \| ([\d.]+) GB \|", text, re.MULTILINE)
    assert len(figures) == 8 and all(float(s) > 0 for _, s, _ in figures)
    targets = re.findall(
        r"^\| .+ \| [\d.]+ ?(?:x|s|GB) \| .+ \| (meets|\*\*misses\*\* by \d+%) \|$",
        text,
        re.MULTILINE,
    )
    assert len(targets) == len(TARGETS)
    growth = re.findall(
        r"^\| (\d+) \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|$", text, re.MULTILINE
    )
    assert growth == ["7", "15", "30"]


def test_the_bench_says_where_its_own_time_goes(quick):
    _, text, figures = quick
    phases = figures["bench_phases"]
    # Each measured step's phase holds at least the step's own time, and the phases
    # account for the whole run (the rest is printing and bookkeeping).
    assert phases["floor"] >= figures["floor"]["seconds"]
    assert phases["raw -> lake"] >= figures["lake"]["seconds"]
    assert phases["Dagster run"] >= figures["dagster"]["seconds"]
    assert sum(phases.values()) == pytest.approx(figures["total_seconds"], rel=0.05)
    rows = re.findall(
        r"^\| (.+?) \| ([\d.]+) \|$", text.split("## Where the bench's own time")[1], re.MULTILINE
    )
    assert [name for name, _ in rows] == list(phases)


def test_a_new_run_deletes_the_last_runs_output_but_keeps_the_archive(tmp_path):
    year = tmp_path / "year"
    for folder in ("raw/apple_rss/date=2025-01-01", "lake/chart_entries/date=2025-01-01"):
        (year / folder).mkdir(parents=True)
        (year / folder / "part-0").write_text("x")
    (year / "warehouse.duckdb").write_text("x")
    (tmp_path / "history-30").mkdir()
    (tmp_path / "history-30" / "raw").symlink_to(year / "raw")  # shared, not copied
    (tmp_path / "dagster" / "lake").mkdir(parents=True)
    removers = _clear_previous_run(tmp_path)
    assert [process.wait() for process in removers] == [0, 0, 0, 0]  # one per folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["year"]
    assert sorted(p.name for p in year.iterdir()) == ["raw"]
    assert (year / "raw/apple_rss/date=2025-01-01/part-0").read_text() == "x"
    assert _clear_previous_run(tmp_path) == []  # nothing left to delete

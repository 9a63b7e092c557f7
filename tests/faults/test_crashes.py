"""Runs killed at named moments (SIGKILL of the process group: an OOM kill, a reboot,
Ctrl-C twice). At the moment of the kill a reader sees only whole files, each as a
clean run writes it; afterwards the next `make backfill` of the same range starts at
once, says which dead run it recovered, finishes, and leaves exactly a clean run's
raw bytes, lake rows and warehouse tables, with no leftovers. `FAILED=1` after a
crash re-runs what the crash left undone, and only that."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from tests.faults.workspace import END, START, differences, fingerprints, lake_files, raw_files

# Each moment with the failpoint that stops the run there (warehouse/failpoints.py).
MOMENTS = {
    "during raw fetching": "raw.before_rename@40",
    "between a lake temp write and its rename": "lake.before_rename@2",
    "inside the warehouse build": "warehouse.build",
    "just before COMMIT": "warehouse.before_commit",
}


def _readers_see_only_whole_files(workspace, clean) -> None:
    """Every visible raw and lake file is whole and holds what a clean run writes."""
    raw = raw_files(workspace.data)
    assert {path: raw[path] for path in raw} == {path: clean["raw"][path] for path in raw}
    lake = lake_files(workspace.data)
    assert lake == {path: clean["lake_files"][path] for path in lake}


def _converged(workspace, clean) -> None:
    got = fingerprints(workspace.data)
    want = {part: clean[part] for part in got}
    assert got == want, differences(got, want)
    assert workspace.pool_holders() == set()


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_run_killed_at_a_moment_is_recovered_by_the_next_backfill(workspace, clean, moment):
    run = workspace.start("backfill", f"START={START}", f"END={END}", failpoint=MOMENTS[moment])
    run.wait_for_failpoint()
    _readers_see_only_whole_files(workspace, clean)
    # A first build is made aside: no warehouse file is visible before it is committed.
    assert not (workspace.data / "warehouse.duckdb").exists()
    run.kill_group()
    (dead,) = workspace.runs()
    assert dead.status == dg.DagsterRunStatus.STARTED  # what the crash leaves

    again = workspace.backfill()

    assert again.returncode == 0, again.output
    assert (
        f"recovered: run {dead.run_id}" in again.stderr and "died without finishing" in again.stderr
    )
    assert "waiting for" not in again.output  # it started at once
    statuses = {run.run_id: run.status for run in workspace.runs()}
    assert statuses.pop(dead.run_id) == dg.DagsterRunStatus.FAILURE
    assert list(statuses.values()) == [dg.DagsterRunStatus.SUCCESS]
    _converged(workspace, clean)


def test_a_kill_just_before_commit_of_an_update_leaves_the_previous_warehouse(workspace, clean):
    first = workspace.make("backfill", f"START={START}", "END=2025-01-21")
    assert first.returncode == 0, first.output
    run = workspace.start(
        "backfill", f"START={START}", f"END={END}", failpoint=MOMENTS["just before COMMIT"]
    )
    run.wait_for_failpoint()
    run.kill_group()

    # The warehouse opens and holds the two days of the first run, nothing half-done.
    with duckdb.connect(str(workspace.data / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT max(date)::VARCHAR FROM chart_entries").fetchone() == (
            "2025-01-21",
        )
        assert con.execute("SELECT count(*) FROM product_downloads_daily").fetchone()[0] > 0

    again = workspace.backfill()
    assert again.returncode == 0, again.output
    _converged(workspace, clean)


@pytest.mark.parametrize(
    ("moment", "rerun"),
    [
        ("inside the warehouse build", "reports/launch_pictures, warehouse/duckdb for 4 days"),
        ("between a lake temp write and its rename", "lake/chart_entries"),
    ],
)
def test_failed_only_after_a_crash_reruns_what_the_crash_left_undone(
    workspace, clean, moment, rerun
):
    run = workspace.start("backfill", f"START={START}", f"END={END}", failpoint=MOMENTS[moment])
    run.wait_for_failpoint()
    run.kill_group()

    again = workspace.backfill("FAILED=1")

    assert again.returncode == 0, again.output
    assert "recovered: run" in again.stderr
    assert "nothing failed" not in again.stdout
    (done,) = [line for line in again.stdout.splitlines() if line.startswith("materialised")]
    assert rerun in done and "raw/" not in done  # the archive was whole: nothing refetched
    _converged(workspace, clean)
    assert "nothing failed" in workspace.backfill("FAILED=1").stdout

"""Runs that meet: two overlapping backfills, a run killed while it waits for the
warehouse's pool slot, Ctrl-C and SIGTERM, and a SQL session holding the warehouse
open during a build. Nothing wedges, the user is told what is happening, and the
data converges to a clean run's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import dagster as dg
import psutil
import pytest

from tests.faults.workspace import END, START, differences, fingerprints


def _converged(workspace, clean) -> None:
    got = fingerprints(workspace.data)
    want = {part: clean[part] for part in got}
    assert got == want, differences(got, want)
    assert workspace.pool_holders() == set()


def test_two_overlapping_backfills_both_finish_and_agree(workspace, clean, tmp_path):
    first = workspace.start("backfill", f"START={START}", f"END={END}")
    second = workspace.start("backfill", "START=2025-01-22", f"END={END}")
    one, two = first.finish(), second.finish()

    assert one.returncode == 0, one.output
    assert two.returncode == 0, two.output
    for done in (one, two):
        for line in done.stderr.splitlines():
            if "is waiting for the 'duckdb' pool" in line:
                assert "held by run " in line  # it names the run it waits for
    _converged(workspace, clean)


def test_a_run_killed_while_it_waits_for_the_slot_does_not_block_the_next(
    workspace, clean, tmp_path
):
    holder = workspace.start(
        "backfill", f"START={START}", f"END={END}", failpoint="warehouse.build"
    )
    holder.wait_for_failpoint()
    (holding,) = workspace.runs()
    log = tmp_path / "waiting.log"
    waiting = workspace.start("backfill", f"START={START}", f"END={END}", log=log)
    waiting.wait_for_output("is waiting for the 'duckdb' pool", log)
    said = log.read_text()
    assert f"held by run {holding.run_id}" in said  # it names the run that holds the slot
    assert "Step blocked" not in said
    waiting.kill_group()
    holder.kill_group()
    assert len(workspace.pool_holders()) == 2  # one slot held, one claim pending: both dead

    again = workspace.backfill()

    assert again.returncode == 0, again.output
    assert again.stderr.count("died without finishing") == 2
    assert "waiting for" not in again.output
    _converged(workspace, clean)


def _cli_process(started) -> psutil.Process:
    """The command line's own process (the one a `kill <pid>` would name)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for child in psutil.Process(started.process.pid).children(recursive=True):
            try:
                if "materialize" in child.cmdline():
                    return child
            except psutil.Error:  # a short-lived step of make, already gone
                continue
        time.sleep(0.05)
    raise AssertionError("the command line never started")


@pytest.mark.parametrize(("how", "code"), [("SIGTERM to the command line", 143), ("Ctrl-C", 130)])
def test_a_stopped_run_stops_within_seconds_and_counts_as_failed(
    workspace, clean, tmp_path, how, code
):
    log = tmp_path / "run.log"
    run = workspace.start("backfill", f"START={START}", f"END={END}", log=log)
    cli = _cli_process(run)
    run.wait_for_output("lake__chart_entries", log)  # mid-run: the lake is being written
    stopped = time.monotonic()
    if how == "Ctrl-C":
        os.killpg(run.process.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the group
    else:
        cli.send_signal(signal.SIGTERM)
    try:
        cli.wait(timeout=20)
    except psutil.TimeoutExpired:
        pytest.fail(f"still running 20 s after {how}:\n{log.read_text()}")
    assert time.monotonic() - stopped < 15
    run.process.wait(timeout=30)
    said = log.read_text()
    assert f"{signal.Signals(code - 128).name}: stopping run" in said
    assert run.process.returncode != 0
    (stopped_run,) = workspace.runs()
    assert stopped_run.status == dg.DagsterRunStatus.FAILURE
    assert workspace.pool_holders() == set()
    assert "Traceback" not in said.split("watch_orphans")[0]

    again = workspace.backfill("FAILED=1")
    assert again.returncode == 0, again.output
    _converged(workspace, clean)


HOLD = (
    "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True);"
    " print('open', flush=True); time.sleep(float(sys.argv[2]))"
)


def _session(path, seconds: float) -> subprocess.Popen:
    """A SQL session with the warehouse open read-only."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "open"
    return process


def test_a_build_waits_for_a_short_sql_session_and_says_so(workspace, clean, tmp_path):
    first = workspace.backfill()
    assert first.returncode == 0, first.output
    session = _session(workspace.data / "warehouse.duckdb", 300)
    log = tmp_path / "run.log"
    try:
        run = workspace.start(
            "backfill", f"START={START}", f"END={END}", log=log, CHARTWATCH_WAREHOUSE_WAIT="60"
        )
        run.wait_for_output("waiting up to 60s", log)
    finally:
        session.kill()  # the session ends while the build waits
        session.wait()
    done = run.finish()
    said = log.read_text()
    assert done.returncode == 0, said
    assert f"warehouse.duckdb is open in {sys.executable}" in said or f"(PID {session.pid})" in said
    _converged(workspace, clean)


def test_a_long_sql_session_fails_the_build_with_what_to_do_and_keeps_the_warehouse(
    workspace, clean
):
    first = workspace.make("backfill", f"START={START}", "END=2025-01-21")
    assert first.returncode == 0, first.output
    session = _session(workspace.data / "warehouse.duckdb", 300)
    try:
        held = workspace.backfill(CHARTWATCH_WAREHOUSE_WAIT="1")
    finally:
        session.kill()
        session.wait()
    assert held.returncode != 0
    (failed,) = [line for line in held.stderr.splitlines() if line.startswith("FAILED")]
    assert failed.startswith("FAILED warehouse__duckdb: ")
    assert f"(PID {session.pid}), so it cannot be written" in failed
    assert "Close that session" in failed
    assert "Traceback" not in held.output and "Stack Trace" not in held.output

    again = workspace.backfill("FAILED=1")
    assert again.returncode == 0, again.output
    _converged(workspace, clean)

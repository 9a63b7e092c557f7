"""Operating Chartwatch: a run whose process died is found and failed and its pool slot
freed (by the command line and by run monitoring's launcher), a live one is left
alone; errors read as Chartwatch's message first, without a traceback when expected."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys

import dagster as dg
import psutil
import pytest
from dagster._core.launcher.base import WorkerStatus
from dagster._utils.error import serializable_error_info_from_exc_info

from pipelines.errors import explain, is_expected
from pipelines.launcher import ChartwatchRunLauncher
from pipelines.logs import ConsoleFormat
from pipelines.runs import PID_TAG, STARTED_TAG, process_tags, recover, waits_of
from tests.conftest import REPO
from warehouse.build import WarehouseBusy
from warehouse.errors import DiskFull

POOL = "duckdb"
STEP = "warehouse__duckdb"


@pytest.fixture()
def instance(tmp_path):
    """An instance with the shipped settings (our launcher, run monitoring, the pool)."""
    shutil.copy(REPO / "pipelines" / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        instance.event_log_storage.set_concurrency_slots(POOL, 1)
        yield instance


def _dead_process_tags() -> dict[str, str]:
    """The tags of a command-line run whose process has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    started = psutil.Process(child.pid).create_time()
    child.wait()
    return {**process_tags("make backfill"), PID_TAG: str(child.pid), STARTED_TAG: str(started)}


def _run(instance, tags) -> dg.DagsterRun:
    from dagster._core.utils import make_new_run_id

    return instance.add_run(
        dg.DagsterRun(
            job_name="daily_pipeline",
            run_id=make_new_run_id(),
            status=dg.DagsterRunStatus.STARTED,
            tags=tags,
        )
    )


def test_a_dead_run_is_failed_and_its_slot_freed_a_live_one_is_left(instance):
    dead = _run(instance, _dead_process_tags())
    alive = _run(instance, process_tags("pytest"))
    instance.event_log_storage.claim_concurrency_slot(POOL, dead.run_id, STEP)
    instance.event_log_storage.claim_concurrency_slot(POOL, alive.run_id, STEP)  # pending
    assert [w.holders for w in waits_of(instance, alive.run_id)] == [(dead.run_id,)]

    notes = recover(instance)

    assert len(notes) == 1 and dead.run_id in notes[0] and "died without finishing" in notes[0]
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.STARTED
    info = instance.event_log_storage.get_concurrency_info(POOL)
    assert dead.run_id not in {slot.run_id for slot in info.claimed_slots}
    assert recover(instance) == []  # nothing more to do


def test_a_reused_pid_does_not_keep_a_dead_run_alive(instance):
    tags = {**process_tags("make backfill"), STARTED_TAG: "1000000000.0"}  # our pid, long ago
    run = _run(instance, tags)

    recover(instance)

    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE


def test_a_run_of_another_host_is_never_failed_on_a_guess(instance):
    run = _run(instance, {**_dead_process_tags(), "chartwatch/host": "another-machine"})

    assert recover(instance) == []
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.STARTED


def test_run_monitoring_asks_the_launcher_which_runs_are_dead(instance):
    launcher = instance.run_launcher
    assert isinstance(launcher, ChartwatchRunLauncher)
    assert launcher.supports_check_run_worker_health
    assert instance.run_monitoring_enabled
    dead = _run(instance, _dead_process_tags())
    alive = _run(instance, process_tags("pytest"))
    unknown = _run(instance, {})  # launched from the UI, no process recorded yet

    assert launcher.check_run_worker_health(dead).status == WorkerStatus.FAILED
    assert launcher.check_run_worker_health(alive).status == WorkerStatus.RUNNING
    assert launcher.check_run_worker_health(unknown).status == WorkerStatus.RUNNING


def test_a_finished_run_still_holding_a_slot_gives_it_back(instance):
    run = _run(instance, process_tags("pytest"))
    instance.event_log_storage.claim_concurrency_slot(POOL, run.run_id, STEP)
    instance.report_run_failed(run, "failed elsewhere")

    notes = recover(instance)

    assert notes == [f"freed the pool slots still held by finished run {run.run_id}"]
    assert instance.event_log_storage.get_concurrency_info(POOL).claimed_slots == []


def _error_info(error: BaseException):
    try:
        raise error
    except BaseException:
        return serializable_error_info_from_exc_info(sys.exc_info())


def _wrapped(inner: BaseException, outer: BaseException) -> BaseException:
    """``outer`` raised from ``inner``, as Dagster wraps an asset's error."""
    try:
        try:
            raise inner
        except BaseException as caught:
            raise outer from caught
    except BaseException as raised:
        return raised


def test_the_message_is_chartwatchs_first_then_the_root_cause():
    lock = OSError("IO Error: Could not set lock on file: Conflicting lock is held in x (PID 7)")
    busy = _wrapped(lock, WarehouseBusy("warehouse.duckdb is open in x (PID 7); close it"))
    dagster = _wrapped(busy, RuntimeError('Error occurred while executing op "warehouse"'))

    text = explain(_error_info(dagster))

    first, cause = text.split("\n")
    assert first == "warehouse.duckdb is open in x (PID 7); close it"
    assert (
        cause
        == "  cause: IO Error: Could not set lock on file: Conflicting lock is held in x (PID 7)"
    )
    assert is_expected(_error_info(dagster))
    assert not is_expected(_error_info(RuntimeError("a bug")))


def test_a_full_disk_names_the_path_and_the_space(tmp_path):
    full = _wrapped(OSError(28, "No space left on device"), DiskFull(tmp_path / "lake", 10_000_000))

    text = explain(_error_info(full))

    assert text.startswith(f"no space left on the device of {tmp_path / 'lake'} (")
    assert "free there now); it needed about 10.0 MB" in text
    assert "cause: [Errno 28] No space left on device" in text


def test_the_console_shows_an_expected_failure_without_a_traceback():
    busy = _error_info(WarehouseBusy("warehouse.duckdb is open in x; close it"))
    bug = _error_info(ZeroDivisionError("division by zero"))

    def line(error) -> str:
        from dagster._core.events import DagsterEvent, DagsterEventType
        from dagster._core.execution.plan.objects import StepFailureData

        event = DagsterEvent(
            event_type_value=DagsterEventType.STEP_FAILURE.value,
            job_name="daily_pipeline",
            step_key=STEP,
            event_specific_data=StepFailureData(error=error, user_failure_data=None),
        )
        record = logging.LogRecord("x", logging.ERROR, "", 0, "failed", None, None)
        record.dagster_meta = {"step_key": STEP, "dagster_event": event, "orig_message": "failed."}
        return ConsoleFormat().format(record)

    shown = line(busy)
    assert shown.endswith(f"ERROR   {STEP}: failed. warehouse.duckdb is open in x; close it")
    assert "Traceback" not in shown and "Stack Trace" not in shown
    assert "Stack Trace" in line(bug)  # a bug keeps its traceback


def test_a_ui_run_waiting_for_the_pool_is_told_once_which_run_holds_it(instance):
    from dagster._core.events import DagsterEventType

    from pipelines.sensors import pool_waits

    holder = _run(instance, process_tags("launched from the UI"))
    waiting = _run(instance, {})
    instance.event_log_storage.claim_concurrency_slot(POOL, holder.run_id, STEP)
    instance.event_log_storage.claim_concurrency_slot(POOL, waiting.run_id, STEP)

    def told() -> list[str]:
        return [
            entry.dagster_event.message
            for entry in instance.all_logs(waiting.run_id, of_type=DagsterEventType.ENGINE_EVENT)
        ]

    context = dg.build_sensor_context(instance=instance)
    skipped = pool_waits(context)
    again = pool_waits(dg.build_sensor_context(instance=instance, cursor=context.cursor))

    assert isinstance(skipped, dg.SkipReason) and isinstance(again, dg.SkipReason)
    (message,) = told()  # once, not at every evaluation
    assert message.startswith(f"{STEP} is waiting for the 'duckdb' pool (limit 1)")
    assert f"held by run {holder.run_id}" in message

"""The runs of a Chartwatch instance: which are alive, which died, who holds a pool slot.

A run's process can die without telling Dagster (an out-of-memory kill, a reboot,
SIGKILL, Ctrl-C twice): the run then stays STARTED in the instance and keeps the
slot of the ``duckdb`` pool it held, so every later run waits for it for ever.
Dagster's answer is run monitoring: the daemon asks the run launcher whether each
run's process is alive and fails the runs whose process is gone, and frees the
pool slots of finished runs. Dagster's default launcher cannot tell, so
Chartwatch's (``pipelines/launcher.py``) asks this module, which knows a run's
process by

- the tags every command-line run carries (``chartwatch/pid``, ``chartwatch/host``,
  ``chartwatch/process_started``), or else
- the pid Dagster's engine events record for a run launched from the UI.

A run is dead when that process no longer exists on this host, or when its pid now
belongs to a newer process. The command line makes the same check before it starts
(``recover``), so a dead run never blocks the next backfill, daemon or not.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import dagster as dg
import psutil
from dagster._core.events import DagsterEventType

PID_TAG = "chartwatch/pid"
HOST_TAG = "chartwatch/host"
STARTED_TAG = "chartwatch/process_started"
COMMAND_TAG = "chartwatch/command"

# Runs that may still have a process working on them.
ACTIVE_STATUSES = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
FINISHED_STATUSES = [
    dg.DagsterRunStatus.SUCCESS,
    dg.DagsterRunStatus.FAILURE,
    dg.DagsterRunStatus.CANCELED,
]
# A process that started this long after the moment its pid was recorded is another
# process that reuses the pid.
_CLOCK_SLACK = 2.0


def process_tags(command: str) -> dict[str, str]:
    """The tags that tie a run to the process executing it (this one)."""
    me = psutil.Process()
    return {
        PID_TAG: str(me.pid),
        HOST_TAG: socket.gethostname(),
        STARTED_TAG: f"{me.create_time():.3f}",
        COMMAND_TAG: command,
    }


@dataclass(frozen=True)
class Worker:
    """What is known of the process of a run: alive, dead, or unknown (another host,
    or no process recorded)."""

    status: str  # "alive" | "dead" | "unknown"
    detail: str


def run_worker(instance: dg.DagsterInstance, run: dg.DagsterRun) -> Worker:
    """Whether the process executing ``run`` is still there."""
    tags = run.tags
    if PID_TAG in tags:
        pid, host = int(tags[PID_TAG]), tags.get(HOST_TAG, "")
        what = f"process {pid} on {host}" + (
            f" ({tags[COMMAND_TAG]})" if tags.get(COMMAND_TAG) else ""
        )
        if host != socket.gethostname():
            return Worker("unknown", f"{what}: another host, which cannot be checked from here")
        started = float(tags.get(STARTED_TAG, "nan") or "nan")
        born = _create_time(pid)
        # The same process: it exists and started when the tag says (not a reused pid).
        alive = born is not None and not abs(born - started) > _CLOCK_SLACK
    else:
        recorded = _engine_pid(instance, run.run_id)
        if recorded is None:
            return Worker("unknown", "no process of it is recorded")
        pid, when = recorded
        what = f"process {pid}"
        born = _create_time(pid)
        # The process recorded: it exists and had started when it was recorded.
        alive = born is not None and not born > when + _CLOCK_SLACK
    return Worker("alive" if alive else "dead", what)


def _create_time(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds); None if there is no such live
    process; NaN if it exists but may not be inspected (it counts as alive)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        return process.create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:
        return float("nan")


def _engine_pid(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """The latest pid Dagster's engine events recorded for a run, with when."""
    found = None
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT):
        data = entry.dagster_event.engine_event_data if entry.dagster_event else None
        pid = data.metadata.get("pid") if data and data.metadata else None
        if pid is not None and str(pid.value).isdigit():
            found = (int(pid.value), entry.timestamp)
    return found


def describe(run: dg.DagsterRun) -> str:
    """A run in a person's words: what launched it and its days."""
    tags = run.tags
    start = tags.get("dagster/asset_partition_range_start")
    end = tags.get("dagster/asset_partition_range_end")
    days = f"{start}..{end}" if start else tags.get("dagster/partition", "")
    command = tags.get(COMMAND_TAG) or "launched from the UI"
    return f"{command}, {days}" if days and days not in command else command


def recover(instance: dg.DagsterInstance) -> list[str]:
    """Fail every run of the instance whose process is gone, and free the pool slots
    of finished runs; returns what was done, for the user."""
    notes = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=ACTIVE_STATUSES)):
        run = record.dagster_run
        worker = run_worker(instance, run)
        if worker.status != "dead":
            continue
        fail_dead_run(instance, run, f"its {worker.detail} is gone")
        notes.append(
            f"run {run.run_id} ({describe(run)}) died without finishing (its {worker.detail}"
            " is gone): marked failed and its pool slots freed. `make backfill FAILED=1"
            " START=... END=...` re-runs what it left undone."
        )
    notes += free_slots_of_finished_runs(instance)
    return notes


def fail_dead_run(instance: dg.DagsterInstance, run: dg.DagsterRun, why: str) -> None:
    """Record a run whose process died as failed, and give back its pool slots."""
    instance.report_run_failed(
        run,
        f"Chartwatch marked this run failed: {why}, so it cannot finish. Its planned"
        " partitions count as failed (re-run them with `make backfill FAILED=1` or"
        " 're-execute from failure'); everything it published is whole.",
    )
    instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)


def _pool_infos(instance: dg.DagsterInstance):
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return {}
    keys = storage.get_concurrency_keys()
    return storage.get_concurrency_infos(sorted(keys)) if keys else {}


def free_slots_of_finished_runs(instance: dg.DagsterInstance) -> list[str]:
    """Free the slots and pending claims that finished (or deleted) runs still hold."""
    holders = {
        holder.run_id
        for info in _pool_infos(instance).values()
        for holder in [*info.claimed_slots, *info.pending_steps]
    }
    if not holders:
        return []
    active = {
        run.run_id
        for run in instance.get_runs(
            filters=dg.RunsFilter(run_ids=sorted(holders), statuses=ACTIVE_STATUSES)
        )
    }
    freed = []
    for run_id in sorted(holders - active):
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)
        freed.append(f"freed the pool slots still held by finished run {run_id}")
    return freed


@dataclass(frozen=True)
class Wait:
    """A step of a run waiting for a pool slot, and the runs holding the slots."""

    step_key: str
    pool: str
    limit: int | None
    holders: tuple[str, ...]


def waits_of(instance: dg.DagsterInstance, run_id: str) -> list[Wait]:
    """The pool slots a run's steps are waiting for, with who holds them."""
    return all_waits(instance).get(run_id, [])


def all_waits(instance: dg.DagsterInstance) -> dict[str, list[Wait]]:
    """Every run's steps waiting for a pool slot, by run id."""
    waits: dict[str, list[Wait]] = {}
    for pool, info in _pool_infos(instance).items():
        # A slot is held by a run that claimed it, or that was just assigned it.
        holding = {s.run_id for s in info.claimed_slots} | {
            p.run_id for p in info.pending_steps if p.assigned_timestamp is not None
        }
        for pending in info.pending_steps:
            if pending.assigned_timestamp is None:
                holders = tuple(sorted(holding - {pending.run_id}))
                waits.setdefault(pending.run_id, []).append(
                    Wait(pending.step_key, pool, info.limit, holders)
                )
    return waits


def wait_message(instance: dg.DagsterInstance, wait: Wait) -> str:
    """What a waiting step tells its run's log: the pool and the runs that hold it."""
    holders = []
    for holder_id in wait.holders:
        holder = instance.get_run_by_id(holder_id)
        holders.append(
            f"run {holder_id} ({describe(holder)}, {holder.status.value.lower()})"
            if holder
            else f"run {holder_id}"
        )
    return (
        f"{wait.step_key} is waiting for the '{wait.pool}' pool (limit {wait.limit}): its slot"
        f" is held by {', '.join(holders)}. It starts when that run ends;"
        " Chartwatch's writers take turns on the warehouse."
    )

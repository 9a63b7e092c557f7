"""The ``pool_waits`` sensor: a run launched from the UI that waits for a pool slot says
in its own log which run holds the slot.

Dagster's own message ("Step blocked by limit for pool duckdb") does not say who
holds it; the command line says so itself (``pipelines/cli.py``), and for every other
run this sensor (on by default, every 15 s, in the daemon of ``make ui``) writes an
engine event into the waiting run's log, once per step and holder.
"""

from __future__ import annotations

import json

import dagster as dg

from pipelines.runs import all_waits, wait_message


@dg.sensor(
    name="pool_waits",
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Writes into the log of each run waiting for a pool slot (the duckdb pool:"
    " one warehouse writer at a time) which run holds it. Launches nothing.",
)
def pool_waits(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    instance = context.instance
    told = set(json.loads(context.cursor or "[]"))
    waits = all_waits(instance)
    for run_id, run_waits in waits.items():
        run = instance.get_run_by_id(run_id)
        if run is None or run.status != dg.DagsterRunStatus.STARTED:
            continue
        for wait in run_waits:
            key = f"{run_id}|{wait.step_key}|{','.join(wait.holders)}"
            if wait.holders and key not in told:
                instance.report_engine_event(wait_message(instance, wait), run)
                told.add(key)
    # Remember only the waits still going on.
    context.update_cursor(json.dumps(sorted(k for k in told if k.split("|")[0] in waits)))
    waiting = sum(len(run_waits) for run_waits in waits.values())
    return dg.SkipReason(f"{waiting} step(s) waiting for a pool slot; nothing to launch")

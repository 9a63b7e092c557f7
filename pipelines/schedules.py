"""Schedules of live mode (the sample market has no new days, and its code location
has none), both off by default; turn them on in the UI's Automation page.

- ``daily_charts`` at 06:00 UTC runs today's partition: Apple's charts are a
  snapshot, so they are captured once a day on the day itself, after the stores'
  overnight refresh (US charts settle by about 00:00 Pacific, 08:00 UTC the day
  before; by 06:00 UTC every storefront has its new day).
- ``settled_day`` at 07:00 UTC runs yesterday's partition again: Wikimedia
  publishes a day's pageviews after the day ends, so they are fetched then; the
  charts of that day are re-parsed from the archive, nothing is fetched twice.

In live mode, freshness checks (``FRESHNESS_DEADLINE``, 08:00 UTC) fail when today's
partition of the chart lake or the warehouse is not materialised two hours after
``daily_charts`` started; a sensor (on by default in live mode) evaluates them.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from pipelines.jobs import daily_pipeline

# By this time (UTC) today's charts must be in the lake and the warehouse.
FRESHNESS_DEADLINE = "0 8 * * *"


def _daily(name: str, hour: int, days_back: int, description: str) -> dg.ScheduleDefinition:
    """A schedule running the partition ``days_back`` days before its tick, at ``hour`` UTC."""

    @dg.schedule(
        name=name,
        job=daily_pipeline,
        cron_schedule=f"0 {hour} * * *",
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=description,
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        scheduled = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
        day = (scheduled.astimezone(dt.UTC) - dt.timedelta(days=days_back)).date().isoformat()
        return dg.RunRequest(run_key=f"{day}-{days_back}", partition_key=day)

    return _schedule


daily_charts = _daily(
    "daily_charts",
    6,
    0,
    "Live mode: capture today's charts (06:00 UTC) through lake and warehouse.",
)
settled_day = _daily(
    "settled_day", 7, 1, "Live mode: yesterday again (07:00 UTC), once its pageviews are published."
)

schedules = [daily_charts, settled_day]

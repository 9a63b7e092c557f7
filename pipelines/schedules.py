"""Schedules. The daily run waits until 06:00 UTC, after the stores have
refreshed their charts for the previous day; it is off by default (the sample
market has no new days) and is turned on in the UI for live mode."""

from __future__ import annotations

import dagster as dg

from pipelines.jobs import daily_pipeline

daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_pipeline,
    hour_of_day=6,
    default_status=dg.DefaultScheduleStatus.STOPPED,
)

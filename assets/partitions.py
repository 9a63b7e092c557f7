"""Chartwatch partitions its assets by day only; the countries of a day are
handled inside the run and written as hive partitions (``country=cc``). A date
range backfills in one run (``BackfillPolicy.single_run()``), so a year costs one
process start, not 365 x 175.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

FIRST_DAY = "2025-01-01"

daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY, timezone="UTC")
single_run = dg.BackfillPolicy.single_run()


def partition_dates(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The days a run covers: one partition or a whole backfill range."""
    window = context.partition_time_window
    start, end = window.start.date(), window.end.date()  # end is exclusive
    return [start + dt.timedelta(days=i) for i in range((end - start).days)]

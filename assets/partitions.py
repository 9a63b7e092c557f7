"""Chartwatch partitions its assets by day only; the countries of a day are
handled inside the run and written as hive partitions (``country=cc``). A date
range backfills in one run (``BackfillPolicy.single_run()``), so a year costs one
process start, not 365 x 175; or, for a pool of workers, in runs of a stretch of days
each (``backfill_policy``).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import dagster as dg

from assets.sample_market.calibration import WINDOW_END, WINDOW_START

# Chartwatch relies on single-run backfills on purpose (one run per date range);
# Dagster flags the parameter as beta on every decorator, which only adds noise.
warnings.filterwarnings("ignore", category=dg.BetaWarning)

T = TypeVar("T")

# The first day of live mode's partitions unless CHARTWATCH_FIRST_DAY says otherwise.
FIRST_DAY = "2025-01-01"
# The App Store opened on 10 July 2008: CHARTWATCH_FIRST_DAY cannot be earlier.
APP_STORE_OPENED = dt.date(2008, 7, 10)

single_run = dg.BackfillPolicy.single_run()


def backfill_policy(days: int) -> dg.BackfillPolicy:
    """How a backfill of many days is cut into runs (CHARTWATCH_BACKFILL_DAYS): one run
    for the whole range (0, the default: a year costs one process start), or runs of at
    most ``days`` days, which a queue runs side by side and whose steps a pool of
    workers shares (each run's warehouse step still waits for the ``duckdb`` pool)."""
    return single_run if days <= 0 else dg.BackfillPolicy.multi_run(max_partitions_per_run=days)


def daily_partitions(source: str, first_day: str = FIRST_DAY) -> dg.DailyPartitionsDefinition:
    """The days a configuration can run: exactly the sample market's window in sample
    mode (so the UI's defaults, the latest partition, "all", the last N days, are days
    with data), and ``first_day`` to today in live mode.

    Live mode's ``end_offset=1`` makes today's partition exist, because a live chart
    fetched now is today's chart (Apple's feeds have no history: tomorrow it can no
    longer be fetched). Days before today come from the archive or from imports
    (``make import``), which is why the first day is the user's to set."""
    if source == "sample":
        return dg.DailyPartitionsDefinition(
            start_date=WINDOW_START.isoformat(),
            end_date=(WINDOW_END + dt.timedelta(days=1)).isoformat(),
            timezone="UTC",
        )
    return dg.DailyPartitionsDefinition(start_date=first_day, timezone="UTC", end_offset=1)


def partition_window(partitions: dg.DailyPartitionsDefinition) -> tuple[dt.date, dt.date]:
    """The first and last day of ``partitions`` (the last is today in live mode)."""
    first = partitions.get_first_partition_key()
    last = partitions.get_last_partition_key()
    assert first is not None and last is not None, "a daily partitions definition is never empty"
    return dt.date.fromisoformat(first), dt.date.fromisoformat(last)


def partition_dates(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The days a run covers: one partition or a whole backfill range."""
    window = context.partition_time_window
    start, end = window.start.date(), window.end.date()  # end is exclusive
    return [start + dt.timedelta(days=i) for i in range((end - start).days)]


def map_days(
    work: Callable[[dt.date], T], dates: list[dt.date], workers: int = 2
) -> Iterator[tuple[dt.date, T]]:
    """Run ``work`` for each day, a few days at once, yielding results in date order.

    Each day's work is mostly Polars and file I/O, which release the GIL; two days
    in flight keep both cores busy through the Python parts (file loops, JSON
    assembly) without holding more than a few days in memory.
    """
    if workers <= 1 or len(dates) <= 1:
        for date in dates:
            yield date, work(date)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[tuple[dt.date, Future[T]]] = deque()
        for date in dates:
            pending.append((date, pool.submit(work, date)))
            if len(pending) > workers:
                done_date, future = pending.popleft()
                yield done_date, future.result()
        while pending:
            done_date, future = pending.popleft()
            yield done_date, future.result()

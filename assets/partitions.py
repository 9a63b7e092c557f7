"""Chartwatch partitions its assets by day only; the countries of a day are
handled inside the run and written as hive partitions (``country=cc``). A date
range backfills in one run (``BackfillPolicy.single_run()``), so a year costs one
process start, not 365 x 175.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import dagster as dg

# Chartwatch relies on single-run backfills on purpose (one run per date range);
# Dagster flags the parameter as beta on every decorator, which only adds noise.
warnings.filterwarnings("ignore", category=dg.BetaWarning)

T = TypeVar("T")

FIRST_DAY = "2025-01-01"

# end_offset=1: today's partition exists, because a live chart fetched now is today's
# chart (Apple's feeds have no history: tomorrow it can no longer be fetched).
daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY, timezone="UTC", end_offset=1)
single_run = dg.BackfillPolicy.single_run()


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

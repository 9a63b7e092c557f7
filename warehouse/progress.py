"""Progress of a step over its days, in one line at a time.

A step logs one line when it starts a stretch of days, a progress line at most every
``every`` seconds while it works (days done of N, rows, elapsed and remaining time),
and one summary line at the end; per-day and per-country detail goes to DEBUG (shown
in the UI's run log with the debug filter, not in the terminal) and to the asset's
metadata. The same lines reach the terminal and the Dagster run log, because they go
through ``context.log``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from warehouse.units import plural

# Progress lines of a long step: at most one per this many seconds.
PROGRESS_EVERY = 15.0


def duration(seconds: float) -> str:
    """12.3 -> '12 s', 75 -> '1 min 15 s', 3720 -> '1 h 2 min'."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


class Progress:
    """Counts days done of a step and says so every ``every`` seconds.

    ``log`` takes a line (``context.log.info``); ``what`` names the step and its
    stretch, e.g. ``chart_entries 2025-01-01..2025-02-09``.
    """

    def __init__(
        self,
        log: Callable[[str], object],
        what: str,
        total: int,
        unit: str = "day",
        every: float = PROGRESS_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log, self.what, self.total, self.unit = log, what, total, unit
        self.every, self.clock = every, clock
        self.started = self.last = clock()
        self.done = 0
        self.rows = 0

    def advance(self, rows: int = 0, count: int = 1) -> None:
        """``count`` more done (with ``rows`` rows); a line if ``every`` has passed."""
        self.done += count
        self.rows += rows
        now = self.clock()
        if self.done < self.total and now - self.last >= self.every:
            self.last = now
            self.log(self.line(now))

    def line(self, now: float | None = None) -> str:
        now = self.clock() if now is None else now
        elapsed = now - self.started
        text = f"{self.what}: {self.done}/{plural(self.total, self.unit)}"
        if self.rows:
            text += f", {self.rows:,} rows"
        text += f", {duration(elapsed)} elapsed"
        if 0 < self.done < self.total:
            text += f", about {duration(elapsed / self.done * (self.total - self.done))} left"
        return text

    @property
    def elapsed(self) -> str:
        return duration(self.clock() - self.started)

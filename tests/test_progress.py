"""What a long step says while it works: days done of N, rows, elapsed and remaining."""

from __future__ import annotations

from warehouse.progress import Progress, duration
from warehouse.units import plural


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_says_done_of_total_rows_elapsed_and_left_at_most_every_interval():
    clock, lines = Clock(), []
    progress = Progress(lines.append, "chart_entries 2025-01-01..2025-02-09", 40, clock=clock)
    for day in range(40):
        clock.now += 2.0  # a day every 2 s: a line every 15 s, not one per day
        progress.advance(rows=1000)
        if day == 7:
            assert lines == [
                "chart_entries 2025-01-01..2025-02-09: 8/40 days, 8,000 rows, 16 s elapsed,"
                " about 1 min 4 s left"
            ]
    assert len(lines) == 4  # at 16, 32, 48 and 64 s; never for the last day
    assert progress.line() == (
        "chart_entries 2025-01-01..2025-02-09: 40/40 days, 40,000 rows, 1 min 20 s elapsed"
    )


def test_a_short_step_prints_no_progress():
    clock, lines = Clock(), []
    progress = Progress(lines.append, "search_interest 2025-01-27", 1, clock=clock)
    clock.now = 40.0
    progress.advance(rows=37)
    assert lines == []
    assert progress.elapsed == "40 s"


def test_durations_and_plurals_read_as_english():
    assert [duration(s) for s in (0.4, 59, 60, 75, 3600, 3720)] == [
        "0 s",
        "59 s",
        "1 min",
        "1 min 15 s",
        "1 h",
        "1 h 2 min",
    ]
    assert plural(1, "day") == "1 day"
    assert plural(2, "day") == "2 days"
    assert plural(1, "country") == "1 country"
    assert plural(176, "country") == "176 countries"
    assert plural(1234, "row") == "1,234 rows"

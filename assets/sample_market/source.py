"""The sample market as a source: the simulation is run once per process and
answers for any day of its window."""

from __future__ import annotations

import datetime as dt
import threading
from functools import lru_cache

from assets.sample_market.calibration import WINDOW_END, WINDOW_START
from assets.sample_market.simulate import SampleMarket, simulate
from warehouse.errors import InvalidSetting

_simulating = threading.Lock()


def sample_market() -> SampleMarket:
    """The simulated market, computed once per process (days run in threads)."""
    with _simulating:
        return _simulated()


@lru_cache(maxsize=1)
def _simulated() -> SampleMarket:
    return simulate()


def check_window(dates: list[dt.date]) -> None:
    outside = [d for d in dates if not WINDOW_START <= d <= WINDOW_END]
    if outside:
        raise InvalidSetting(
            f"the sample market covers {WINDOW_START}..{WINDOW_END} only, but the run asks for "
            f"{outside[0]}{' and ' + str(len(outside) - 1) + ' more days' if len(outside) > 1 else ''}; "
            "materialise partitions inside that window, or set CHARTWATCH_SOURCE=live for real data"
        )

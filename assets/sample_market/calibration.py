"""What the sample market is calibrated to: DeepSeek's launch as reported by
Appfigures and Sensor Tower (shared/reference/seed-figures.md).

These are *inputs of the simulation*, the way a vendor's panel would be: they
shape DeepSeek's simulated demand (its daily downloads worldwide, where it
charted on given days, which countries it was biggest in). Nothing here is read
by the lake, the warehouse or the report: the pipeline recomputes every figure
from the raw responses the simulation serves, and the tests check that it lands
within tolerance.
"""

from __future__ import annotations

import datetime as dt

WINDOW_START = dt.date(2025, 1, 1)
WINDOW_END = dt.date(2025, 2, 9)
SEED = 20250127

LAUNCH_APP = "deepseek"
BREAKOUT_DAY = dt.date(2025, 1, 27)

# DeepSeek's worldwide downloads per day (thousands, both stores): a slow start after
# the V3 release, R1 on 2025-01-20, the weekend of 25-26 January, then a slow decay.
# About 1.03M cumulative by Friday the 24th, 2.6M by Monday morning, 84% in the last week.
_DAILY_K = {
    **{WINDOW_START + dt.timedelta(days=i): 15.0 for i in range(9)},
    dt.date(2025, 1, 10): 18.0,
    dt.date(2025, 1, 11): 20.0,
    dt.date(2025, 1, 12): 22.0,
    dt.date(2025, 1, 13): 24.0,
    dt.date(2025, 1, 14): 26.0,
    dt.date(2025, 1, 15): 28.0,
    dt.date(2025, 1, 16): 30.0,
    dt.date(2025, 1, 17): 32.0,
    dt.date(2025, 1, 18): 35.0,
    dt.date(2025, 1, 19): 38.0,
    dt.date(2025, 1, 20): 60.0,
    dt.date(2025, 1, 21): 80.0,
    dt.date(2025, 1, 22): 110.0,
    dt.date(2025, 1, 23): 150.0,
    dt.date(2025, 1, 24): 225.0,
    dt.date(2025, 1, 25): 685.0,
    dt.date(2025, 1, 26): 882.0,
    dt.date(2025, 1, 27): 950.0,
    dt.date(2025, 1, 28): 900.0,
    dt.date(2025, 1, 29): 800.0,
    dt.date(2025, 1, 30): 700.0,
    dt.date(2025, 1, 31): 620.0,
    dt.date(2025, 2, 1): 560.0,
    dt.date(2025, 2, 2): 520.0,
}


def launch_curve(dates: list[dt.date]) -> list[float]:
    """DeepSeek's worldwide daily downloads (units), decaying 7% a day after 2 Feb."""
    last = max(_DAILY_K)
    return [
        _DAILY_K[d] * 1000.0 if d in _DAILY_K else _DAILY_K[last] * 1000.0 * 0.93 ** (d - last).days
        for d in dates
    ]


# Total downloads through the day before the breakout and where they came from.
DOWNLOADS_THROUGH = dt.date(2025, 1, 26)
TOTAL_DOWNLOADS = 2_600_000.0
COUNTRY_SHARES = {"cn": 0.23, "us": 0.15, "eg": 0.06}
MAX_OTHER_COUNTRY_SHARE = 0.04

# Where DeepSeek charted (top free) on the breakout day, and its climbs in the US.
BREAKOUT_RANK_1_APP_STORE = 52
BREAKOUT_TOP_10_APP_STORE = 111
BREAKOUT_TOP_10_GOOGLE_PLAY = 18
ALWAYS_RANK_1_APP_STORE = ("us", "cn", "eg", "gb", "ca", "au", "de", "fr", "jp", "in")
ALWAYS_TOP_10_GOOGLE_PLAY = ("eg", "in", "br", "id", "sa", "pk")
RANK_ANCHORS = {
    ("us", "app_store"): {
        dt.date(2025, 1, 23): 31,
        dt.date(2025, 1, 24): 9,
        dt.date(2025, 1, 25): 3,
        dt.date(2025, 1, 26): 1,
        dt.date(2025, 1, 27): 1,
    },
    ("us", "google_play"): {
        dt.date(2025, 1, 24): 133,
        dt.date(2025, 1, 25): 60,
        dt.date(2025, 1, 26): 25,
        dt.date(2025, 1, 27): 14,
    },
}

# The US top-free iPhone chart on the breakout day, as hand-checked in the press.
US_CHART_ON_BREAKOUT = {
    "deepseek": 1,
    "chatgpt": 2,
    "paramount-plus": 3,
    "temu": 4,
    "fox-sports": 5,
    "bluesky": 6,
    "reelshort": 7,
    "vpn-super-unlimited-proxy": 8,
    "threads": 9,
    "google": 10,
    "gemini": 14,
}

# DeepSeek's downloads over the 7 days through DOWNLOADS_THROUGH were about 4x Perplexity's.
COMPETITOR = "perplexity"
COMPETITOR_RATIO_LAST_7D = 4.0

# Daily active users were up 110% week over week (24-25 Jan vs 17-18 Jan).
DAU_WOW_DAYS = (
    (dt.date(2025, 1, 24), dt.date(2025, 1, 25)),
    (dt.date(2025, 1, 17), dt.date(2025, 1, 18)),
)
DAU_WOW_GROWTH = 1.10

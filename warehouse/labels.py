"""Words for what the warehouse writes as keys: figure ids, stores, devices, country
codes and dates, as a reader of the launch report sees them.

``figure_label('cumulative_downloads')`` is 'Downloads to date', ``store('app_store')``
'App Store', ``country('eg')`` 'Egypt', ``day(2025-01-27)`` '27 Jan 2025'. The text
report, its HTML page, the headline paragraph and the pictures all use these, so a
figure has one name wherever it shows.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

MISSING = "-"
DASH = "\N{EN DASH}"  # between the ends of a range of days

# Every figure of the launch_report macro (models/90_launch_report.sql), by its id.
FIGURE_LABELS: dict[str, str] = {
    "countries_rank_1": "Countries at #1",
    "countries_top_10": "Countries in the top 10",
    "us_rank": "US rank, day by day",
    "us_rank_before_peak": "US rank 3 days before the peak",
    "us_rank_climb": "US peak rank",
    "cumulative_downloads": "Downloads to date",
    "downloads_milestone": "Downloads milestone",
    "share_last_7d": "Share of downloads in the last 7 days",
    "downloads_last_7d": "Downloads in the last 7 days",
    "downloads_vs_competitor": "Downloads vs the competitor, last 7 days",
    "dau_wow_growth": "Daily active users, week on week",
    "country_share": "Share of downloads to date",
    "interest_country_share": "Share of Wikipedia views by country, week",
    "search_interest_week": "Search interest, week (Wikipedia views)",
    "search_interest_ratio_vs_next": "Search interest vs the next competitor",
}

STORES = {"app_store": "App Store", "google_play": "Google Play"}
DEVICES = {"iphone": "iPhone", "ipad": "iPad", "android": "Android"}
CHARTS = {"top_free": "top free", "top_paid": "top paid", "top_grossing": "top grossing"}

# Shorter or plainer than ISO 3166's names, for prose and narrow labels.
_COUNTRY_NAMES = {
    "us": "the US",
    "gb": "the UK",
    "ae": "the UAE",
    "bn": "Brunei",
    "cd": "DR Congo",
    "fm": "Micronesia",
    "ru": "Russia",
    "vg": "British Virgin Islands",
    "xk": "Kosovo",
    "ww": "worldwide",
}


def figure_label(figure: str) -> str:
    """A figure's name for people ('Downloads to date'); an id not listed reads as
    words ('new_figure' -> 'New figure')."""
    return FIGURE_LABELS.get(figure) or figure.replace("_", " ").capitalize()


def store(key: str | None) -> str:
    """'app_store' -> 'App Store'; None (a figure over both stores) -> ''."""
    if key is None:
        return ""
    return STORES.get(key, key.replace("_", " ").title())


def on_store(key: str) -> str:
    """'on the App Store', 'on Google Play': a store in a sentence."""
    return f"on the {store(key)}" if key == "app_store" else f"on {store(key)}"


def device(key: str) -> str:
    return DEVICES.get(key, key)


def chart(store_key: str, device_key: str, chart_key: str = "top_free") -> str:
    """'top free iPhone', 'top free Android'."""
    return f"{CHARTS.get(chart_key, chart_key.replace('_', ' '))} {device(device_key)}"


@cache
def country(code: str | None, capital: bool = False) -> str:
    """A country code as its name: 'eg' -> 'Egypt', 'us' -> 'the US' ('The US' with
    capital=True, at the start of a sentence or a label); an unknown code upper-cased."""
    if code is None:
        return MISSING
    name = _COUNTRY_NAMES.get(code)
    if name is None:
        import pycountry

        found = pycountry.countries.get(alpha_2=code.upper())
        name = (getattr(found, "common_name", None) or found.name) if found else code.upper()
    return name[0].upper() + name[1:] if capital else name


def day(value: dt.date | None) -> str:
    """A day as people write it: 2025-01-27 -> '27 Jan 2025'."""
    return MISSING if value is None else f"{value.day} {value:%b %Y}"


def short_day(value: dt.date | None) -> str:
    """A day of the report's weeks, without the year: 2025-01-27 -> '27 Jan'."""
    return MISSING if value is None else f"{value.day} {value:%b}"


def weekday(value: dt.date | None) -> str:
    """A day with its weekday: 2025-01-27 -> 'Mon 27 Jan 2025'."""
    return MISSING if value is None else f"{value:%a} {day(value)}"


def long_day(value: dt.date | None) -> str:
    """A day in a sentence: 2025-01-27 -> 'Monday 27 January 2025'."""
    return MISSING if value is None else f"{value:%A} {value.day} {value:%B %Y}"


def day_range(first: dt.date | None, last: dt.date | None) -> str:
    """Two days as a range, the shared month and year written once: '20-26 Jan 2025',
    '28 Jan - 3 Feb 2025', '30 Dec 2024 - 5 Jan 2025' (with an en dash)."""
    if first is None or last is None:
        return MISSING
    if first == last:
        return day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{DASH}{day(last)}"
    if first.year == last.year:
        return f"{first.day} {first:%b} {DASH} {day(last)}"
    return f"{day(first)} {DASH} {day(last)}"


_ISO_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def dates_in(text: str) -> str:
    """Text with its ISO days and ranges as people write them: 'wikimedia
    2025-01-27..2025-02-02' -> 'wikimedia 27 Jan - 2 Feb 2025' (an en dash)."""
    text = _ISO_RANGE.sub(
        lambda m: day_range(dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])), text
    )
    return _ISO_DAY.sub(lambda m: day(dt.date.fromisoformat(m[0])), text)

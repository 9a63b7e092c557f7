"""Apple App Store chart feeds: the current RSS generator (top free and paid iPhone
apps, ``apple_rss``) and the legacy iTunes RSS (grossing, iPad and genre charts,
``itunes_rss``). Snapshots of now: a day is fetched on the day, or imported."""

from __future__ import annotations

import datetime as dt

import polars as pl

from assets.fetching import UNAVAILABLE
from assets.sources.apple_charts import fetch, imports, parse, render
from assets.sources.importing import Importer
from assets.sources.source import Archive, Day, Feed, Source
from warehouse.datasets import APP_STORE_ONLY

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _current_day_mark(date: dt.date) -> bytes:
    """The feed's RFC 1123 ``updated`` time (the sample market's is 06:00 UTC)."""
    rfc = f"{_WEEKDAYS[date.weekday()]}, {date.day:02d} {_MONTHS[date.month - 1]} {date.year}"
    return f'"updated":"{rfc} 06:00:00 +0000"'.encode()


def _legacy_day_mark(date: dt.date) -> bytes:
    return f'"updated":{{"label":"{date.isoformat()}T06:00:00-07:00"}}'.encode()


CURRENT_RSS = Archive(
    parse.CURRENT_RSS,
    ".json",
    APP_STORE_ONLY,
    Importer(
        ".json", parse.parse_current_rss, imports.CURRENT_DOCUMENTED, imports.current_rss_name
    ),
    _current_day_mark,
)
LEGACY_RSS = Archive(
    parse.LEGACY_RSS,
    ".json",
    APP_STORE_ONLY,
    Importer(".json", parse.parse_legacy_rss, imports.LEGACY_DOCUMENTED, imports.legacy_rss_name),
    _legacy_day_mark,
)


def _chart_entries(day: Day) -> pl.DataFrame:
    return pl.concat(
        [
            parse.parse_current_rss(day.batch(CURRENT_RSS)),
            parse.parse_legacy_rss(day.batch(LEGACY_RSS)),
        ]
    )


def _unavailable(day: Day) -> pl.DataFrame:
    """The charts of the day that answered 403 or 404 (chart_coverage's other rows come
    from the charts served)."""
    return pl.concat(
        [
            parse.parse_unavailable(day.batch(archive, UNAVAILABLE), archive.name)
            for archive in (CURRENT_RSS, LEGACY_RSS)
        ]
    )


SOURCE = Source(
    name="apple_charts",
    description="App Store top charts per storefront: top free and top paid from Apple's RSS"
    " feed (100 deep), top grossing and iPad from the legacy iTunes RSS (at most 100 deep since 2021).",
    archives=(CURRENT_RSS, LEGACY_RSS),
    fetch=fetch.fetch_day,
    render=lambda market, config, dates: render.apple_chart_responses(
        market, dates, config.countries_for("app_store")
    ),
    # After Apple's 200-deep charts (apple_charts_deep, precedence 0): where both hold a
    # chart, it comes whole from the deeper one (chart_entries settles by chart).
    feeds={
        "chart_entries": Feed(_chart_entries, precedence=1),
        "chart_coverage": Feed(_unavailable, precedence=1),
    },
)

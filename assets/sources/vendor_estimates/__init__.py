"""Vendor download and daily-active-user estimates, imported as a documented CSV."""

from __future__ import annotations

import datetime as dt

from assets import live
from assets.sources.importing import Importer
from assets.sources.source import Archive, Day, Feed, Source
from assets.sources.vendor_estimates import imports, parse, render


def _day_mark(date: dt.date) -> bytes:
    """The date column, first on every row after the header."""
    return f"\n{date.isoformat()},".encode()


ARCHIVE = Archive(
    parse.RAW_SOURCE,
    ".csv",
    importer=Importer(
        ".csv",
        lambda batch: parse.parse_estimates_csv(batch, source="import"),
        imports.ESTIMATES_ITEM,
        imports.estimates_name,
    ),
    day_mark=_day_mark,
)


def _app_estimates(day: Day):
    return parse.parse_estimates_csv(day.batch(ARCHIVE), source=day.imported_as)


SOURCE = Source(
    name="vendor_estimates",
    description="Vendor estimates: daily downloads and DAU per app, country and store (CSV).",
    archives=(ARCHIVE,),
    fetch=lambda config, date, client: live.imported(config, ARCHIVE.name, ".csv", date, None),
    render=lambda market, config, dates: render.estimate_responses(
        market, dates, config.countries_for()
    ),
    # After the figures of a user's own stores (App Store Connect 0 and 1, Play
    # Console 0), before an API vendor's (Appfigures 3).
    feeds={"app_estimates": Feed(_app_estimates, precedence=2)},
    kinds=frozenset({"python", "csv"}),
)

"""Apple's 200-deep iPhone charts from the undocumented iTunes charts endpoint
(``itunes_charts``: App Store ids only, named by the Lookup API), live with
CHARTWATCH_DEEP_CHARTS on, or imported. Where it holds a chart of a day, the chart
comes whole from it, not from Apple's RSS feeds (100 deep)."""

from __future__ import annotations

import polars as pl

from assets.fetching import UNAVAILABLE
from assets.sources.apple_charts_deep import fetch, imports, parse
from assets.sources.importing import Importer
from assets.sources.source import Archive, Day, Feed, Source
from warehouse.datasets import APP_STORE_ONLY

ARCHIVE = Archive(
    parse.RAW_SOURCE,
    ".json",
    APP_STORE_ONLY,
    Importer(".json", parse.parse_charts, imports.DOCUMENTED, imports.charts_name),
)


def _chart_entries(day: Day) -> pl.DataFrame:
    return parse.parse_charts(day.batch(ARCHIVE))


def _unavailable(day: Day) -> pl.DataFrame:
    """The charts of the day that answered 403 or 404 (chart_coverage's other rows,
    their depth 200 included, come from the charts served)."""
    return parse.parse_unavailable(day.batch(ARCHIVE, UNAVAILABLE))


SOURCE = Source(
    name="apple_charts_deep",
    description="App Store iPhone top free, paid and grossing charts 200 deep (overall and of"
    " CHARTWATCH_GENRES) from Apple's undocumented iTunes charts endpoint (ids only; the"
    " iTunes Lookup names them), live with CHARTWATCH_DEEP_CHARTS on, or imported; where it"
    " holds a chart, it replaces the RSS feed's 100 whole. No history: today only.",
    archives=(ARCHIVE,),
    fetch=fetch.fetch_day,
    render=None,  # the sample market does not simulate it
    # Before Apple's RSS feeds (apple_charts, precedence 1): a chart comes whole from
    # the deeper source (chart_entries settles by chart).
    feeds={
        "chart_entries": Feed(_chart_entries, precedence=0),
        "chart_coverage": Feed(_unavailable, precedence=0),
    },
)

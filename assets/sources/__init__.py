"""The registry of Chartwatch's sources: one line per source, each declared in its
own folder (``assets/sources/<name>/__init__.py``: ``SOURCE = Source(...)``, see
``source.py``). The raw assets, the import command, the lake's readers, the sample
market and the bench are built from this list; adding a source is a folder and a
line here (docs/architecture.md walks through it).

Pure, like the folders: importing the registry loads no Dagster.
"""

from __future__ import annotations

import polars as pl

from assets.sources import (
    app_store_connect_downloads,
    app_store_connect_sales,
    appfigures,
    apple_charts,
    apple_charts_deep,
    google_play_charts,
    google_play_scraper,
    itunes_lookup,
    play_console_installs,
    vendor_estimates,
    wikimedia_country,
    wikimedia_pageviews,
)
from assets.sources.source import Archive, Day, Source
from warehouse.datasets import Dataset

SOURCES: tuple[Source, ...] = (
    apple_charts.SOURCE,
    apple_charts_deep.SOURCE,
    google_play_charts.SOURCE,
    wikimedia_pageviews.SOURCE,
    wikimedia_country.SOURCE,
    vendor_estimates.SOURCE,
    itunes_lookup.SOURCE,
    appfigures.SOURCE,
    play_console_installs.SOURCE,
    google_play_scraper.SOURCE,
    app_store_connect_sales.SOURCE,
    app_store_connect_downloads.SOURCE,
)


def source(name: str) -> Source:
    return next(s for s in SOURCES if s.name == name)


def importable() -> dict[str, Archive]:
    """The archives a user may add files to (`make import SOURCE=<archive>`), by name."""
    return {a.name: a for s in SOURCES for a in s.archives if a.importer is not None}


def feeding(dataset: str) -> list[Source]:
    """The sources that give rows to a lake dataset, in the order of the registry."""
    return [s for s in SOURCES if dataset in s.feeds]


def rows_of(dataset: Dataset, day: Day) -> pl.DataFrame:
    """A day of a lake dataset, parsed from the archives of the sources that feed it.
    Where two sources give rows of one key (``dataset.settled_by``: the grain, or for
    chart_entries the chart), the rows of the lower ``Feed.precedence`` are kept and
    the other's dropped: a user's own figures before a vendor's; a whole chart from
    one source, never ranks of two feeds."""
    feeds = [source.feeds[dataset.name] for source in feeding(dataset.name)]
    frames = [(feed.precedence, feed.read(day)) for feed in feeds]
    given = [(precedence, frame) for precedence, frame in frames if frame.height]
    if len({precedence for precedence, _ in given}) <= 1:
        # Nothing to settle (one source gave rows, as usually): no window over the day.
        return pl.concat([frame for _, frame in frames])
    rows = pl.concat(
        [frame.with_columns(_precedence=pl.lit(precedence)) for precedence, frame in given]
    )
    first = pl.col("_precedence") == pl.col("_precedence").min().over(dataset.settled_by)
    return rows.filter(first).drop("_precedence")

"""The registry of Chartwatch's sources: one line per source, each declared in its
own folder (``assets/sources/<name>/__init__.py``: ``SOURCE = Source(...)``, see
``source.py``). The raw assets, the import command, the lake's readers, the sample
market and the bench are built from this list; adding a source is a folder and a
line here (docs/architecture.md walks through it).

Pure, like the folders: importing the registry loads no Dagster.
"""

from __future__ import annotations

from assets.sources import (
    app_store_connect_downloads,
    app_store_connect_sales,
    appfigures,
    apple_charts,
    google_play_charts,
    google_play_scraper,
    itunes_lookup,
    play_console_installs,
    vendor_estimates,
    wikimedia_country,
    wikimedia_pageviews,
)
from assets.sources.source import Archive, Source

SOURCES: tuple[Source, ...] = (
    apple_charts.SOURCE,
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

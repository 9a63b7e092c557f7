"""A user's own App Store Connect Analytics Reports, "App Store Downloads" (Standard
or Detailed), imported: first-time downloads per app, territory and day."""

from __future__ import annotations

from assets import live
from assets.sources.app_store_connect_downloads import imports, parse
from assets.sources.importing import Importer
from assets.sources.source import Archive, Day, Feed, Source
from warehouse.datasets import WORLDWIDE_ONLY

ARCHIVE = Archive(
    parse.RAW_SOURCE,
    "",  # report segments, .csv.gz or .csv
    WORLDWIDE_ONLY,
    importer=Importer(
        imports.SUFFIXES, parse.parse_downloads, imports.DOCUMENTED, span=imports.downloads_span
    ),
)


def _app_estimates(day: Day):
    return day.own(parse.parse_downloads(day.batch(ARCHIVE)), "app_store")


SOURCE = Source(
    name="app_store_connect_downloads",
    description="Your App Store Connect Analytics Reports, App Store Downloads (Standard or"
    " Detailed; imported): first-time downloads of your apps per territory and day.",
    archives=(ARCHIVE,),
    fetch=lambda config, date, client: live.imported_archive(config, ARCHIVE, date),
    render=None,  # the sample market has no analytics reports
    # After the sales reports (the same downloads, counted by Apple's sales system).
    feeds={"app_estimates": Feed(_app_estimates, precedence=1)},
    kinds=frozenset({"python", "tsv"}),
    own_figures=True,
)

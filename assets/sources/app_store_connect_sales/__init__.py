"""A user's own App Store Connect Summary Sales reports (daily), imported: first-time
downloads per app, country and day."""

from __future__ import annotations

from assets import live
from assets.sources.app_store_connect_sales import imports, parse
from assets.sources.importing import Importer
from assets.sources.source import Archive, Day, Feed, Source
from warehouse.datasets import WORLDWIDE_ONLY

ARCHIVE = Archive(
    parse.RAW_SOURCE,
    "",  # S_D_<vendor>_<yyyymmdd>.txt, gzipped or not
    WORLDWIDE_ONLY,
    importer=Importer(
        (".txt", ".txt.gz"), parse.parse_sales, imports.DOCUMENTED, span=imports.sales_span
    ),
)


def _app_estimates(day: Day):
    return day.own(parse.parse_sales(day.batch(ARCHIVE)), "app_store")


SOURCE = Source(
    name="app_store_connect_sales",
    description="Your App Store Connect Summary Sales reports (daily; imported): first-time"
    " downloads of your apps per country and day.",
    archives=(ARCHIVE,),
    fetch=lambda config, date, client: live.imported_archive(config, ARCHIVE, date),
    render=None,  # the sample market has no sales reports
    # A user's own figures: before any other source's.
    feeds={"app_estimates": Feed(_app_estimates, precedence=0)},
    kinds=frozenset({"python", "tsv"}),
    own_figures=True,
)

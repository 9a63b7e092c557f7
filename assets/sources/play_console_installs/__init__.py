"""Google Play Console installs reports (by country), the monthly CSVs of a
developer's Cloud Storage bucket: an app's first-time installs per day and country,
imported into app estimates."""

from __future__ import annotations

from assets import live
from assets.sources.importing import Importer
from assets.sources.play_console_installs import imports, parse
from assets.sources.source import Archive, Day, Feed, Source
from warehouse.datasets import WORLDWIDE_ONLY

# A report holds a month of days and every country: archived once, under its last day
# and country=ww, each other day holding a reference to it (assets/raw.py).
ARCHIVE = Archive(
    parse.RAW_SOURCE,
    "",
    WORLDWIDE_ONLY,
    importer=Importer("", parse.parse_installs, imports.DOCUMENTED, span=imports.installs_span),
)


def _app_estimates(day: Day):
    # The day's rows of the configured Play storefronts (Play's XK is none).
    return day.own(parse.parse_installs(day.batch(ARCHIVE)), "google_play")


SOURCE = Source(
    name=parse.RAW_SOURCE,
    description="Your Google Play Console installs reports by country"
    " (installs_<package>_<yyyyMM>_country.csv, imported): Daily User Installs per app,"
    " country and day.",
    archives=(ARCHIVE,),
    fetch=lambda config, date, client: live.imported_archive(config, ARCHIVE, date),
    render=None,  # the sample market has no Play Console
    # A developer's own figures: before any vendor's estimate.
    feeds={"app_estimates": Feed(_app_estimates, precedence=0)},
    kinds=frozenset({"python", "csv"}),
    own_figures=True,
)

"""Google Play charts as google-play-scraper lists them (the JSON array of a
collection call), imported per day and storefront: the same charts as
google_play_charts, in the scraper's shape."""

from __future__ import annotations

from assets import live
from assets.sources.google_play_scraper import imports, parse
from assets.sources.importing import Importer
from assets.sources.source import Archive, Day, Feed, Source

ARCHIVE = Archive(
    parse.RAW_SOURCE,
    ".json",
    importer=Importer(".json", parse.parse_scraper_list, imports.DOCUMENTED, imports.scraper_name),
)


def _chart_entries(day: Day):
    return parse.parse_scraper_list(day.batch(ARCHIVE))


SOURCE = Source(
    name=parse.RAW_SOURCE,
    description="Google Play top free, paid and grossing charts as google-play-scraper lists"
    " them (its JSON array, in chart order), imported per day and storefront.",
    archives=(ARCHIVE,),
    fetch=lambda config, date, client: live.imported(config, ARCHIVE.name, ".json", date, None),
    render=None,  # the sample market renders Play charts in google_play_charts' shape
    # After a file of Chartwatch's own shape (google_play_charts, precedence 0): where
    # both hold a chart, it comes whole from that file (chart_entries settles by chart),
    # never ranks of one and ranks of the other.
    feeds={"chart_entries": Feed(_chart_entries, precedence=1)},
)

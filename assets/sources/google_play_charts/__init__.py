"""Google Play top charts, imported as files of the Chartwatch chart JSON shape
(Google Play has no public chart API)."""

from __future__ import annotations

from assets import live
from assets.sources.google_play_charts import imports, parse, render
from assets.sources.importing import Importer
from assets.sources.source import Archive, Day, Feed, Source

ARCHIVE = Archive(
    parse.SOURCE,
    ".json",
    importer=Importer(
        ".json", parse.parse_google_play_charts, imports.DOCUMENTED, imports.google_play_name
    ),
)


def _chart_entries(day: Day):
    return parse.parse_google_play_charts(day.batch(ARCHIVE))


SOURCE = Source(
    name="google_play_charts",
    description="Google Play top free, paid and grossing charts (200 deep) in Chartwatch's"
    " import shape.",
    archives=(ARCHIVE,),
    fetch=lambda config, date, client: live.imported(config, ARCHIVE.name, ".json", date, None),
    render=lambda market, config, dates: render.google_play_responses(
        market, dates, config.countries_for("google_play")
    ),
    feeds={"chart_entries": Feed(_chart_entries)},
)

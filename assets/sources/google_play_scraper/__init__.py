"""Google Play charts as google-play-scraper lists them (the JSON array of a
collection call), imported per day and storefront: the same charts as
google_play_charts, in the scraper's shape."""

from __future__ import annotations

import polars as pl

from assets import live
from assets.raw import list_files
from assets.sources import google_play_charts
from assets.sources.google_play_scraper import imports, parse
from assets.sources.importing import Importer
from assets.sources.source import Archive, Day, Feed, Source

ARCHIVE = Archive(
    parse.RAW_SOURCE,
    ".json",
    importer=Importer(".json", parse.parse_scraper_list, imports.DOCUMENTED, imports.scraper_name),
)


def _chart_entries(day: Day) -> pl.DataFrame:
    """The day's charts, but for those google_play_charts holds too (a file in
    Chartwatch's own shape, with its own ranks, wins): a chart comes whole from one
    file, never ranks of one and ranks of the other. (The feed's precedence settles
    single rows; this settles whole charts.)"""
    held = [
        {"country": country, "item": path.name.removesuffix(".json")}
        for _, country, path in list_files(
            day.raw_dir, google_play_charts.ARCHIVE.name, [day.date], ".json", day.countries(None)
        )
    ]
    batch = day.batch(ARCHIVE)
    if held:
        charts = pl.DataFrame(held, schema={"country": pl.String, "item": pl.String})
        batch = batch.join(charts, on=["country", "item"], how="anti", maintain_order="left")
    return parse.parse_scraper_list(batch)


SOURCE = Source(
    name=parse.RAW_SOURCE,
    description="Google Play top free, paid and grossing charts as google-play-scraper lists"
    " them (its JSON array, in chart order), imported per day and storefront.",
    archives=(ARCHIVE,),
    fetch=lambda config, date, client: live.imported(config, ARCHIVE.name, ".json", date, None),
    render=None,  # the sample market renders Play charts in google_play_charts' shape
    # After a file of Chartwatch's own shape (google_play_charts, precedence 0).
    feeds={"chart_entries": Feed(_chart_entries, precedence=1)},
)

"""iTunes Lookup API: App Store metadata (name, seller, genre, price, ratings) of the
apps of the day's charts."""

from __future__ import annotations

from assets.sources.itunes_lookup import fetch, parse, render
from assets.sources.source import Archive, Day, Feed, Source
from warehouse.datasets import APP_STORE_ONLY

ARCHIVE = Archive(parse.SOURCE, ".json", APP_STORE_ONLY)


def _app_metadata(day: Day):
    return parse.parse_lookup(day.batch(ARCHIVE))


def _render(market, config, dates):
    for date in dates:
        yield from render.lookup_responses_for_plan(
            market, date, fetch.lookup_plan_of_day(config, date)
        )


SOURCE = Source(
    name="itunes_lookup",
    description="App Store listings (name, developer, bundle id, genre, price, ratings) from"
    " the iTunes Lookup API, for the apps of the day's charts: each app once a day, in the US"
    " storefront when it charts there, 100 ids per call.",
    archives=(ARCHIVE,),
    fetch=fetch.fetch_day,
    render=_render,
    feeds={"app_metadata": Feed(_app_metadata)},
    reads=fetch.CHART_SOURCES,
)

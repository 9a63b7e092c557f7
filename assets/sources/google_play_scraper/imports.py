"""Import rules of google-play-scraper lists: the items say nothing of their chart,
day or storefront, so the file's name says the chart (as google_play_charts names
them) and DATE and COUNTRY say the rest."""

from __future__ import annotations

import datetime as dt
import re

from assets.sources.google_play_charts.parse import ALL_GENRES, PLAY_CHARTS
from assets.sources.google_play_scraper.parse import ITEM_NAME, RAW_SOURCE
from assets.sources.importing import import_problem

DOCUMENTED = (
    "topselling_free.json, topselling_paid.json or topgrossing.json"
    " (<collection>__<CATEGORY>.json for a genre, e.g. topselling_free__GAME_ACTION.json)"
)


def scraper_name(date: dt.date, country: str, name: str, body: bytes) -> str:
    """The chart the file's name gives; ``<collection>__APPLICATION`` (every genre)
    is archived as ``<collection>.json``, as google_play_charts names it."""
    named = re.match(ITEM_NAME, name.removesuffix(".json"))
    if not named or named["collection"] not in PLAY_CHARTS:
        raise import_problem(
            RAW_SOURCE,
            date,
            country,
            name,
            "a google-play-scraper list does not say which chart it is: name the file for"
            f" the collection it lists, {DOCUMENTED}",
        )
    if named["category"] in (None, ALL_GENRES):
        return f"{named['collection']}.json"
    return f"{named['collection']}__{named['category']}.json"

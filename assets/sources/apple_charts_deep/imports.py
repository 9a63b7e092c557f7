"""Import rules of Apple's 200-deep charts: the body (``{"resultIds": [...]}``) says no
chart, storefront or day, so the file's name says the chart and DATE and COUNTRY say
the rest; only the name is checked against them (the parser checks the body)."""

from __future__ import annotations

import datetime as dt
import re

from assets.sources.apple_charts_deep.parse import ITEM_NAME, OVERALL_GENRE, RAW_SOURCE
from assets.sources.importing import import_problem

DOCUMENTED = (
    "FreeApplications.json, PaidApplications.json or AppsByRevenue.json"
    " (<name>__genre-<id>.json for a genre's chart, e.g. AppsByRevenue__genre-6014.json)"
)


def charts_name(date: dt.date, country: str, name: str, body: bytes) -> str:
    """The chart the file's name gives; ``<name>__genre-36`` (the App Store's root
    genre) is the overall chart, archived as ``<name>.json``."""
    named = re.match(ITEM_NAME, name.removesuffix(".json"))
    if not named:
        raise import_problem(
            RAW_SOURCE,
            date,
            country,
            name,
            "an answer of the iTunes charts endpoint does not say which chart it is: name"
            f" the file for the chart asked (its name= and g= parameters), {DOCUMENTED}",
        )
    if named["genre"] in (None, OVERALL_GENRE):
        return f"{named['name']}.json"
    return f"{named['name']}__genre-{named['genre']}.json"

"""Import rules of Google Play charts: the file's name, or its collection and
category, say which chart it is."""

from __future__ import annotations

import datetime as dt

from assets.sources.google_play_charts.parse import ALL_GENRES, PLAY_CHARTS
from assets.sources.importing import chosen_item, document

DOCUMENTED = (
    "topselling_free.json, topselling_paid.json or topgrossing.json"
    " (<collection>__<CATEGORY>.json for a genre)"
)


def google_play_name(date: dt.date, country: str, name: str, body: bytes) -> str:
    source = "google_play"
    chart = document(body, source, date, country, name)
    collection, category = chart.get("collection"), chart.get("category")
    from_content = None
    if collection in PLAY_CHARTS and isinstance(category, str):
        suffix = "" if category == ALL_GENRES else f"__{category}"
        from_content = f"{collection}{suffix}.json"
    stem = name.removesuffix(".json")
    documented = stem.split("__", 1)[0] in PLAY_CHARTS
    return chosen_item(
        source, date, country, name, name if documented else None, from_content, DOCUMENTED
    )

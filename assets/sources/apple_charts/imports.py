"""Import rules of Apple's chart feeds: a file's name, or failing that its own URL,
says which chart it is; its storefront and ``updated`` day must agree with the
COUNTRY and DATE it is imported under."""

from __future__ import annotations

import datetime as dt
import re

from assets.sources.apple_charts.parse import (
    CURRENT_RSS,
    CURRENT_RSS_CHARTS,
    LEGACY_FEED_NAME,
    LEGACY_RSS,
)
from assets.sources.importing import check_country, check_updated, chosen_item, document

CURRENT_DOCUMENTED = "top-free.json or top-paid.json"
LEGACY_DOCUMENTED = (
    "<feed>.json, e.g. topgrossingapplications.json or topfreeipadapplications__genre-6014.json"
)

_CURRENT_URL = re.compile(r"/api/v2/(?P<cc>[a-z]{2})/apps/(?P<chart>top-free|top-paid)/")


def current_rss_name(date: dt.date, country: str, name: str, body: bytes) -> str:
    source = CURRENT_RSS
    feed = document(body, source, date, country, name).get("feed") or {}
    check_country(source, date, country, name, feed.get("country"), "the feed's country")
    check_updated(source, date, country, name, feed.get("updated"))
    urls = [feed.get("id")] + [
        link.get("self") for link in feed.get("links") or [] if isinstance(link, dict)
    ]
    found = next((m for u in urls if isinstance(u, str) and (m := _CURRENT_URL.search(u))), None)
    if found:
        check_country(source, date, country, name, found["cc"], "the feed's URL")
    allowed = name if name.removesuffix(".json") in CURRENT_RSS_CHARTS else None
    return chosen_item(
        source,
        date,
        country,
        name,
        allowed,
        f"{found['chart']}.json" if found else None,
        CURRENT_DOCUMENTED,
    )


_LEGACY_URL = re.compile(r"itunes\.apple\.com/(?P<cc>[a-z]{2})/rss/(?P<feed>[a-z]+)/")
_LEGACY_GENRE = re.compile(r"/genre=(?P<genre>\d+)/")


def legacy_rss_name(date: dt.date, country: str, name: str, body: bytes) -> str:
    source = LEGACY_RSS
    feed = document(body, source, date, country, name).get("feed") or {}
    updated = (feed.get("updated") or {}).get("label") if isinstance(feed, dict) else None
    check_updated(source, date, country, name, updated)
    url = (feed.get("id") or {}).get("label") if isinstance(feed, dict) else None
    found = _LEGACY_URL.search(url) if isinstance(url, str) else None
    from_content = None
    if found:
        check_country(source, date, country, name, found["cc"], "the feed's own URL")
        genre = _LEGACY_GENRE.search(url)
        item = found["feed"] + (f"__genre-{genre['genre']}" if genre else "")
        from_content = f"{item}.json" if re.fullmatch(LEGACY_FEED_NAME, item) else None
    allowed = name if re.fullmatch(LEGACY_FEED_NAME, name.removesuffix(".json")) else None
    return chosen_item(source, date, country, name, allowed, from_content, LEGACY_DOCUMENTED)

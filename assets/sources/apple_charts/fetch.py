"""Apple's public chart feeds, live: what to request for a storefront and day,
and the check a fetched body must pass before it is archived.

- Current RSS generator: top free and top paid iPhone apps, 100 deep, archived
  as ``apple_rss/.../top-free.json`` and ``top-paid.json``.
- Legacy iTunes RSS: the feeds of CHARTWATCH_LEGACY_FEEDS (by default top
  grossing iPhone and the iPad charts), 200 deep, archived as ``itunes_rss/.../
  <feed>.json``; with CHARTWATCH_GENRES, the iPhone top free, paid and grossing
  charts of each genre too, as ``<feed>__genre-<id>.json``.

Neither feed has history: it is a snapshot of the charts now, so only today's
charts can be fetched (see ``assets/live.py``).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from assets.fetching import Request
from assets.raw import RawFileError, RawResponse, response_batch
from assets.sources.apple_charts.parse import (
    CURRENT_RSS_CHARTS,
    parse_current_rss,
    parse_legacy_rss,
)

CURRENT_LIMIT = 100  # the generator refuses more
LEGACY_LIMIT = 200
GENRE_FEEDS = ("topfreeapplications", "toppaidapplications", "topgrossingapplications")


def chart_requests(
    apple_rss_url: str,
    itunes_url: str,
    date: dt.date,
    countries: list[str],
    legacy_feeds: list[str],
    genres: list[str],
) -> list[Request]:
    """Every chart request of a day, storefront by storefront."""
    requests = []
    for country in countries:
        for item in CURRENT_RSS_CHARTS:
            requests.append(
                Request(
                    "apple_rss",
                    date,
                    country,
                    f"{item}.json",
                    f"{apple_rss_url.rstrip('/')}/api/v2/{country}/apps/{item}/{CURRENT_LIMIT}/apps.json",
                    f"{item} chart",
                )
            )
        feeds = [(feed, None) for feed in legacy_feeds]
        feeds += [(feed, genre) for genre in genres for feed in GENRE_FEEDS]
        for feed, genre in feeds:
            path = f"limit={LEGACY_LIMIT}" + (f"/genre={genre}" if genre else "")
            item = feed + (f"__genre-{genre}" if genre else "")
            requests.append(
                Request(
                    "itunes_rss",
                    date,
                    country,
                    f"{item}.json",
                    f"{itunes_url.rstrip('/')}/{country}/rss/{feed}/{path}/json",
                    f"{item} chart",
                )
            )
    return requests


def validate_chart(response: RawResponse) -> None:
    """Raise RawFileError unless the body is a complete chart of the storefront asked."""
    parse = parse_current_rss if response.source == "apple_rss" else parse_legacy_rss
    entries = parse(response_batch(response))
    if response.source == "apple_rss":
        # The generator answers an unknown storefront with another storefront's chart.
        feed_country = (
            pl.DataFrame({"body": [response.body.decode()]})
            .select(
                pl.col("body")
                .str.json_path_match("$.feed.country")
                .str.to_lowercase()
                .alias("country")
            )
            .item()
        )
        if feed_country and feed_country != response.country:
            raise _problem(
                response,
                f"the feed is the chart of storefront '{feed_country}', not '{response.country}'"
                " (an unknown or closed storefront?)",
            )
    if entries.is_empty():
        raise _problem(response, "empty chart: no entries")


def _problem(response: RawResponse, problem: str) -> RawFileError:
    return RawFileError(
        source=response.source,
        date=response.date,
        country=response.country,
        path=response.item,
        problem=problem,
    )

"""Apple's public chart feeds, live: what to request for a storefront and day,
and the check a fetched body must pass before it is archived.

- Current RSS generator: top free and top paid iPhone apps, 100 deep, archived
  as ``apple_rss/.../top-free.json`` and ``top-paid.json``.
- Legacy iTunes RSS: the feeds of CHARTWATCH_LEGACY_FEEDS (by default top
  grossing iPhone and the iPad charts), archived as ``itunes_rss/.../<feed>.json``;
  with CHARTWATCH_GENRES, the iPhone top free, paid and grossing charts of each
  genre too, as ``<feed>__genre-<id>.json``. It has served at most 100 entries since
  about September 2021, whatever limit is asked (app-store-scraper issues #165 and
  #206), so 100 are asked.

A chart that answers 403 or 404 (genre feeds were reported to answer 403 in 2026)
is recorded as unavailable for the day and storefront (``<item>.unavailable`` in the
archive, then ``chart_coverage``), not a failure.

Neither feed has history: it is a snapshot of the charts now, so only today's
charts can be fetched (see ``assets/live.py``); a past day is read from the archive,
and says which of the configured charts it lacks.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from assets.http import HttpClient
    from assets.resources import ChartwatchConfig

from assets import live
from assets.fetching import Failure, FetchReport, Request, fetch_and_archive, from_archive
from assets.raw import RawFileError, RawResponse, response_batch
from assets.sources.apple_charts.parse import (
    CURRENT_RSS,
    CURRENT_RSS_CHARTS,
    LEGACY_RSS,
    parse_current_rss,
    parse_legacy_rss,
)

CURRENT_LIMIT = 100  # the generator refuses more
LEGACY_LIMIT = 100  # what the legacy feed serves at most since 2021, whatever is asked
# Statuses that mean Apple does not serve the chart (a retired genre feed): recorded.
UNAVAILABLE_STATUSES = frozenset({403, 404})
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
                    CURRENT_RSS,
                    date,
                    country,
                    f"{item}.json",
                    f"{apple_rss_url.rstrip('/')}/api/v2/{country}/apps/{item}/{CURRENT_LIMIT}/apps.json",
                    f"{item} chart",
                    unavailable_statuses=UNAVAILABLE_STATUSES,
                )
            )
        feeds = [(feed, None) for feed in legacy_feeds]
        feeds += [(feed, genre) for genre in genres for feed in GENRE_FEEDS]
        for feed, genre in feeds:
            path = f"limit={LEGACY_LIMIT}" + (f"/genre={genre}" if genre else "")
            item = feed + (f"__genre-{genre}" if genre else "")
            requests.append(
                Request(
                    LEGACY_RSS,
                    date,
                    country,
                    f"{item}.json",
                    f"{itunes_url.rstrip('/')}/{country}/rss/{feed}/{path}/json",
                    f"{item} chart",
                    unavailable_statuses=UNAVAILABLE_STATUSES,
                )
            )
    return requests


def validate_chart(response: RawResponse) -> None:
    """Raise RawFileError unless the body is a complete chart of the storefront asked."""
    parse = parse_current_rss if response.source == CURRENT_RSS else parse_legacy_rss
    entries = parse(response_batch(response))
    if response.source == CURRENT_RSS:
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


def fetch_day(config: ChartwatchConfig, date: dt.date, client: HttpClient) -> FetchReport:
    """Today's charts are fetched; a past day is found in the archive or reported lost."""
    countries = list(config.countries_for("app_store"))
    requests = chart_requests(
        config.apple_rss_url,
        config.itunes_url,
        date,
        countries,
        config.legacy_feed_list,
        config.genre_list,
    )
    if date > live.today():
        raise ValueError(
            f"{date} is in the future (today is {live.today()} UTC): Apple's charts for it do not exist yet"
        )
    if date == live.today():
        return fetch_and_archive(
            client, requests, config.raw_dir, config.quarantine_dir, validate_chart
        )
    return _from_archive_only(config, date, requests)


def _from_archive_only(
    config: ChartwatchConfig, date: dt.date, requests: list[Request]
) -> FetchReport:
    """A past day of a source without history: what the archive holds of each
    configured chart, and what it lacks. A storefront with none of its charts is lost
    (a failure saying how to import it); one with some is reported with the charts it
    lacks (``lacking``), which stay absent from chart_coverage."""
    report, lost = from_archive(config.raw_dir, requests)
    for country in lost:
        first = next(r for r in requests if r.country == country)
        report.failures.append(
            Failure(
                first,
                f"Apple's chart feeds have no history: the archive holds no chart of {date} for"
                f" this storefront, and it can only be fetched on the day itself ({date}"
                f" UTC). To fill it, import an archive: make import SOURCE=apple_rss"
                f' DATE={date} COUNTRY={country} FILES="top-free.json top-paid.json", and'
                " SOURCE=itunes_rss for the legacy feeds (docs/raw-formats.md), then"
                " materialise the day again",
            )
        )
    return report

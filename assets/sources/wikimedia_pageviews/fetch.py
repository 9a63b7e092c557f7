"""Wikimedia pageviews, live: one request per tracked article and day.

The Pageviews API has history since mid-2015, so any past day can be fetched
(a backfill simply asks for each day of its range). A day's views are published
after the day ends: days from today on are left for a later run. The API answers
404 when an article had no views that day (or is not in the edition yet); that is
"no data", not a failure, and nothing is archived.

Requests ask for human readers (``agent=user``) on every platform, one day at a
time, so each archived file is the complete answer for its day and a failed run
refetches only the days it lacks.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from urllib.parse import quote

from assets import live
from assets.fetching import FetchReport, Request, fetch_and_archive
from assets.raw import RawResponse, response_batch
from assets.sources.wikimedia_pageviews.parse import WORLDWIDE, articles_frame, parse_pageviews
from warehouse.products import Article, read_products

if TYPE_CHECKING:
    from assets.http import HttpClient
    from assets.resources import ChartwatchConfig

NO_VIEWS = frozenset({404})


def pageview_item(project: str, article: str) -> str:
    """The archived file name of an article's pageviews (as the sample market writes it)."""
    return f"{project}__{quote(article, safe='')}.json"


def pageview_requests(wikimedia_url: str, date: dt.date, articles: list[Article]) -> list[Request]:
    day = date.strftime("%Y%m%d")
    base = wikimedia_url.rstrip("/")
    return [
        Request(
            "wikimedia",
            date,
            WORLDWIDE,
            pageview_item(a.project, a.article),
            f"{base}/metrics/pageviews/per-article/{a.project}/all-access/user/"
            f"{quote(a.article, safe='')}/daily/{day}/{day}",
            f"pageviews of {a.project}/{a.article}",
            empty_statuses=NO_VIEWS,
        )
        for a in articles
    ]


def pageview_validator(articles: list[Article]):
    """A check for fetched pageviews: they parse, and are the article and day asked."""
    frame = articles_frame(articles)

    def validate(response: RawResponse) -> None:
        parse_pageviews(response_batch(response), frame)

    return validate


def fetch_day(config: ChartwatchConfig, date: dt.date, client: HttpClient) -> FetchReport:
    """Any past day is fetched; today's views are not published yet."""
    articles = read_products(config.products_path).articles
    requests = pageview_requests(config.wikimedia_url, date, articles)
    if date >= live.today():
        # Not published yet: nothing fails, the day is fetched by a later run.
        return FetchReport(empty=requests)
    return fetch_and_archive(
        client, requests, config.raw_dir, config.quarantine_dir, pageview_validator(articles)
    )

"""Wikimedia per-article daily pageviews, the free measure of search interest."""

from __future__ import annotations

import datetime as dt

from assets.sources.source import Archive, Day, Feed, Source
from assets.sources.wikimedia_pageviews import fetch, parse, render
from warehouse.datasets import WORLDWIDE_ONLY
from warehouse.products import read_products


def _day_mark(date: dt.date) -> bytes:
    return f'"timestamp":"{date:%Y%m%d}00"'.encode()


ARCHIVE = Archive(parse.SOURCE, ".json", WORLDWIDE_ONLY, day_mark=_day_mark)


def _search_interest(day: Day):
    return parse.parse_pageviews(day.batch(ARCHIVE), parse.articles_frame(day.products.articles))


def _render(market, config, dates):
    articles = read_products(config.products_path).articles
    return render.pageview_responses(
        market, dates, [(a.product, a.project, a.article) for a in articles]
    )


SOURCE = Source(
    name="wikimedia_pageviews",
    description="Daily Wikipedia pageviews of each tracked product's articles (products.toml).",
    archives=(ARCHIVE,),
    fetch=fetch.fetch_day,
    render=_render,
    feeds={"search_interest": Feed(_search_interest)},
)

"""The sample market's Wikimedia per-article daily pageviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from urllib.parse import quote

import numpy as np
import polars as pl

from assets.raw import RawResponse
from assets.sample_market.encode import dumps
from assets.sample_market.simulate import SampleMarket

# Pageviews: each product's article has a steady audience per language edition, and
# news of a surge in downloads sends readers to it.
BASE_VIEWS = {
    "chatgpt": 60000,
    "gemini": 9000,
    "claude": 6000,
    "perplexity": 5000,
    "copilot": 5000,
    "deepseek": 1500,
    "threads": 8000,
    "bluesky": 10000,
    "temu": 7000,
}
LANGUAGE_REACH = {"en": 1.0, "zh": 0.12, "ar": 0.04, "es": 0.18, "de": 0.15, "fr": 0.12, "ja": 0.14}
READERS_PER_NEW_DOWNLOAD = 0.9


def pageview_responses(
    market: SampleMarket, dates: Iterable[dt.date], articles: Iterable[tuple[str, str, str]]
) -> Iterator[RawResponse]:
    """Wikimedia per-article daily pageviews for (product, project, article) triples."""
    dates = list(dates)
    for product, project, article in articles:
        by_date = daily_views(market, product, project, article)
        for date in market.dates:
            if date not in dates:
                continue
            views = by_date[date]
            items = (
                []
                if views <= 0
                else [
                    {
                        "project": project,
                        "article": article,
                        "granularity": "daily",
                        "timestamp": date.strftime("%Y%m%d00"),
                        "access": "all-access",
                        "agent": "user",
                        "views": views,
                    }
                ]
            )
            yield RawResponse(
                "wikimedia",
                date,
                "ww",
                f"{project}__{quote(article, safe='')}.json",
                dumps({"items": items}),
            )


def daily_views(
    market: SampleMarket, product: str, project: str, article: str
) -> dict[dt.date, int]:
    """An article's views (human readers, every platform) on each day of the sample
    window: the steady audience of its edition, and readers sent by a surge."""
    series = market.worldwide_downloads.filter(pl.col("key") == product)
    by_date = dict(zip(series["date"], series["downloads"], strict=True))
    baseline = float(np.median(series["downloads"].head(7).to_numpy())) if len(series) else 0.0
    reach = LANGUAGE_REACH.get(project.split(".")[0], 0.1)
    # One generator per article, seeded from its name, keeps every file stable
    # whatever subset of dates or articles is rendered.
    rng = np.random.default_rng(list(f"{project}/{article}".encode()))
    noise = rng.lognormal(0.0, 0.05, size=len(market.dates))
    views = {}
    for t, date in enumerate(market.dates):
        # Drift of an established app is not news; a surge well above its usual level is.
        surge = max(0.0, by_date.get(date, 0.0) - 1.3 * baseline)
        weekday = 0.9 if date.weekday() >= 5 else 1.0
        views[date] = round(
            (BASE_VIEWS.get(product, 1000) * weekday + READERS_PER_NEW_DOWNLOAD * surge)
            * reach
            * noise[t]
        )
    return views

"""Serialise the simulated market exactly as the real sources answer: Apple's
RSS JSON (current generation for top free and paid, legacy iTunes RSS for top
grossing), the Google Play chart JSON, Wikimedia pageviews and the vendor
estimates CSV (formats in docs/raw-formats.md).

Entries are encoded as whole columns with Polars (one JSON object per row, then
joined per file); Python only loops over files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from urllib.parse import quote

import numpy as np
import polars as pl

from assets.raw import RawResponse
from assets.sample_market.catalog import GENRES
from assets.sample_market.simulate import SampleMarket

CURRENT_RSS_ITEMS = {"top_free": "top-free", "top_paid": "top-paid"}
LEGACY_RSS_ITEMS = {"top_grossing": "topgrossingapplications"}
PLAY_COLLECTIONS = {
    "top_free": "topselling_free",
    "top_paid": "topselling_paid",
    "top_grossing": "topgrossing",
}
_CURRENT_TITLES = {"top_free": "Top Free Apps", "top_paid": "Top Paid Apps"}
_RFC1123 = "%a, %d %b %Y %H:%M:%S +0000"


def _slug(name: pl.Expr) -> pl.Expr:
    return name.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "-").str.strip_chars("-")


def _chart_rows(
    market: SampleMarket, store: str, charts: Iterable[str], dates, countries
) -> pl.DataFrame:
    return (
        market.charts_on(list(dates))
        .lazy()
        .filter(
            pl.col("store") == store,
            pl.col("chart").is_in(list(charts)),
            pl.col("country").is_in(list(countries)),
        )
        .join(market.apps.lazy(), on="app_idx")
        .sort("date", "country", "chart", "rank")
        .collect()
    )


def _files(frame: pl.DataFrame, entry: pl.Expr, header: pl.Expr, footer: str) -> pl.DataFrame:
    """Join the per-entry JSON of each (date, country, chart) into one document."""
    return (
        frame.with_columns(entry=entry, header=header)
        .group_by("date", "country", "chart", maintain_order=True)
        .agg(pl.col("header").first(), pl.col("entry").str.join(","))
        .with_columns(body=pl.concat_str("header", "entry", pl.lit(footer)))
    )


def apple_chart_responses(
    market: SampleMarket, dates: Iterable[dt.date], countries: Iterable[str]
) -> Iterator[RawResponse]:
    """Top free and paid from the current RSS, top grossing from the legacy RSS."""
    dates, countries = list(dates), list(countries)
    current = _chart_rows(market, "app_store", CURRENT_RSS_ITEMS, dates, countries)
    app_url = pl.format(
        "https://apps.apple.com/{}/app/{}/id{}", "country", _slug(pl.col("name")), "app_store_id"
    )
    entry = pl.struct(
        artistName="developer",
        id="app_store_id",
        name="name",
        releaseDate=pl.col("release").dt.strftime("%Y-%m-%d"),
        kind=pl.lit("apps"),
        artworkUrl100=pl.format(
            "https://is1-ssl.mzstatic.com/image/thumb/Purple/{}/AppIcon-0-1x_U007emarketing.png/100x100bb.png",
            "app_store_id",
        ),
        genres=pl.lit([]),
        url=app_url,
    ).struct.json_encode()
    feed_url = pl.format(
        "https://rss.applemarketingtools.com/api/v2/{}/apps/{}/100/apps.json",
        "country",
        pl.col("chart").replace(CURRENT_RSS_ITEMS),
    )
    header = pl.concat_str(
        pl.lit('{"feed":{"title":'),
        pl.col("chart").replace(_CURRENT_TITLES).map_batches(_json_strings, return_dtype=pl.String),
        pl.lit(',"id":'),
        feed_url.map_batches(_json_strings, return_dtype=pl.String),
        pl.lit(',"author":{"name":"Apple","url":"https://www.apple.com/"},"links":[{"self":'),
        feed_url.map_batches(_json_strings, return_dtype=pl.String),
        pl.lit('}],"copyright":"Copyright © 2025 Apple Inc. All rights reserved.","country":"'),
        pl.col("country"),
        pl.lit('","icon":"https://www.apple.com/favicon.ico","updated":"'),
        (pl.col("date").cast(pl.Datetime) + pl.duration(hours=6)).dt.strftime(_RFC1123),
        pl.lit('","results":['),
    )
    for row in _files(current, entry, header, "]}}").iter_rows(named=True):
        yield RawResponse(
            "apple_rss",
            row["date"],
            row["country"],
            f"{CURRENT_RSS_ITEMS[row['chart']]}.json",
            row["body"].encode(),
        )

    legacy = _chart_rows(market, "app_store", LEGACY_RSS_ITEMS, dates, countries).with_columns(
        genre_name=pl.col("genre_id").replace(GENRES)
    )
    label = lambda expr: pl.struct(label=expr)  # noqa: E731
    legacy_entry = pl.struct(
        label(pl.col("name")).alias("im:name"),
        pl.concat_list(
            pl.struct(
                label=pl.format(
                    "https://is1-ssl.mzstatic.com/image/thumb/Purple/{}/53x53bb.png", "app_store_id"
                ),
                attributes=pl.struct(height=pl.lit("53")),
            )
        ).alias("im:image"),
        summary=label(pl.format("{} by {}.", "name", "developer")),
        **{
            "im:price": pl.struct(
                label=pl.when(pl.col("price") > 0)
                .then(pl.format("${}", pl.col("price").round(2).cast(pl.String)))
                .otherwise(pl.lit("Get")),
                attributes=pl.struct(
                    amount=pl.col("price").round(5).cast(pl.String), currency=pl.lit("USD")
                ),
            ),
            "im:contentType": pl.struct(
                attributes=pl.struct(term=pl.lit("Application"), label=pl.lit("Application"))
            ),
        },
        rights=label(pl.format("© {}", "developer")),
        title=label(pl.format("{} - {}", "name", "developer")),
        link=pl.struct(
            attributes=pl.struct(
                rel=pl.lit("alternate"),
                type=pl.lit("text/html"),
                href=pl.format(
                    "https://apps.apple.com/{}/app/{}/id{}?uo=2",
                    "country",
                    _slug(pl.col("name")),
                    "app_store_id",
                ),
            )
        ),
        id=pl.struct(
            label=pl.format(
                "https://apps.apple.com/{}/app/{}/id{}?uo=2",
                "country",
                _slug(pl.col("name")),
                "app_store_id",
            ),
            attributes=pl.struct(
                pl.col("app_store_id").alias("im:id"),
                pl.format("com.{}", _slug(pl.col("developer")).str.replace_all("-", "")).alias(
                    "im:bundleId"
                ),
            ),
        ),
        **{
            "im:artist": pl.struct(
                label=pl.col("developer"),
                attributes=pl.struct(
                    href=pl.format(
                        "https://apps.apple.com/{}/developer/{}/id1",
                        "country",
                        _slug(pl.col("developer")),
                    )
                ),
            ),
            "category": pl.struct(
                attributes=pl.struct(
                    pl.col("genre_id").alias("im:id"),
                    term="genre_name",
                    scheme=pl.format(
                        "https://apps.apple.com/{}/genre/id{}?uo=2", "country", "genre_id"
                    ),
                    label="genre_name",
                )
            ),
            "im:releaseDate": pl.struct(
                label=pl.col("release").dt.strftime("%Y-%m-%dT00:00:00-07:00"),
                attributes=pl.struct(label=pl.col("release").dt.strftime("%B %-d, %Y")),
            ),
        },
    ).struct.json_encode()
    legacy_header = pl.concat_str(
        pl.lit(
            '{"feed":{"author":{"name":{"label":"iTunes Store"},"uri":{"label":"http://www.apple.com/itunes/"}},"entry":['
        )
    )
    footer_tail = '],"updated":{"label":"%s"},"rights":{"label":"Copyright 2008 Apple Inc."},"title":{"label":"iTunes Store: Top Grossing Applications"},"icon":{"label":"http://itunes.apple.com/favicon.ico"},"link":[],"id":{"label":"https://itunes.apple.com/%s/rss/topgrossingapplications/limit=200/json"}}}'
    for row in _files(legacy, legacy_entry, legacy_header, "").iter_rows(named=True):
        updated = f"{row['date'].isoformat()}T06:00:00-07:00"
        body = row["body"] + footer_tail % (updated, row["country"])
        yield RawResponse(
            "itunes_rss",
            row["date"],
            row["country"],
            f"{LEGACY_RSS_ITEMS[row['chart']]}.json",
            body.encode(),
        )


def _json_strings(series: pl.Series) -> pl.Series:
    """JSON string literals of a whole column (quotes and escapes)."""
    return (
        pl.DataFrame({"v": series})
        .select(pl.struct("v").struct.json_encode().str.slice(5).str.strip_suffix("}"))
        .to_series()
    )


def google_play_responses(
    market: SampleMarket, dates: Iterable[dt.date], countries: Iterable[str]
) -> Iterator[RawResponse]:
    rows = _chart_rows(market, "google_play", PLAY_COLLECTIONS, dates, countries)
    entry = pl.struct(
        rank="rank",
        package_name="play_id",
        title="name",
        developer="developer",
        price_micros=(pl.col("price") * 1_000_000).round().cast(pl.Int64),
        currency=pl.lit("USD"),
    ).struct.json_encode()
    header = pl.concat_str(
        pl.lit('{"store":"google_play","country":"'),
        "country",
        pl.lit('","collection":"'),
        pl.col("chart").replace(PLAY_COLLECTIONS),
        pl.lit('","category":"APPLICATION","date":"'),
        pl.col("date").cast(pl.String),
        pl.lit('","captured_at":"'),
        pl.col("date").cast(pl.String),
        pl.lit('T06:00:00Z","results":['),
    )
    for row in _files(rows, entry, header, "]}").iter_rows(named=True):
        yield RawResponse(
            "google_play",
            row["date"],
            row["country"],
            f"{PLAY_COLLECTIONS[row['chart']]}.json",
            row["body"].encode(),
        )


ESTIMATES_HEADER = "date,country,store,app_id,app_name,downloads,dau"


def estimate_responses(
    market: SampleMarket, dates: Iterable[dt.date], countries: Iterable[str]
) -> Iterator[RawResponse]:
    """The vendor export: daily downloads and DAU per app, one CSV per day and country."""
    rows = (
        market.demand_on(list(dates))
        .lazy()
        .filter(pl.col("country").is_in(list(countries)))
        .with_columns(
            downloads=pl.col("downloads").round().cast(pl.Int64),
            dau=pl.col("dau").round().cast(pl.Int64),
        )
        .filter((pl.col("downloads") > 0) | (pl.col("dau") > 0))
        .join(market.apps.lazy(), on="app_idx")
        .with_columns(
            app_id=pl.when(pl.col("store") == "app_store")
            .then("app_store_id")
            .otherwise("play_id"),
            app_name="name",
        )
        .sort(
            "date",
            "country",
            "store",
            "downloads",
            "app_id",
            descending=[False, False, False, True, False],
        )
        .collect()
    )
    for (date, country), part in rows.group_by("date", "country", maintain_order=True):
        body = part.select(ESTIMATES_HEADER.split(",")).write_csv(
            include_header=True, date_format="%Y-%m-%d"
        )
        yield RawResponse("vendor_estimates", date, country, "estimates.csv", body.encode())


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
    worldwide = market.worldwide_downloads
    for product, project, article in articles:
        series = worldwide.filter(pl.col("key") == product)
        by_date = dict(zip(series["date"], series["downloads"], strict=True))
        baseline = float(np.median(series["downloads"].head(7).to_numpy())) if len(series) else 0.0
        reach = LANGUAGE_REACH.get(project.split(".")[0], 0.1)
        # One generator per article, seeded from its name, keeps every file stable
        # whatever subset of dates or articles is rendered.
        rng = np.random.default_rng(list(f"{project}/{article}".encode()))
        noise = rng.lognormal(0.0, 0.05, size=len(market.dates))
        for t, date in enumerate(market.dates):
            if date not in dates:
                continue
            # Drift of an established app is not news; a surge well above its usual level is.
            surge = max(0.0, by_date.get(date, 0.0) - 1.3 * baseline)
            weekday = 0.9 if date.weekday() >= 5 else 1.0
            views = round(

                    (BASE_VIEWS.get(product, 1000) * weekday + READERS_PER_NEW_DOWNLOAD * surge)
                    * reach
                    * noise[t]

            )
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
                _dumps({"items": items}),
            )


def _dumps(document: object) -> bytes:
    import json

    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


__all__ = [
    "apple_chart_responses",
    "estimate_responses",
    "google_play_responses",
    "pageview_responses",
]

"""The sample market's App Store charts, as Apple's feeds answer: top free and paid
from the current RSS generator, top grossing from the legacy iTunes RSS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import polars as pl

from assets.raw import RawResponse
from assets.sample_market.catalog import GENRES
from assets.sample_market.encode import (
    COUNTRY_MARK,
    RFC1123,
    app_entries,
    chart_files,
    chart_rows,
    json_value,
    slug,
)
from assets.sample_market.simulate import CHART_DEPTH, SampleMarket
from assets.sources.apple_charts.parse import CURRENT_RSS, LEGACY_RSS

CURRENT_RSS_ITEMS = {"top_free": "top-free", "top_paid": "top-paid"}
# The feed's own URL names the depth it was asked for.
LEGACY_DEPTH = CHART_DEPTH[("app_store", "top_grossing")]
LEGACY_RSS_ITEMS = {"top_grossing": "topgrossingapplications"}
_CURRENT_TITLES = {"top_free": "Top Free Apps", "top_paid": "Top Paid Apps"}


def apple_chart_responses(
    market: SampleMarket, dates: Iterable[dt.date], countries: Iterable[str]
) -> Iterator[RawResponse]:
    """Top free and paid from the current RSS, top grossing from the legacy RSS."""
    dates, countries = list(dates), list(countries)
    yield from _current_rss_responses(market, dates, countries)
    yield from _legacy_rss_responses(market, dates, countries)


def _current_rss_responses(
    market: SampleMarket, dates: list[dt.date], countries: list[str]
) -> Iterator[RawResponse]:
    current = chart_rows(market, "app_store", CURRENT_RSS_ITEMS, dates, countries)
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
        url=pl.format(
            "https://apps.apple.com/{}/app/{}/id{}",
            pl.lit(COUNTRY_MARK),
            slug(pl.col("name")),
            "app_store_id",
        ),
    ).struct.json_encode()
    feed_url = json_value(
        pl.format(
            "https://rss.applemarketingtools.com/api/v2/{}/apps/{}/100/apps.json",
            "country",
            pl.col("chart").replace(CURRENT_RSS_ITEMS),
        )
    )
    header = pl.concat_str(
        pl.lit('{"feed":{"title":'),
        json_value(pl.col("chart").replace(_CURRENT_TITLES)),
        pl.lit(',"id":'),
        feed_url,
        pl.lit(',"author":{"name":"Apple","url":"https://www.apple.com/"},"links":[{"self":'),
        feed_url,
        pl.lit('}],"copyright":"Copyright © 2025 Apple Inc. All rights reserved.","country":"'),
        pl.col("country"),
        pl.lit('","icon":"https://www.apple.com/favicon.ico","updated":"'),
        (pl.col("date").cast(pl.Datetime) + pl.duration(hours=6)).dt.strftime(RFC1123),
        pl.lit('","results":['),
    )
    files = chart_files(current, app_entries(market, entry), pl.col("entry"), header, pl.lit("]}}"))
    for date, country, chart, body in files.iter_rows():
        yield RawResponse(CURRENT_RSS, date, country, f"{CURRENT_RSS_ITEMS[chart]}.json", body)


def _legacy_rss_responses(
    market: SampleMarket, dates: list[dt.date], countries: list[str]
) -> Iterator[RawResponse]:
    legacy = chart_rows(market, "app_store", LEGACY_RSS_ITEMS, dates, countries)
    country = pl.lit(COUNTRY_MARK)
    label = lambda expr: pl.struct(label=expr)  # noqa: E731
    genre_name = pl.col("genre_id").replace(GENRES)
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
                    country,
                    slug(pl.col("name")),
                    "app_store_id",
                ),
            )
        ),
        id=pl.struct(
            label=pl.format(
                "https://apps.apple.com/{}/app/{}/id{}?uo=2",
                country,
                slug(pl.col("name")),
                "app_store_id",
            ),
            attributes=pl.struct(
                pl.col("app_store_id").alias("im:id"),
                pl.format("com.{}", slug(pl.col("developer")).str.replace_all("-", "")).alias(
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
                        country,
                        slug(pl.col("developer")),
                    )
                ),
            ),
            "category": pl.struct(
                attributes=pl.struct(
                    pl.col("genre_id").alias("im:id"),
                    term=genre_name,
                    scheme=pl.format(
                        "https://apps.apple.com/{}/genre/id{}?uo=2", country, "genre_id"
                    ),
                    label=genre_name,
                )
            ),
            "im:releaseDate": pl.struct(
                label=pl.col("release").dt.strftime("%Y-%m-%dT00:00:00-07:00"),
                attributes=pl.struct(label=pl.col("release").dt.strftime("%B %-d, %Y")),
            ),
        },
    ).struct.json_encode()
    header = pl.lit(
        '{"feed":{"author":{"name":{"label":"iTunes Store"},"uri":{"label":"http://www.apple.com/itunes/"}},"entry":['
    )
    footer = pl.concat_str(
        pl.lit('],"updated":{"label":"'),
        pl.col("date").dt.to_string("%Y-%m-%d"),
        pl.lit(
            'T06:00:00-07:00"},"rights":{"label":"Copyright 2008 Apple Inc."},"title":{"label":"iTunes Store: Top Grossing Applications"},"icon":{"label":"http://itunes.apple.com/favicon.ico"},"link":[],"id":{"label":"https://itunes.apple.com/'
        ),
        pl.col("country"),
        pl.lit(f'/rss/topgrossingapplications/limit={LEGACY_DEPTH}/json"}}}}}}'),
    )
    files = chart_files(legacy, app_entries(market, legacy_entry), pl.col("entry"), header, footer)
    for date, country, chart, body in files.iter_rows():
        yield RawResponse(LEGACY_RSS, date, country, f"{LEGACY_RSS_ITEMS[chart]}.json", body)

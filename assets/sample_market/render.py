"""Serialise the simulated market exactly as the real sources answer: Apple's
RSS JSON (current generation for top free and paid, legacy iTunes RSS for top
grossing), the Google Play chart JSON, Wikimedia pageviews and the vendor
estimates CSV (formats in docs/raw-formats.md).

Entries are encoded as whole columns with Polars and joined per file; Python only
loops over files. An app's chart entry is the same in every storefront but for the
country in its links, so it is encoded once per app and the country filled in; the
estimates CSV rows are formatted as text, quoted as ``write_csv`` quotes them.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable, Iterator
from urllib.parse import quote

import numpy as np
import polars as pl

from assets.itunes.parse import lookup_batches, lookup_item
from assets.raw import RawResponse
from assets.sample_market.catalog import GENRES
from assets.sample_market.simulate import CHART_DEPTH, SampleMarket

CURRENT_RSS_ITEMS = {"top_free": "top-free", "top_paid": "top-paid"}
# The feed's own URL names the depth it was asked for.
LEGACY_DEPTH = CHART_DEPTH[("app_store", "top_grossing")]
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
        .sort("date", "country", "chart", "rank")
        .collect()
    )


# Stands for the country while an app's entry is encoded once for every storefront
# (a private-use character: never in a name, and JSON encoding keeps it as is).
_COUNTRY = "\ue000"


def _app_entries(market: SampleMarket, entry: pl.Expr) -> pl.DataFrame:
    """(app_idx, entry): each app's JSON entry with ``_COUNTRY`` where its country goes.

    An entry differs between storefronts only in the country in its links, so
    encoding each app of the catalog once is far cheaper than encoding every chart
    row (deeply nested structs are slow to encode).
    """
    return market.apps.select("app_idx", entry=entry)


def _files(
    rows: pl.DataFrame,
    apps: pl.DataFrame,
    entry: pl.Expr,
    header: pl.Expr,
    footer: pl.Expr,
) -> pl.DataFrame:
    """Join the entries of each (date, country, chart) into one document, as bytes.

    ``entry`` is the JSON of one chart row, from its ``rank`` and the columns of its
    app in ``apps``; ``_COUNTRY`` in it becomes the row's country.
    """
    return (
        rows.lazy()
        .select("date", "country", "chart", "rank", "app_idx")
        .join(apps.lazy(), on="app_idx", maintain_order="left")
        .group_by("date", "country", "chart", maintain_order=True)
        .agg(entry.str.join(",").alias("entry"))
        .select(
            "date",
            "country",
            "chart",
            body=pl.concat_str(
                header,
                pl.col("entry").str.replace_all(_COUNTRY, _json_text("country"), literal=True),
                footer,
            ).cast(pl.Binary),
        )
        .collect()
    )


def _json_text(column: str) -> pl.Expr:
    """The text of a string column as it appears inside a JSON string (escaped, unquoted)."""
    return _json_value(pl.col(column)).str.strip_prefix('"').str.strip_suffix('"')


def _json_value(expr: pl.Expr) -> pl.Expr:
    """A whole column as JSON values: quoted and escaped strings, or null."""
    return pl.struct(expr.alias("v")).struct.json_encode().str.slice(5).str.strip_suffix("}")


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
    current = _chart_rows(market, "app_store", CURRENT_RSS_ITEMS, dates, countries)
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
            pl.lit(_COUNTRY),
            _slug(pl.col("name")),
            "app_store_id",
        ),
    ).struct.json_encode()
    feed_url = _json_value(
        pl.format(
            "https://rss.applemarketingtools.com/api/v2/{}/apps/{}/100/apps.json",
            "country",
            pl.col("chart").replace(CURRENT_RSS_ITEMS),
        )
    )
    header = pl.concat_str(
        pl.lit('{"feed":{"title":'),
        _json_value(pl.col("chart").replace(_CURRENT_TITLES)),
        pl.lit(',"id":'),
        feed_url,
        pl.lit(',"author":{"name":"Apple","url":"https://www.apple.com/"},"links":[{"self":'),
        feed_url,
        pl.lit('}],"copyright":"Copyright © 2025 Apple Inc. All rights reserved.","country":"'),
        pl.col("country"),
        pl.lit('","icon":"https://www.apple.com/favicon.ico","updated":"'),
        (pl.col("date").cast(pl.Datetime) + pl.duration(hours=6)).dt.strftime(_RFC1123),
        pl.lit('","results":['),
    )
    files = _files(current, _app_entries(market, entry), pl.col("entry"), header, pl.lit("]}}"))
    for date, country, chart, body in files.iter_rows():
        yield RawResponse("apple_rss", date, country, f"{CURRENT_RSS_ITEMS[chart]}.json", body)


def _legacy_rss_responses(
    market: SampleMarket, dates: list[dt.date], countries: list[str]
) -> Iterator[RawResponse]:
    legacy = _chart_rows(market, "app_store", LEGACY_RSS_ITEMS, dates, countries)
    country = pl.lit(_COUNTRY)
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
                    _slug(pl.col("name")),
                    "app_store_id",
                ),
            )
        ),
        id=pl.struct(
            label=pl.format(
                "https://apps.apple.com/{}/app/{}/id{}?uo=2",
                country,
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
                        country,
                        _slug(pl.col("developer")),
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
    files = _files(legacy, _app_entries(market, legacy_entry), pl.col("entry"), header, footer)
    for date, country, chart, body in files.iter_rows():
        yield RawResponse("itunes_rss", date, country, f"{LEGACY_RSS_ITEMS[chart]}.json", body)


def google_play_responses(
    market: SampleMarket, dates: Iterable[dt.date], countries: Iterable[str]
) -> Iterator[RawResponse]:
    rows = _chart_rows(market, "google_play", PLAY_COLLECTIONS, dates, countries)
    # Only the rank differs between an app's entries: the rest is encoded once per app.
    rest = pl.struct(
        package_name="play_id",
        title="name",
        developer="developer",
        price_micros=(pl.col("price") * 1_000_000).round().cast(pl.Int64),
        currency=pl.lit("USD"),
    ).struct.json_encode()
    apps = market.apps.select("app_idx", rest=rest.str.strip_prefix("{"))
    entry = pl.concat_str(pl.lit('{"rank":'), pl.col("rank"), pl.lit(","), pl.col("rest"))
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
    for date, country, chart, body in _files(rows, apps, entry, header, pl.lit("]}")).iter_rows():
        yield RawResponse("google_play", date, country, f"{PLAY_COLLECTIONS[chart]}.json", body)


ESTIMATES_HEADER = "date,country,store,app_id,app_name,downloads,dau"


# Like the commercial vendors, the export lists an app in a storefront only on days
# its estimate reaches a floor; below it an estimate is noise. In the sample this
# drops nearly two thirds of the rows (tiny apps in tiny storefronts) and about 2%
# of all downloads.
VENDOR_FLOOR = 5


def estimate_responses(
    market: SampleMarket, dates: Iterable[dt.date], countries: Iterable[str]
) -> Iterator[RawResponse]:
    """The vendor export: daily downloads and DAU per app with at least VENDOR_FLOOR
    downloads that day, one CSV per day and country.

    Every file is written in one pass, its rows formatted as ``write_csv`` would
    (the text fields quoted where needed) and joined per file.
    """
    apps = market.apps.select(
        "app_idx",
        "app_store_id",
        "play_id",
        app_store_field=_csv_field(pl.col("app_store_id")),
        play_field=_csv_field(pl.col("play_id")),
        app_name=_csv_field(pl.col("name")),
    )
    line = pl.concat_str(
        pl.col("date").dt.to_string("%Y-%m-%d"),
        _csv_field(pl.col("country")),
        _csv_field(pl.col("store")),
        pl.when(pl.col("store") == "app_store").then("app_store_field").otherwise("play_field"),
        "app_name",
        pl.col("downloads").cast(pl.String).fill_null(""),
        pl.col("dau").cast(pl.String).fill_null(""),
        separator=",",
    )
    files = (
        market.demand_on(list(dates))
        .lazy()
        .filter(pl.col("country").is_in(list(countries)))
        .with_columns(
            downloads=pl.col("downloads").round().cast(pl.Int64),
            dau=pl.col("dau").round().cast(pl.Int64),
        )
        .filter(pl.col("downloads") >= VENDOR_FLOOR)
        .join(apps.lazy(), on="app_idx")
        .with_columns(
            app_id=pl.when(pl.col("store") == "app_store")
            .then("app_store_id")
            .otherwise("play_id"),
            line=line,
        )
        # Ordered by store, then downloads (most first) and app id. Sorting each
        # store's few hundred rows in its group is much faster than one sort of all
        # rows by five keys.
        .group_by("date", "country", "store")
        .agg(
            lines=pl.col("line")
            .sort_by("downloads", "app_id", descending=[True, False])
            .str.join("\n")
        )
        .sort("date", "country", "store")
        .group_by("date", "country", maintain_order=True)
        .agg(pl.col("lines").str.join("\n"))
        .select(
            "date",
            "country",
            body=pl.concat_str(pl.lit(ESTIMATES_HEADER + "\n"), pl.col("lines"), pl.lit("\n")).cast(
                pl.Binary
            ),
        )
        .collect()
    )
    for date, country, body in files.iter_rows():
        yield RawResponse("vendor_estimates", date, country, "estimates.csv", body)


def _csv_field(text: pl.Expr) -> pl.Expr:
    """A text column as ``write_csv`` writes a field; null as nothing.

    A field holding a comma, a quote or a line break, or empty, goes in double
    quotes, its quotes doubled.
    """
    return (
        pl.when(text.str.contains(r'[,"\r\n]') | (text == ""))
        .then(pl.format('"{}"', text.str.replace_all('"', '""', literal=True)))
        .otherwise(text)
        .fill_null("")
    )


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


def lookup_responses(
    market: SampleMarket, date: dt.date, country: str, app_ids: Iterable[str]
) -> list[RawResponse]:
    """What the iTunes Lookup API answers on ``date`` in storefront ``country`` for
    these App Store ids: one ``lookup-<NNN>.json`` per call of up to 100 ids, split
    and named as the live fetch does (``lookup_batches``, ``lookup_item``).

    An id the catalog does not have, or whose app is not sold in the storefront, is
    absent from ``results``, as with Apple. Name, seller, genre, price and release
    date are the catalog's; the rest is derived from the app and the market, never
    drawn at random, so the same arguments always give the same bytes:

    * ``bundleId``: the app's Play package when it has one (apps often share the
      id), else ``com.<developer>.<name>``;
    * ``userRatingCount``: 0.5-2.4% (by app) of the storefront's downloads through
      ``date``, those before the window counted at the first day's rate for up to a
      year since release; ``averageUserRating`` 3.5-4.9 by app (0 without ratings);
    * ``version``: a new version every 30 days since release, ``currentVersionReleaseDate``
      its day.
    """
    return lookup_responses_for_plan(market, date, {country: list(app_ids)})


def lookup_responses_for_plan(
    market: SampleMarket, date: dt.date, plan: dict[str, list[str]]
) -> list[RawResponse]:
    """``lookup_responses`` for every storefront of a day's plan (storefront -> ids) at
    once: one join for the whole day instead of one scan of the market per storefront."""
    batches = {country: lookup_batches(app_ids) for country, app_ids in plan.items()}
    pairs = pl.DataFrame(
        [(c, app_id) for c, chunks in batches.items() for ids in chunks for app_id in ids],
        schema={"country": pl.String, "app_store_id": pl.String},
        orient="row",
    )
    # A day outside the window: nothing is sold, every answer is empty.
    installs = market.app_store_installs_by_date.get(date)
    if installs is None:
        installs = next(iter(market.app_store_installs_by_date.values())).clear()
    apps = (
        pairs.join(market.apps, on="app_store_id")
        # Only the apps sold in the storefront have installs there.
        .join(installs, on=["country", "app_idx"])
        .with_columns(slug=_slug(pl.col("name")), developer_slug=_slug(pl.col("developer")))
    )
    listed = {(app["country"], app["app_store_id"]): app for app in apps.iter_rows(named=True)}

    def result(app: dict) -> dict:
        country = app["country"]
        app_id, track_id = app["app_store_id"], int(app["app_store_id"])
        release: dt.date = app["release"]
        before_window = min(max((market.first_day - release).days, 0), 365)
        ratings = int(
            (0.005 + track_id % 20 / 1000) * (app["through"] + before_window * app["first_day"])
        )
        average = round(3.5 + track_id * 7919 % 140001 / 100000, 5) if ratings else 0
        updates = max((date - release).days, 0) // 30
        current = release + dt.timedelta(days=30 * updates)
        artist_id = 1_000_000_000 + zlib.crc32(app["developer"].encode()) % 900_000_000
        bundle = app["play_id"] or "com.{}.{}".format(
            app["developer_slug"].replace("-", "") or "developer",
            app["slug"].replace("-", "") or f"id{app_id}",
        )
        artwork = f"https://is1-ssl.mzstatic.com/image/thumb/Purple/{app_id}/AppIcon-0-1x_U007emarketing.png/{{0}}x{{0}}bb.jpg"
        genre = GENRES.get(app["genre_id"], "Utilities")
        return {
            "isGameCenterEnabled": app["genre_id"] == "6014",
            "artworkUrl60": artwork.format(60),
            "artworkUrl512": artwork.format(512),
            "artworkUrl100": artwork.format(100),
            "artistViewUrl": f"https://apps.apple.com/{country}/developer/{app['developer_slug']}/id{artist_id}?uo=4",
            "features": ["iosUniversal"],
            "advisories": [],
            "kind": "software",
            "minimumOsVersion": "15.0",
            "trackCensoredName": app["name"],
            "languageCodesISO2A": ["EN"],
            "fileSizeBytes": str(20_000_000 + track_id % 180_000_000),
            "formattedPrice": f"${app['price']:.2f}" if app["price"] else "Free",
            "contentAdvisoryRating": "4+",
            "averageUserRatingForCurrentVersion": average,
            "userRatingCountForCurrentVersion": ratings,
            "averageUserRating": average,
            "trackViewUrl": f"https://apps.apple.com/{country}/app/{app['slug']}/id{app_id}?uo=4",
            "trackContentRating": "4+",
            "bundleId": bundle,
            "trackId": track_id,
            "trackName": app["name"],
            "releaseDate": f"{release.isoformat()}T08:00:00Z",
            "genreIds": [app["genre_id"]],
            "primaryGenreName": genre,
            "primaryGenreId": int(app["genre_id"]),
            "isVppDeviceBasedLicensingEnabled": True,
            "sellerName": app["developer"],
            "currentVersionReleaseDate": f"{current.isoformat()}T07:00:00Z",
            "releaseNotes": "Bug fixes and performance improvements.",
            "version": f"{1 + updates // 12}.{updates % 12}.{track_id % 10}",
            "wrapperType": "software",
            "currency": "USD",
            "description": f"{app['name']} by {app['developer']}.",
            "artistId": artist_id,
            "artistName": app["developer"],
            "genres": [genre],
            "price": app["price"],
            "userRatingCount": ratings,
        }

    responses = []
    for country, chunks in batches.items():
        for number, ids in enumerate(chunks, start=1):
            results = [result(listed[country, i]) for i in ids if (country, i) in listed]
            body = _dumps({"resultCount": len(results), "results": results})
            responses.append(RawResponse("itunes_lookup", date, country, lookup_item(number), body))
    return responses


def _dumps(document: object) -> bytes:
    import json

    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


__all__ = [
    "apple_chart_responses",
    "estimate_responses",
    "google_play_responses",
    "lookup_responses",
    "lookup_responses_for_plan",
    "pageview_responses",
]

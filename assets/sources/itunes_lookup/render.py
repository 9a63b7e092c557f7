"""The sample market's iTunes Lookup API answers."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable

import polars as pl

from assets.raw import RawResponse
from assets.sample_market.catalog import GENRES
from assets.sample_market.encode import dumps, slug
from assets.sample_market.simulate import SampleMarket
from assets.sources.itunes_lookup.parse import lookup_batches, lookup_item


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
        .with_columns(slug=slug(pl.col("name")), developer_slug=slug(pl.col("developer")))
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
            body = dumps({"resultCount": len(results), "results": results})
            responses.append(RawResponse("itunes_lookup", date, country, lookup_item(number), body))
    return responses

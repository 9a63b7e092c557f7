"""The sample market's Google Play charts, in Chartwatch's import shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import polars as pl

from assets.raw import RawResponse
from assets.sample_market.encode import chart_files, chart_rows
from assets.sample_market.simulate import SampleMarket

PLAY_COLLECTIONS = {
    "top_free": "topselling_free",
    "top_paid": "topselling_paid",
    "top_grossing": "topgrossing",
}


def google_play_responses(
    market: SampleMarket, dates: Iterable[dt.date], countries: Iterable[str]
) -> Iterator[RawResponse]:
    rows = chart_rows(market, "google_play", PLAY_COLLECTIONS, dates, countries)
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
    for date, country, chart, body in chart_files(
        rows, apps, entry, header, pl.lit("]}")
    ).iter_rows():
        yield RawResponse("google_play", date, country, f"{PLAY_COLLECTIONS[chart]}.json", body)

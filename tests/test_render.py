"""The sample market's responses keep awkward names intact: quoted and escaped in
the JSON feeds, quoted where needed in the estimates CSV, and read back as they
were by the parsers."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from assets.raw import RawResponse
from assets.sample_market.simulate import SampleMarket
from assets.schemas import RAW_BATCH
from assets.sources.apple_charts import render as apple_render
from assets.sources.apple_charts.parse import parse_current_rss, parse_legacy_rss
from assets.sources.google_play_charts import render as play_render
from assets.sources.google_play_charts.parse import parse_google_play_charts
from assets.sources.vendor_estimates import render as estimates_render
from assets.sources.vendor_estimates.parse import parse_estimates_csv

DAY = dt.date(2025, 1, 27)
COUNTRIES = ["gb", "us"]
NAMES = [
    "Plain",
    "Comma, Inc.",
    'Say "hi"',
    "Two\nlines",
    "Carriage\rreturn",
    "Back\\slash and\ttab",
    "Ünïcødé 抖音 😀",
    "",
    ' ,"\n',
]


@pytest.fixture(scope="module")
def market() -> SampleMarket:
    n = len(NAMES)
    apps = pl.DataFrame(
        {
            "app_idx": range(n),
            "key": [f"app{i}" for i in range(n)],
            "name": NAMES,
            "developer": [f'Studio "{i}", Ltd.' for i in range(n)],
            "genre_id": ["6014", "6007", "6005"] * (n // 3),
            "price": [0.0, 0.99, 4.5] * (n // 3),
            "app_store_id": [str(1000 + i) for i in range(n)],
            "play_id": [f"com.example.app{i}" for i in range(n)],
            "release": [dt.date(2024, 12, 1 + i) for i in range(n)],
        },
        schema={
            "app_idx": pl.Int32,
            "key": pl.String,
            "name": pl.String,
            "developer": pl.String,
            "genre_id": pl.String,
            "price": pl.Float64,
            "app_store_id": pl.String,
            "play_id": pl.String,
            "release": pl.Date,
        },
    )
    demand = pl.DataFrame(
        [
            (DAY, country, store, i, float(10 * i + 5), float(3 * i) if i % 2 else None, 0.0)
            for country in COUNTRIES
            for store in ("app_store", "google_play")
            for i in range(n)
        ],
        schema={
            "date": pl.Date,
            "country": pl.String,
            "store": pl.String,
            "app_idx": pl.Int32,
            "downloads": pl.Float64,
            "dau": pl.Float64,
            "revenue": pl.Float64,
        },
        orient="row",
    )
    charts = pl.DataFrame(
        [
            (DAY, country, store, chart, rank, (rank * 4) % n)
            for country in COUNTRIES
            for store in ("app_store", "google_play")
            for chart in ("top_free", "top_paid", "top_grossing")
            for rank in range(1, n + 1)
        ],
        schema={
            "date": pl.Date,
            "country": pl.String,
            "store": pl.String,
            "chart": pl.String,
            "rank": pl.Int32,
            "app_idx": pl.Int32,
        },
        orient="row",
    )
    return SampleMarket(apps=apps, demand=demand, charts=charts, dates=[DAY])


def batch(responses: list[RawResponse]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "date": r.date,
                "country": r.country,
                "item": r.item.rsplit(".", 1)[0],
                "path": f"data/raw/{r.source}/date={r.date}/country={r.country}/{r.item}",
                "body": r.body.decode(),
            }
            for r in responses
        ],
        schema=RAW_BATCH,
    )


def chart_names(market: SampleMarket, store: str, chart: str, country: str) -> list[str]:
    return (
        market.charts.filter(
            pl.col("store") == store, pl.col("chart") == chart, pl.col("country") == country
        )
        .sort("rank")
        .join(market.apps, on="app_idx", maintain_order="left")["name"]
        .to_list()
    )


def test_estimates_csv_is_what_write_csv_writes(market):
    files = list(estimates_render.estimate_responses(market, [DAY], COUNTRIES))
    assert [(f.country, f.item) for f in files] == [
        ("gb", "estimates.csv"),
        ("us", "estimates.csv"),
    ]
    for f in files:
        expected = (
            market.demand.filter(pl.col("country") == f.country)
            .join(market.apps, on="app_idx")
            .select(
                "date",
                "country",
                "store",
                app_id=pl.when(pl.col("store") == "app_store")
                .then("app_store_id")
                .otherwise("play_id"),
                app_name="name",
                downloads=pl.col("downloads").round().cast(pl.Int64),
                dau=pl.col("dau").round().cast(pl.Int64),
            )
            .sort("store", "downloads", "app_id", descending=[False, True, False])
            .write_csv(date_format="%Y-%m-%d")
        )
        assert f.body.decode() == expected
    # Quoted where a name holds a comma, a quote or a line break, or is empty.
    text = files[0].body.decode()
    assert ',"Comma, Inc.",' in text and ',"Say ""hi""",' in text
    assert ',"Two\nlines",' in text and ',"Carriage\rreturn",' in text and ',"",' in text
    assert ",Plain," in text and ",Ünïcødé 抖音 😀," in text


def test_estimates_below_the_vendor_floor_are_not_exported(market):
    below = market.demand.with_columns(
        downloads=pl.when(pl.col("app_idx") == 0)
        .then(estimates_render.VENDOR_FLOOR - 1.0)
        .otherwise("downloads")
    )
    thin = SampleMarket(apps=market.apps, demand=below, charts=market.charts, dates=market.dates)
    text = next(iter(estimates_render.estimate_responses(thin, [DAY], ["gb"]))).body.decode()
    assert ",Plain," not in text
    assert ",Ünïcødé 抖音 😀," in text


def test_estimates_csv_reads_back_the_same_names(market):
    rows = parse_estimates_csv(
        batch(list(estimates_render.estimate_responses(market, [DAY], COUNTRIES)))
    )
    us_store = rows.filter(pl.col("country") == "us", pl.col("store") == "app_store")
    # An empty name is read as unknown.
    assert sorted(us_store["app_name"].to_list(), key=str) == sorted(
        [name or None for name in NAMES], key=str
    )
    assert rows.height == 2 * 2 * len(NAMES)


def test_apple_feeds_escape_names_and_link_to_their_country(market):
    responses = list(apple_render.apple_chart_responses(market, [DAY], COUNTRIES))
    current = [r for r in responses if r.source == "apple_rss"]
    legacy = [r for r in responses if r.source == "itunes_rss"]
    assert [(r.country, r.item) for r in current] == [
        ("gb", "top-free.json"),
        ("gb", "top-paid.json"),
        ("us", "top-free.json"),
        ("us", "top-paid.json"),
    ]
    assert [(r.country, r.item) for r in legacy] == [
        ("gb", "topgrossingapplications.json"),
        ("us", "topgrossingapplications.json"),
    ]
    us_free = json.loads(current[2].body)["feed"]
    assert us_free["country"] == "us"
    assert [e["name"] for e in us_free["results"]] == chart_names(
        market, "app_store", "top_free", "us"
    )
    assert all(e["url"].startswith("https://apps.apple.com/us/app/") for e in us_free["results"])
    gb_grossing = json.loads(legacy[0].body)["feed"]
    first = gb_grossing["entry"][0]
    assert [e["im:name"]["label"] for e in gb_grossing["entry"]] == chart_names(
        market, "app_store", "top_grossing", "gb"
    )
    assert first["link"]["attributes"]["href"].startswith("https://apps.apple.com/gb/app/")
    assert first["im:artist"]["attributes"]["href"].startswith(
        "https://apps.apple.com/gb/developer/"
    )
    assert first["category"]["attributes"]["scheme"].startswith("https://apps.apple.com/gb/genre/")
    assert gb_grossing["id"]["label"].startswith("https://itunes.apple.com/gb/rss/")

    entries = pl.concat([parse_current_rss(batch(current)), parse_legacy_rss(batch(legacy))])
    assert entries.height == 3 * 2 * len(NAMES)
    assert set(entries["app_name"]) == set(NAMES)


def test_play_charts_escape_names(market):
    files = list(play_render.google_play_responses(market, [DAY], COUNTRIES))
    doc = json.loads(files[0].body)
    assert (doc["country"], doc["collection"]) == ("gb", "topselling_free")
    assert [r["rank"] for r in doc["results"]] == list(range(1, len(NAMES) + 1))
    assert [r["title"] for r in doc["results"]] == chart_names(
        market, "google_play", "top_free", "gb"
    )
    entries = parse_google_play_charts(batch(files))
    assert entries.height == 3 * 2 * len(NAMES)
    assert set(entries["app_name"]) == set(NAMES)

"""The sample market: deterministic, complete, and charts that emerge from demand."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys

import polars as pl
import pytest

from assets.sample_market.source import check_window, sample_market
from assets.sources.apple_charts import render as apple_render
from assets.sources.google_play_charts import render as play_render
from assets.sources.vendor_estimates import render as estimates_render
from assets.storefronts import APP_STORE_COUNTRIES, GOOGLE_PLAY_COUNTRIES
from tests.conftest import REPO

DAY = dt.date(2025, 1, 27)

DIGEST = """
import datetime as dt, hashlib
from assets.sources.apple_charts import render as apple_render
from assets.sources.vendor_estimates import render as estimates_render
from assets.sources.google_play_charts import render as play_render
from assets.sample_market.source import sample_market
m = sample_market()
h = hashlib.sha256()
for fn in (apple_render.apple_chart_responses, play_render.google_play_responses, estimates_render.estimate_responses):
    for r in fn(m, [dt.date(2025, 1, 27)], ["us", "eg"]):
        h.update(r.item.encode()); h.update(r.body)
print(h.hexdigest())
"""


@pytest.fixture(scope="module")
def market():
    return sample_market()


def test_same_bytes_in_every_process(market):
    digest = hashlib.sha256()
    for fn in (
        apple_render.apple_chart_responses,
        play_render.google_play_responses,
        estimates_render.estimate_responses,
    ):
        for r in fn(market, [DAY], ["us", "eg"]):
            digest.update(r.item.encode())
            digest.update(r.body)
    other = subprocess.run(
        [sys.executable, "-c", DIGEST],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    )
    assert other.stdout.strip() == digest.hexdigest()


def test_charts_are_apps_ordered_by_that_days_demand(market):
    chart = market.charts.filter(
        pl.col("date") == DAY,
        pl.col("country") == "gb",
        pl.col("store") == "app_store",
        pl.col("chart") == "top_free",
    ).sort("rank")
    free_apps = market.apps.filter(pl.col("price") == 0).select("app_idx")
    by_demand = (
        market.demand.filter(
            pl.col("date") == DAY, pl.col("country") == "gb", pl.col("store") == "app_store"
        )
        .join(free_apps, on="app_idx")
        .sort("downloads", descending=True)
        .head(chart.height)
    )
    assert chart["app_idx"].to_list() == by_demand["app_idx"].to_list()


def test_every_storefront_every_day(market):
    per_day = market.charts.group_by("date", "store").agg(pl.col("country").n_unique())
    assert per_day.height == 2 * len(market.dates)
    expected = {"app_store": len(APP_STORE_COUNTRIES), "google_play": len(GOOGLE_PLAY_COUNTRIES)}
    for store, countries in per_day.select("store", "country").iter_rows():
        assert countries == expected[store]
    depth = market.charts.group_by("store", "chart").agg(pl.col("rank").max())
    depths = {(s, c): r for s, c, r in depth.iter_rows()}
    assert depths[("app_store", "top_free")] == 100
    assert depths[("app_store", "top_grossing")] == 100
    assert depths[("google_play", "top_free")] == 200


def test_us_chart_on_breakout_day_matches_the_press(market):
    us = (
        market.charts.filter(
            pl.col("date") == DAY,
            pl.col("country") == "us",
            pl.col("store") == "app_store",
            pl.col("chart") == "top_free",
            pl.col("rank") <= 14,
        )
        .join(market.apps, on="app_idx")
        .sort("rank")
    )
    keys = us["key"].to_list()
    assert keys[:10] == [
        "deepseek",
        "chatgpt",
        "paramount-plus",
        "temu",
        "fox-sports",
        "bluesky",
        "reelshort",
        "vpn-super-unlimited-proxy",
        "threads",
        "google",
    ]
    assert keys[13] == "gemini"
    assert us["app_store_id"][0] == "6737597349"


def test_ai_apps_not_sold_in_china(market):
    china = market.charts.filter(pl.col("country") == "cn").join(market.apps, on="app_idx")
    assert "chatgpt" not in china["key"].to_list()


def test_days_outside_the_window_are_refused():
    with pytest.raises(ValueError, match=r"sample market covers 2025-01-01\.\.2025-02-09"):
        check_window([dt.date(2025, 3, 1)])

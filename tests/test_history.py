"""History: with CHARTWATCH_FIRST_DAY, chart archives of any year since the App Store
opened import and materialise in live mode; a past day says which configured charts
it lacks; a first day before 2008-07-10 is refused."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.graph import asset_graph
from assets.imports import import_files
from assets.market import resources_for
from assets.resources import ChartwatchConfig
from assets.sample_market.source import sample_market
from assets.sources.apple_charts import render as apple_render
from warehouse.errors import InvalidSetting

SAMPLE_DAY = dt.date(2025, 1, 27)
OLD_DAY = dt.date(2015, 2, 26)


def _legacy_feed_of(day: dt.date) -> bytes:
    """The sample's US top-grossing legacy feed, as Apple served it on ``day``."""
    (body,) = [
        r.body
        for r in apple_render.apple_chart_responses(sample_market(), [SAMPLE_DAY], ["us"])
        if r.item == "topgrossingapplications.json"
    ]
    return body.replace(SAMPLE_DAY.isoformat().encode(), day.isoformat().encode())


def _config(tmp_path: Path, server, **overrides) -> ChartwatchConfig:
    products = tmp_path / "products.toml"
    products.write_text('[products.deepseek]\nname = "DeepSeek"\napp_store = ["6737597349"]\n')
    url = server.url_for("").rstrip("/")
    return ChartwatchConfig(
        **{
            "source": "live",
            "first_day": "2015-01-01",
            "countries": "us",
            "data_dir": str(tmp_path / "data"),
            "products_file": str(products),
            "apple_rss_url": url,
            "itunes_url": url,
            "wikimedia_url": url,
            "contact": "tests@example.org",
            "legacy_feeds": "topgrossingapplications",
            "http_retries": 1,
            **overrides,
        }
    )


def test_a_2015_legacy_feed_imports_and_materialises(tmp_path, httpserver):
    # Wikimedia's per-article API starts 2015-07-01: it answers 404 for this day.
    httpserver.expect_request(re.compile(".*")).respond_with_data("{}", status=404)
    config = _config(tmp_path, httpserver)
    feed = tmp_path / "grossing-2015.json"
    feed.write_bytes(_legacy_feed_of(OLD_DAY))

    (done,) = import_files("itunes_rss", OLD_DAY, "us", [feed], config.raw_dir)
    graph = asset_graph(config)
    result = dg.materialize(
        [*graph.raw.values(), *graph.lake.values(), graph.warehouse],
        resources=resources_for(config),
        partition_key=OLD_DAY.isoformat(),
        raise_on_error=False,
    )

    assert done.written and result.success
    extract = next(
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["raw", "apple_charts"])
    )
    lacking = extract.materialization.metadata["lacking_charts"].value
    assert "top-free chart" in lacking and "top-paid chart" in lacking
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    rows = con.execute(
        "SELECT chart, count(*), min(rank), max(rank) FROM chart_entries WHERE date = ?"
        " GROUP BY chart",
        [OLD_DAY],
    ).fetchall()
    assert rows == [("top_grossing", 100, 1, 100)]
    coverage = con.execute(
        "SELECT chart, status, depth FROM chart_coverage WHERE date = ?", [OLD_DAY]
    ).fetchall()
    assert coverage == [("top_grossing", "served", 100)]


def test_a_first_day_before_the_app_store_is_refused():
    config = ChartwatchConfig(source="live", first_day="2007-01-01")
    with pytest.raises(InvalidSetting, match="before the App Store opened"):
        config.check()

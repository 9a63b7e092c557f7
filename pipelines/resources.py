"""Resources configured from the environment, with the defaults documented in
the README. The same values apply in the UI and on the command line."""

from __future__ import annotations

import os

from assets.resources import DEFAULT_LEGACY_FEEDS, DEFAULT_URLS, ChartwatchConfig
from warehouse.build import DEFAULT_MEMORY_LIMIT


def chartwatch_from_env() -> ChartwatchConfig:
    return ChartwatchConfig(
        source=os.environ.get("CHARTWATCH_SOURCE", "sample"),
        countries=os.environ.get("CHARTWATCH_COUNTRIES", ""),
        data_dir=os.environ.get("CHARTWATCH_DATA_DIR", "data"),
        products_file=os.environ.get("CHARTWATCH_PRODUCTS", "products.toml"),
        apple_rss_url=os.environ.get("CHARTWATCH_APPLE_RSS_URL", DEFAULT_URLS["apple_rss_url"]),
        itunes_url=os.environ.get("CHARTWATCH_ITUNES_URL", DEFAULT_URLS["itunes_url"]),
        wikimedia_url=os.environ.get("CHARTWATCH_WIKIMEDIA_URL", DEFAULT_URLS["wikimedia_url"]),
        appfigures_url=os.environ.get("CHARTWATCH_APPFIGURES_URL", DEFAULT_URLS["appfigures_url"]),
        contact=os.environ.get("CHARTWATCH_CONTACT", ""),
        legacy_feeds=os.environ.get("CHARTWATCH_LEGACY_FEEDS", ",".join(DEFAULT_LEGACY_FEEDS)),
        genres=os.environ.get("CHARTWATCH_GENRES", ""),
        warehouse_wait=os.environ.get("CHARTWATCH_WAREHOUSE_WAIT", "120"),
        duckdb_memory=os.environ.get("CHARTWATCH_DUCKDB_MEMORY", DEFAULT_MEMORY_LIMIT),
        estimates=os.environ.get("CHARTWATCH_ESTIMATES", "vendor"),
        panel=os.environ.get("CHARTWATCH_PANEL", ""),
    )

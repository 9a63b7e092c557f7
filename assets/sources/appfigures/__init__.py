"""Appfigures: vendor rank histories and download estimates of the tracked products
(live mode, when APPFIGURES_TOKEN is set)."""

from __future__ import annotations

import polars as pl

from assets.sources.appfigures import fetch, parse
from assets.sources.source import Archive, Day, Feed, Source
from warehouse.datasets import WORLDWIDE_ONLY

ARCHIVE = Archive(parse.SOURCE, ".json", WORLDWIDE_ONLY)


def _item(day: Day, item: str) -> pl.DataFrame:
    return day.batch(ARCHIVE).filter(pl.col("item") == item)


def _app_estimates(day: Day):
    return parse.parse_estimates(
        _item(day, "estimates"), fetch.apps_frame(day.products.appfigures_apps)
    )


def _vendor_ranks(day: Day):
    return parse.parse_ranks(_item(day, "ranks"), fetch.apps_frame(day.products.appfigures_apps))


SOURCE = Source(
    name="appfigures",
    description="Appfigures rank histories and download estimates of the tracked products"
    " mapped in products.toml (live mode, when APPFIGURES_TOKEN is set); history: any past"
    " day.",
    archives=(ARCHIVE,),
    fetch=fetch.fetch_day,
    render=None,  # the sample market has no vendor of its own
    feeds={
        # After a user's own figures (vendor_estimates' imports).
        "app_estimates": Feed(_app_estimates, precedence=3),
        "vendor_ranks": Feed(_vendor_ranks),
    },
)

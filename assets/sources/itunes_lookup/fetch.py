"""iTunes Lookup, live and sample: which apps to look up on a day, where, and the
check a fetched body must pass before it is archived.

The apps are those of the day's App Store charts (Apple's feeds and its 200-deep
charts in the archive).
Each app is looked up once a day, in one storefront: the US when it charts
there, else the first storefront (by code) where it charts, since the Lookup API
answers nothing for an app not sold in the storefront asked. Ids go in batches of
up to 100 per call (``lookup-001.json``, ...); the plan depends only on the day's
archived charts, so a re-run asks for the same batches and finds them archived.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from assets import live
from assets.fetching import FetchReport, Request, fetch_and_archive, split_by_archive
from assets.raw import RawFileError, RawResponse, response_batch
from assets.sources.itunes_lookup.parse import SOURCE, lookup_batches, lookup_item, parse_lookup
from assets.sources.source import Day
from warehouse.products import ProductCatalog

if TYPE_CHECKING:
    from assets.http import HttpClient
    from assets.resources import ChartwatchConfig

PREFERRED_STOREFRONT = "us"
# The sources whose App Store charts name the apps to look up: Apple's RSS feeds and
# its 200-deep charts (ids only: the Lookup is where their names come from).
CHART_SOURCES = ("apple_charts", "apple_charts_deep")


def lookup_plan(chart_entries: pl.DataFrame) -> dict[str, list[str]]:
    """Storefront -> the App Store ids to look up there, from one day's chart entries."""
    apps = (
        chart_entries.lazy()
        .filter(pl.col("store") == "app_store", pl.col("app_id").str.contains(r"^\d+$"))
        .group_by("app_id")
        .agg(
            preferred=(pl.col("country") == PREFERRED_STOREFRONT).any(),
            first=pl.col("country").min(),
        )
        .select(
            "app_id",
            country=pl.when("preferred").then(pl.lit(PREFERRED_STOREFRONT)).otherwise("first"),
        )
        .group_by("country")
        .agg(pl.col("app_id").sort())
        .sort("country")
        .collect()
    )
    return dict(apps.iter_rows())


def lookup_requests(itunes_url: str, date: dt.date, plan: dict[str, list[str]]) -> list[Request]:
    base = itunes_url.rstrip("/")
    requests = []
    for country, app_ids in plan.items():
        for number, ids in enumerate(lookup_batches(app_ids), start=1):
            requests.append(
                Request(
                    SOURCE,
                    date,
                    country,
                    lookup_item(number),
                    f"{base}/lookup?id={','.join(ids)}&country={country}&entity=software",
                    f"lookup of {len(ids)} apps",
                )
            )
    return requests


def validate_lookup(response: RawResponse) -> None:
    """Raise RawFileError unless the body is a complete Lookup answer."""
    parse_lookup(response_batch(response))


def lookup_plan_of_day(config: ChartwatchConfig, date: dt.date) -> dict[str, list[str]]:
    """Storefront -> App Store ids to look up, from the day's App Store charts in the
    raw archive (read with the chart sources' own parsers: CHART_SOURCES, through the
    registry). Reading the archive, not the lake, keeps the listings independent of
    the lake's checks: a chart day that fails them does not hold the listings back, and
    re-running it re-runs no extraction. A chart file its parser cannot read leaves the
    day without lookups (the lake reports it)."""
    from assets.sources import source

    day = Day(date, config.raw_dir, config.countries_for, ProductCatalog(Path(), ()), "")
    try:
        charts = pl.concat(
            [source(name).feeds["chart_entries"].read(day) for name in CHART_SOURCES]
        )
    except RawFileError:
        return {}
    return lookup_plan(charts)


def fetch_day(config: ChartwatchConfig, date: dt.date, client: HttpClient) -> FetchReport:
    """Listings are a snapshot, like the charts: fetched on the day only. A past day
    keeps what the archive holds; a missing listing is not an error (apps keeps the
    latest one it has)."""
    requests = lookup_requests(config.itunes_url, date, lookup_plan_of_day(config, date))
    if date != live.today():
        held, missing = split_by_archive(requests, config.raw_dir)
        return FetchReport(already_archived=held, empty=missing)
    return fetch_and_archive(
        client, requests, config.raw_dir, config.quarantine_dir, validate_lookup
    )

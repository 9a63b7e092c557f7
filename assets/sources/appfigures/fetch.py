"""Appfigures, live (when APPFIGURES_TOKEN is set): the tracked products' rank
histories and download estimates, one day per request pair, so a backfill asks for
each day of its range and a failed run refetches only the days it lacks.

The token goes in the Authorization header (never in a URL, never logged). The
apps come from the ``appfigures`` tables of products.toml; the countries are the
configured storefronts.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from assets import live
from assets.fetching import FetchReport, Request, fetch_and_archive
from assets.raw import RawResponse, response_batch
from assets.sources.appfigures.parse import SOURCE, parse_estimates, parse_ranks
from warehouse.products import read_products

if TYPE_CHECKING:
    from assets.http import HttpClient
    from assets.resources import ChartwatchConfig

COUNTRY = "ww"  # one file per day for every country


def appfigures_requests(
    base_url: str, token: str, date: dt.date, apps: pl.DataFrame, countries: list[str]
) -> list[Request]:
    if apps.is_empty():
        return []
    ids = ";".join(sorted(apps["appfigures_id"].unique().to_list()))
    codes = ";".join(c.upper() for c in countries)
    day = date.isoformat()
    base = base_url.rstrip("/")
    headers = {"Authorization": f"Bearer {token}"}
    return [
        Request(
            SOURCE,
            date,
            COUNTRY,
            "ranks.json",
            f"{base}/ranks/{ids}/daily/{day}/{day}?countries={codes}",
            "rank histories",
            headers=headers,
        ),
        Request(
            SOURCE,
            date,
            COUNTRY,
            "estimates.json",
            f"{base}/reports/estimates?products={ids}&countries={codes}&start_date={day}"
            f"&end_date={day}&group_by=product,country,date",
            "download estimates",
            headers=headers,
        ),
    ]


def appfigures_validator(apps: pl.DataFrame):
    def validate(response: RawResponse) -> None:
        parse = parse_ranks if response.item == "ranks.json" else parse_estimates
        parse(response_batch(response), apps)

    return validate


def apps_frame(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"appfigures_id": pl.String, "store": pl.String, "app_id": pl.String},
        orient="row",
    )


def fetch_day(config: ChartwatchConfig, date: dt.date, client: HttpClient) -> FetchReport:
    token = config.appfigures_token.strip()
    if not token:
        return FetchReport(notes=["APPFIGURES_TOKEN is not set: Appfigures is skipped"])
    apps = apps_frame(read_products(config.products_path).appfigures_apps)
    if apps.is_empty():
        return FetchReport(
            notes=["no product of products.toml maps its apps to Appfigures (appfigures = {...})"]
        )
    if date > live.today():
        raise ValueError(f"{date} is in the future (today is {live.today()} UTC)")
    requests = appfigures_requests(
        config.appfigures_url, token, date, apps, list(config.countries_for())
    )
    return fetch_and_archive(
        client, requests, config.raw_dir, config.quarantine_dir, appfigures_validator(apps)
    )

"""Appfigures, live (when APPFIGURES_TOKEN is set): the tracked products' rank
histories and download estimates, one day per request pair, so a backfill asks for
each day of its range and a failed run refetches only the days it lacks.

The token goes in the Authorization header (never in a URL, never logged). The
apps come from the ``appfigures`` tables of products.toml; the countries are the
configured storefronts.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from assets.fetching import Request
from assets.raw import RawResponse, response_batch
from assets.sources.appfigures.parse import SOURCE, parse_estimates, parse_ranks

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

"""The sample market's vendor estimates export (CSV), its rows formatted as
``write_csv`` quotes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import polars as pl

from assets.raw import RawResponse
from assets.sample_market.simulate import SampleMarket

ESTIMATES_HEADER = "date,country,store,app_id,app_name,downloads,dau"


# Like the commercial vendors, the export lists an app in a storefront only on days
# its estimate reaches a floor; below it an estimate is noise. In the sample this
# drops nearly two thirds of the rows (tiny apps in tiny storefronts) and about 2%
# of all downloads.
VENDOR_FLOOR = 5


def estimate_responses(
    market: SampleMarket, dates: Iterable[dt.date], countries: Iterable[str]
) -> Iterator[RawResponse]:
    """The vendor export: daily downloads and DAU per app with at least VENDOR_FLOOR
    downloads that day, one CSV per day and country.

    Every file is written in one pass, its rows formatted as ``write_csv`` would
    (the text fields quoted where needed) and joined per file.
    """
    apps = market.apps.select(
        "app_idx",
        "app_store_id",
        "play_id",
        app_store_field=_csv_field(pl.col("app_store_id")),
        play_field=_csv_field(pl.col("play_id")),
        app_name=_csv_field(pl.col("name")),
    )
    line = pl.concat_str(
        pl.col("date").dt.to_string("%Y-%m-%d"),
        _csv_field(pl.col("country")),
        _csv_field(pl.col("store")),
        pl.when(pl.col("store") == "app_store").then("app_store_field").otherwise("play_field"),
        "app_name",
        pl.col("downloads").cast(pl.String).fill_null(""),
        pl.col("dau").cast(pl.String).fill_null(""),
        separator=",",
    )
    files = (
        market.demand_on(list(dates))
        .lazy()
        .filter(pl.col("country").is_in(list(countries)))
        .with_columns(
            downloads=pl.col("downloads").round().cast(pl.Int64),
            dau=pl.col("dau").round().cast(pl.Int64),
        )
        .filter(pl.col("downloads") >= VENDOR_FLOOR)
        .join(apps.lazy(), on="app_idx")
        .with_columns(
            app_id=pl.when(pl.col("store") == "app_store")
            .then("app_store_id")
            .otherwise("play_id"),
            line=line,
        )
        # Ordered by store, then downloads (most first) and app id. Sorting each
        # store's few hundred rows in its group is much faster than one sort of all
        # rows by five keys.
        .group_by("date", "country", "store")
        .agg(
            lines=pl.col("line")
            .sort_by("downloads", "app_id", descending=[True, False])
            .str.join("\n")
        )
        .sort("date", "country", "store")
        .group_by("date", "country", maintain_order=True)
        .agg(pl.col("lines").str.join("\n"))
        .select(
            "date",
            "country",
            body=pl.concat_str(pl.lit(ESTIMATES_HEADER + "\n"), pl.col("lines"), pl.lit("\n")).cast(
                pl.Binary
            ),
        )
        .collect()
    )
    for date, country, body in files.iter_rows():
        yield RawResponse("vendor_estimates", date, country, "estimates.csv", body)


def _csv_field(text: pl.Expr) -> pl.Expr:
    """A text column as ``write_csv`` writes a field; null as nothing.

    A field holding a comma, a quote or a line break, or empty, goes in double
    quotes, its quotes doubled.
    """
    return (
        pl.when(text.str.contains(r'[,"\r\n]') | (text == ""))
        .then(pl.format('"{}"', text.str.replace_all('"', '""', literal=True)))
        .otherwise(text)
        .fill_null("")
    )

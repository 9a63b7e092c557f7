"""Shared encoding of the sample market's answers: the helpers each source's
``render.py`` uses to serialise the simulated market exactly as the real source
answers (formats in docs/raw-formats.md).

Entries are encoded as whole columns with Polars and joined per file; Python only
loops over files. An app's chart entry is the same in every storefront but for the
country in its links, so it is encoded once per app and the country filled in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import polars as pl

from assets.sample_market.simulate import SampleMarket

RFC1123 = "%a, %d %b %Y %H:%M:%S +0000"


def slug(name: pl.Expr) -> pl.Expr:
    return name.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "-").str.strip_chars("-")


def chart_rows(
    market: SampleMarket, store: str, charts: Iterable[str], dates, countries
) -> pl.DataFrame:
    return (
        market.charts_on(list(dates))
        .lazy()
        .filter(
            pl.col("store") == store,
            pl.col("chart").is_in(list(charts)),
            pl.col("country").is_in(list(countries)),
        )
        .sort("date", "country", "chart", "rank")
        .collect()
    )


# Stands for the country while an app's entry is encoded once for every storefront
# (a private-use character: never in a name, and JSON encoding keeps it as is).
COUNTRY_MARK = "\ue000"


def app_entries(market: SampleMarket, entry: pl.Expr) -> pl.DataFrame:
    """(app_idx, entry): each app's JSON entry with ``COUNTRY_MARK`` where its country goes.

    An entry differs between storefronts only in the country in its links, so
    encoding each app of the catalog once is far cheaper than encoding every chart
    row (deeply nested structs are slow to encode).
    """
    return market.apps.select("app_idx", entry=entry)


def chart_files(
    rows: pl.DataFrame,
    apps: pl.DataFrame,
    entry: pl.Expr,
    header: pl.Expr,
    footer: pl.Expr,
) -> pl.DataFrame:
    """Join the entries of each (date, country, chart) into one document, as bytes.

    ``entry`` is the JSON of one chart row, from its ``rank`` and the columns of its
    app in ``apps``; ``COUNTRY_MARK`` in it becomes the row's country.
    """
    return (
        rows.lazy()
        .select("date", "country", "chart", "rank", "app_idx")
        .join(apps.lazy(), on="app_idx", maintain_order="left")
        .group_by("date", "country", "chart", maintain_order=True)
        .agg(entry.str.join(",").alias("entry"))
        .select(
            "date",
            "country",
            "chart",
            body=pl.concat_str(
                header,
                pl.col("entry").str.replace_all(COUNTRY_MARK, json_text("country"), literal=True),
                footer,
            ).cast(pl.Binary),
        )
        .collect()
    )


def json_text(column: str) -> pl.Expr:
    """The text of a string column as it appears inside a JSON string (escaped, unquoted)."""
    return json_value(pl.col(column)).str.strip_prefix('"').str.strip_suffix('"')


def json_value(expr: pl.Expr) -> pl.Expr:
    """A whole column as JSON values: quoted and escaped strings, or null."""
    return pl.struct(expr.alias("v")).struct.json_encode().str.slice(5).str.strip_suffix("}")


def dumps(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

"""Data checks of the lake datasets, run on each day before it is published.

Each dataset has a dataframely schema: column types and nullability, value rules
(ranks from 1, well-formed ids, non-negative counts) and rules over groups of rows
(a chart's ranks are unique and run 1..N without gaps). ``check_day`` splits a
day's rows into the valid and the invalid; a day with invalid rows is not
published: its rows that broke a rule are kept in ``data/quarantine/lake/`` with
the rules they broke, the lake keeps its previous version of the day, and the
asset's blocking check fails, so the warehouse is not built on a bad day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import dataframely as dy
import polars as pl

from assets.raw import RawFileError
from assets.schemas import STORES
from assets.storage import atomic_write_bytes

CHART = ["date", "country", "store", "device", "chart", "genre_id"]
APP_STORE_ID = r"^\d+$"
PLAY_PACKAGE = r"^[A-Za-z][\w]*(\.[A-Za-z0-9_]+)+$"


class ChartEntries(dy.Schema):
    date = dy.Date()
    country = dy.String(regex=r"^[a-z]{2}$")
    store = dy.String(check=lambda c: c.is_in(STORES))
    device = dy.String(check=lambda c: c.is_in(["iphone", "ipad", "android"]))
    chart = dy.String(check=lambda c: c.is_in(["top_free", "top_paid", "top_grossing"]))
    genre_id = dy.String(nullable=True)
    rank = dy.Int32(min=1)
    app_id = dy.String(min_length=1)
    app_name = dy.String(nullable=True)
    developer = dy.String(nullable=True)
    source = dy.String()

    @dy.rule()
    def app_id_of_its_store(cls) -> pl.Expr:
        app_store = pl.col("store") == "app_store"
        return (
            pl.when(app_store)
            .then(pl.col("app_id").str.contains(APP_STORE_ID))
            .otherwise(pl.col("app_id").str.contains(PLAY_PACKAGE))
        )

    @dy.rule()
    def rank_unique_in_chart(cls) -> pl.Expr:
        return pl.col("rank").is_unique().over(CHART)

    @dy.rule()
    def ranks_contiguous_in_chart(cls) -> pl.Expr:
        return pl.col("rank").max().over(CHART) == pl.len().over(CHART)

    @dy.rule()
    def app_once_in_chart(cls) -> pl.Expr:
        # One app at ranks 1 and 2 is a broken feed (or two files merged), not a chart.
        return pl.col("app_id").is_unique().over(CHART)


class AppEstimates(dy.Schema):
    date = dy.Date()
    country = dy.String(regex=r"^[a-z]{2}$")
    store = dy.String(check=lambda c: c.is_in(STORES))
    app_id = dy.String(min_length=1)
    app_name = dy.String(nullable=True)
    downloads = dy.Int64(min=0)
    dau = dy.Int64(nullable=True, min=0)
    source = dy.String()

    @dy.rule()
    def one_estimate_per_app(cls) -> pl.Expr:
        return pl.len().over("date", "country", "store", "app_id") == 1


class SearchInterest(dy.Schema):
    date = dy.Date()
    country = dy.String(regex=r"^[a-z]{2}$")
    source = dy.String()
    term = dy.String(min_length=1)
    product = dy.String(nullable=True)
    interest = dy.Int64(min=0)


SCHEMAS: dict[str, type[dy.Schema]] = {
    "chart_entries": ChartEntries,
    "app_estimates": AppEstimates,
    "search_interest": SearchInterest,
}


@dataclass(frozen=True)
class DayCheck:
    valid: pl.DataFrame
    invalid_rows: int
    broken_rules: dict[str, int]  # rule -> rows that broke it
    # A raw file of the day that its parser cannot read (the day has no rows to check).
    unreadable: str | None = None


UNREADABLE_FILE = "raw_file_unreadable"


def quarantine_unreadable(
    quarantine_dir: Path, dataset: str, date: str, error: RawFileError
) -> tuple[DayCheck, Path]:
    """A day whose raw file cannot be parsed: its check, and the note kept in the
    quarantine (the file itself stays in the raw archive, which is never rewritten)."""
    path = quarantine_dir / "lake" / dataset / f"date={date}" / "unreadable.json"
    note = {
        "source": error.source,
        "date": error.date,
        "country": error.country,
        "file": error.path,
        "problem": error.problem,
        "what_to_do": error.hint,
    }
    atomic_write_bytes(path, json.dumps(note, ensure_ascii=False, indent=2).encode())
    return DayCheck(pl.DataFrame(), 0, {UNREADABLE_FILE: 1}, str(error)), path


MISSING_COUNTRY = "expected_country_missing"


def check_day(
    dataset: str, frame: pl.DataFrame, expected_app_store: tuple[str, ...] = ()
) -> tuple[DayCheck, pl.DataFrame | None]:
    """Split a day's rows; returns the check and the invalid rows with their rules (or None).

    ``expected_app_store``: for chart_entries, the storefronts whose App Store charts
    the day must have (once it has any): a storefront without any is a broken day.
    """
    schema = SCHEMAS.get(dataset)
    if schema is None:
        return DayCheck(frame, 0, {}), None
    valid, failure = schema.filter(frame)
    counts = {rule: count for rule, count in failure.counts().items() if count}
    charted = (
        set(frame.filter(pl.col("store") == "app_store")["country"].unique().to_list())
        if dataset == "chart_entries"
        else set()
    )
    missing = sorted(set(expected_app_store) - charted) if charted else []
    if missing:
        counts[f"{MISSING_COUNTRY}: {', '.join(missing)}"] = 0
    if not counts:
        return DayCheck(frame, 0, {}), None
    if not (failure.invalid().height):
        return DayCheck(valid, 0, counts), frame.clear().with_columns(
            broken_rules=pl.lit([], pl.List(pl.String))
        )
    details = failure.details()
    rules = [c for c in details.columns if c not in frame.columns]
    invalid = details.with_columns(
        broken_rules=pl.concat_list(
            pl.when(pl.col(rule) == "invalid").then(pl.lit(rule)) for rule in rules
        ).list.drop_nulls()
    ).select(*frame.columns, "broken_rules")
    invalid = invalid.filter(pl.col("broken_rules").list.len() > 0)
    return DayCheck(valid, invalid.height, counts), invalid


def quarantine_rows(quarantine_dir: Path, dataset: str, date: str, invalid: pl.DataFrame) -> Path:
    """Keep a day's invalid rows, with the rules they broke, for inspection."""
    import io

    path = quarantine_dir / "lake" / dataset / f"date={date}" / "invalid.parquet"
    buffer = io.BytesIO()
    invalid.write_parquet(buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return path


# A day's row count may be this fraction to this multiple of the day before's.
ROW_COUNT_BOUNDS = (0.5, 2.0)


def rows_out_of_bounds(
    counts: list[tuple[object, int]],
    day_before: int | None,
    bounds: tuple[float, float] = ROW_COUNT_BOUNDS,
) -> list[dict[str, object]]:
    """Days whose row count left ``bounds`` relative to the day before.

    ``counts``: consecutive days in order with their rows; ``day_before``: the rows of
    the day before the first (None when the lake has none). A day after one with no
    rows is not compared.
    """
    low, high = bounds
    out: list[dict[str, object]] = []
    previous = day_before
    for date, rows in counts:
        if previous:
            ratio = rows / previous
            if not low <= ratio <= high:
                out.append(
                    {
                        "date": str(date),
                        "rows": rows,
                        "day_before": previous,
                        "ratio": round(ratio, 3),
                    }
                )
        previous = rows
    return out

"""Data checks of the lake datasets, run on each day before it is published.

Each checked dataset has a dataframely schema, derived from its declaration in
``warehouse/datasets.py``: column types and nullability, value rules (ranks from 1,
well-formed ids, non-negative counts), its grain (one row per grain) and rules over
groups of rows (a chart's ranks run 1..N without gaps). ``check_day`` splits a
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
from assets.storage import atomic_write_bytes
from warehouse.datasets import DATASETS, Column, Dataset


def dataframely_schema(dataset: Dataset) -> type[dy.Schema]:
    """The dataframely schema of a dataset's declaration (warehouse/datasets.py): a
    column per column, with its value rules, the grain as a rule (one row per grain,
    named ``dataset.grain_rule``) and the dataset's rules over rows."""
    attributes: dict[str, object] = {c.name: _column(c) for c in dataset.columns}
    grain = list(dataset.grain)
    attributes[dataset.grain_rule] = dy.rule()(lambda cls: pl.len().over(grain) == 1)
    for rule in dataset.rules:
        attributes[rule.name] = dy.rule()(lambda cls, valid=rule.valid: valid())
    name = "".join(part.title() for part in dataset.name.split("_"))
    return type(name, (dy.Schema,), attributes)


def _column(column: Column) -> dy.Column:
    kind = {
        pl.Date: dy.Date,
        pl.String: dy.String,
        pl.Int32: dy.Int32,
        pl.Int64: dy.Int64,
        pl.Float64: dy.Float64,
    }[column.dtype.base_type()]
    options: dict[str, object] = {"nullable": column.nullable}
    if column.regex is not None:
        options["regex"] = column.regex
    if column.min_length is not None:
        options["min_length"] = column.min_length
    if column.min is not None:
        options["min"] = column.min
    if column.values is not None:
        options["check"] = lambda c, values=list(column.values): c.is_in(values)
    return kind(**options)


SCHEMAS: dict[str, type[dy.Schema]] = {
    dataset.name: dataframely_schema(dataset) for dataset in DATASETS if dataset.checked
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

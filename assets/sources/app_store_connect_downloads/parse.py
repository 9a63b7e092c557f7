"""Parse a user's App Store Connect Analytics Reports, "App Store Downloads"
(Standard or Detailed), into app estimates.

A report segment is tab-separated text with a header; its columns are found by
name. First-time downloads of an app in a territory on a day are the sum of
``Counts`` over its rows whose ``Download Type`` is ``First-time download``, across
every other dimension (version, device, source, page, ...).

Late corrections: a row is the counts of one date and one combination of every other
column (the dimensions); where several files hold a row of the same date and
dimensions, the latest file's counts (``archive_order``; within a file, the last
row's). Where a Standard and a Detailed report both hold an app's day, the Standard
one counts (the Detailed splits the same downloads finer): never both. An empty
``Counts`` (withheld) counts as 0. Every day of every file is returned; the source's
feed keeps the day's rows (``Day.own``).
"""

from __future__ import annotations

import polars as pl

from assets.parsing import (
    FIELDS,
    FILE,
    LINE,
    NAMES,
    ORDER,
    archive_order,
    conform,
    failing,
    number_files,
    raise_first_problem,
    tab_separated_rows,
)
from assets.schemas import APP_ESTIMATES

RAW_SOURCE = "app_store_connect_downloads"  # the archive, and the rows' source label
WHAT = "an App Store Connect App Store Downloads report (Standard or Detailed)"

DATE = "Date"
APP_NAME = "App Name"
APP_ID = "App Apple Identifier"
DOWNLOAD_TYPE = "Download Type"
TERRITORY = "Territory"
COUNTS = "Counts"
REQUIRED = (DATE, APP_NAME, APP_ID, DOWNLOAD_TYPE, TERRITORY, COUNTS)
FIRST_TIME = "First-time download"


def parse_downloads(batch: pl.DataFrame) -> pl.DataFrame:
    """APP_ESTIMATES rows (first-time downloads per app, territory and day; ``dau``
    null; ``source`` ``app_store_connect_downloads``) of every day of every report in a
    RAW_BATCH; RawFileError naming the first bad file, and nothing returned."""
    files = report_files(batch)
    rows, headers, problems = report_rows(files)
    raise_first_problem(RAW_SOURCE, files, problems)
    rows = rows.join(_dimensions(headers), on=FILE).join(archive_order(files), on=FILE)
    latest = (
        rows.with_columns(
            dimensions=pl.concat_str(
                "signature",
                pl.col(FIELDS)
                .list.gather(pl.col("key_at"))
                .list.eval(pl.element().str.strip_chars())
                .list.join("\t"),
                separator="\n",
            )
        )
        .sort(ORDER, LINE)
        .unique("dimensions", keep="last", maintain_order=True)
    )
    # The report with the fewest dimensions (the Standard) of an app's day.
    coarsest = pl.col("width") == pl.col("width").min().over(APP_ID, "day")
    downloads = (
        latest.filter(coarsest, pl.col(DOWNLOAD_TYPE) == FIRST_TIME)
        .group_by(APP_ID, "country", "day")
        .agg(
            downloads=pl.col("counts").sum().round().cast(pl.Int64),
            app_name=pl.col(APP_NAME).drop_nulls().last(),
        )
        .sort("day", "country", APP_ID)
    )
    return conform(
        downloads.with_columns(
            date=pl.col("day"),
            store=pl.lit("app_store"),
            app_id=pl.col(APP_ID),
            dau=pl.lit(None, pl.Int64),
            source=pl.lit(RAW_SOURCE),
        ),
        APP_ESTIMATES,
    )


def report_files(batch: pl.DataFrame) -> pl.DataFrame:
    """The batch's files, numbered, each with its text (a UTF-8 byte-order mark removed)."""
    return number_files(batch).with_columns(text=pl.col("body").str.strip_prefix("\ufeff"))


def report_rows(files: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]:
    """Every row of every report, with its ``day``, lower-case ``country`` and
    ``counts`` read; each file's column names; the problems, in priority order."""
    rows, headers, read_problems = tab_separated_rows(files, REQUIRED, WHAT)
    counts = pl.col(COUNTS).cast(pl.Float64, strict=False)
    rows = rows.with_columns(
        day=pl.col(DATE).str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        counts=counts.fill_null(0.0),
        country=pl.col(TERRITORY).str.to_lowercase(),
    )
    shown = {c: pl.col(c).fill_null("") for c in REQUIRED}
    problems = [
        *read_problems,
        failing(
            rows,
            pl.col("day").is_null(),
            pl.format("Date is '{}' on line {}, expected YYYY-MM-DD", shown[DATE], LINE),
        ),
        failing(
            rows,
            ~shown[TERRITORY].str.contains(r"^[A-Za-z]{2}$"),
            pl.format(
                "Territory is '{}' on line {}, expected a two-letter code", shown[TERRITORY], LINE
            ),
        ),
        failing(
            rows,
            ~shown[APP_ID].str.contains(r"^[0-9]+$"),
            pl.format(
                "App Apple Identifier is '{}' on line {}, expected the app's App Store id (digits)",
                shown[APP_ID],
                LINE,
            ),
        ),
        failing(
            rows,
            pl.col(COUNTS).is_not_null() & (counts.is_null() | ~counts.is_finite()),
            pl.format("Counts is '{}' on line {}, expected a number", shown[COUNTS], LINE),
        ),
        failing(
            rows,
            (counts < 0) | (counts != counts.round()),
            pl.format(
                "Counts is '{}' on line {}, expected a whole number, not negative",
                shown[COUNTS],
                LINE,
            ),
        ),
    ]
    return rows, headers, problems


def _dimensions(headers: pl.DataFrame) -> pl.DataFrame:
    """Per file: where its dimensions are (every column but Counts, in the order of
    their names, so that a row's dimensions read the same whatever the column order),
    their names (``signature``: a Standard row never matches a Detailed one) and how
    many there are (``width``)."""
    found = []
    for file, names in headers.select(FILE, NAMES).iter_rows():
        at = sorted((i for i, name in enumerate(names) if name != COUNTS), key=lambda i: names[i])
        found.append((file, at, "\t".join(names[i] for i in at), len(at)))
    return pl.DataFrame(
        found,
        schema={
            FILE: pl.UInt32,
            "key_at": pl.List(pl.UInt32),
            "signature": pl.String,
            "width": pl.UInt32,
        },
        orient="row",
    )

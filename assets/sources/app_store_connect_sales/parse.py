"""Parse a user's App Store Connect Summary Sales reports (daily) into app estimates.

A report is tab-separated text with a header; its columns are found by name, so
every version reads the same (28 columns since version 1_3; 21 in 2013, 22 in 2014,
24 in 2015). First-time downloads of an app in a country on a day are the sum of
``Units`` over the rows of the app product types (``DOWNLOAD_TYPES``): re-downloads
(3, 3F), updates (7, ...) and in-app purchases (IA1, ...) are not downloads. Refunds
(negative units) are netted against the day's downloads, and a net below zero counts
as 0. Where two files give the same app's day (one report imported under two names,
or a report downloaded again), the latest file's rows count, not both.

A weekly, monthly or yearly report (``Begin Date`` != ``End Date``) is refused: its
units are not a day's. Every day of every file is returned; the source's feed keeps
the day's rows (``Day.own``).
"""

from __future__ import annotations

import polars as pl

from assets.parsing import (
    FILE,
    LINE,
    ORDER,
    archive_order,
    conform,
    failing,
    number_files,
    raise_first_problem,
    tab_separated_rows,
)
from assets.schemas import APP_ESTIMATES

RAW_SOURCE = "app_store_connect_sales"  # the archive, and the rows' source label
WHAT = "an App Store Connect Summary Sales report"

TITLE = "Title"
PRODUCT_TYPE = "Product Type Identifier"
UNITS = "Units"
BEGIN = "Begin Date"
END = "End Date"
COUNTRY = "Country Code"
APPLE_ID = "Apple Identifier"
REQUIRED = (TITLE, PRODUCT_TYPE, UNITS, BEGIN, END, COUNTRY, APPLE_ID)

# Product Type Identifiers of a first-time download: an app (iOS, iPadOS, visionOS,
# watchOS), a universal app, an iPad app, a Mac app, custom apps.
DOWNLOAD_TYPES = ("1", "1F", "1T", "F1", "1E", "1EP", "1EU")

DAY_FORMAT = "%m/%d/%Y"


def parse_sales(batch: pl.DataFrame) -> pl.DataFrame:
    """APP_ESTIMATES rows (first-time downloads per app, country and day; ``dau``
    null; ``source`` ``app_store_connect_sales``) of every day of every report in a
    RAW_BATCH; RawFileError naming the first bad file, and nothing returned."""
    files = report_files(batch)
    rows, problems = report_rows(files)
    raise_first_problem(RAW_SOURCE, files, problems)
    apps = rows.filter(pl.col(PRODUCT_TYPE).is_in(DOWNLOAD_TYPES)).join(
        archive_order(files), on=FILE
    )
    # Of the files that give an app's day, the latest's rows.
    apps = apps.filter(pl.col(ORDER) == pl.col(ORDER).max().over(APPLE_ID, "day"))
    downloads = (
        apps.sort(ORDER, LINE)
        .group_by(APPLE_ID, "country", "day")
        .agg(
            downloads=pl.col("units").sum().round().cast(pl.Int64),
            app_name=pl.col(TITLE).drop_nulls().last(),
        )
        .sort("day", "country", APPLE_ID)
    )
    return conform(
        downloads.with_columns(
            date=pl.col("day"),
            store=pl.lit("app_store"),
            app_id=pl.col(APPLE_ID),
            downloads=pl.col("downloads").clip(lower_bound=0),
            dau=pl.lit(None, pl.Int64),
            source=pl.lit(RAW_SOURCE),
        ),
        APP_ESTIMATES,
    )


def report_files(batch: pl.DataFrame) -> pl.DataFrame:
    """The batch's files, numbered, each with its text (a UTF-8 byte-order mark removed)."""
    return number_files(batch).with_columns(text=pl.col("body").str.strip_prefix("\ufeff"))


def report_rows(files: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Every row of every report, with its ``day``, lower-case ``country`` and
    ``units`` read; and the problems of the files, in priority order."""
    rows, _, read_problems = tab_separated_rows(files, REQUIRED, WHAT)
    begin = pl.col(BEGIN).str.strptime(pl.Date, DAY_FORMAT, strict=False)
    end = pl.col(END).str.strptime(pl.Date, DAY_FORMAT, strict=False)
    units = pl.col(UNITS).cast(pl.Float64, strict=False)
    app = pl.col(PRODUCT_TYPE).is_in(DOWNLOAD_TYPES)
    rows = rows.with_columns(day=begin, end_day=end, units=units)
    shown = {c: pl.col(c).fill_null("") for c in REQUIRED}
    problems = [
        *read_problems,
        failing(
            rows,
            pl.col("day").is_null(),
            pl.format("Begin Date is '{}' on line {}, expected MM/DD/YYYY", shown[BEGIN], LINE),
        ),
        failing(
            rows,
            pl.col("end_day").is_null(),
            pl.format("End Date is '{}' on line {}, expected MM/DD/YYYY", shown[END], LINE),
        ),
        failing(
            rows,
            pl.col("day") != pl.col("end_day"),
            pl.format(
                "line {} runs from {} to {} (Begin Date, End Date): a weekly, monthly or yearly"
                " report, whose units are not a day's; import the daily reports"
                " (S_D_<vendor>_<yyyymmdd>.txt) instead",
                LINE,
                BEGIN,
                END,
            ),
        ),
        failing(
            rows,
            ~shown[COUNTRY].str.contains(r"^[A-Za-z]{2}$"),
            pl.format(
                "Country Code is '{}' on line {}, expected a two-letter code", shown[COUNTRY], LINE
            ),
        ),
        failing(
            rows,
            app & ~shown[APPLE_ID].str.contains(r"^[0-9]+$"),
            pl.format(
                "Apple Identifier is '{}' on line {}, expected the app's App Store id (digits)",
                shown[APPLE_ID],
                LINE,
            ),
        ),
        failing(
            rows,
            app & (pl.col("units").is_null() | ~pl.col("units").is_finite()),
            pl.format("Units is '{}' on line {}, expected a number", shown[UNITS], LINE),
        ),
        failing(
            rows,
            app & (pl.col("units") != pl.col("units").round()),
            pl.format("Units is '{}' on line {}, expected a whole number", shown[UNITS], LINE),
        ),
    ]
    return rows.with_columns(pl.col(COUNTRY).str.to_lowercase().alias("country")), problems

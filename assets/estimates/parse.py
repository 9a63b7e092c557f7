"""Parse archived vendor estimates CSVs into app estimates. Any vendor export
(Sensor Tower, Appfigures, App Store Connect) converted to the documented header
``date,country,store,app_id,app_name,downloads,dau`` can be dropped into the raw
archive; this module reads every file of a batch as text (App Store ids are
digits but must keep leading zeros), checks each row against its partition and
returns APP_ESTIMATES rows labelled with the caller's ``source``. A file with a
different header, a row of another day or country, an unknown store or a count
that is not a non-negative whole number raises RawFileError naming the file and
its line (line 1 is the header), and nothing partial is returned.
"""

from __future__ import annotations

import csv
import io

import polars as pl

from assets.apple.parse import FILE, PROBLEM, conform, failing, number_files, raise_first_problem
from assets.schemas import APP_ESTIMATES, STORES

RAW_SOURCE = "vendor_estimates"
HEADER = "date,country,store,app_id,app_name,downloads,dau"
COLUMNS = HEADER.split(",")
LINE = "line"  # line number in the file, the header being line 1

# A field in double quotes (where "" is a quote): commas inside it separate nothing.
_QUOTED_FIELD = r'"(?:[^"]|"")*"'


def parse_estimates_csv(batch: pl.DataFrame, source: str = "sample") -> pl.DataFrame:
    """App estimates of archived vendor estimates CSVs (``vendor_estimates``).

    ``batch`` is a RAW_BATCH of CSV files; ``source`` labels the rows (``sample``,
    ``import``, ``appfigures``, ...). A file with only the header holds no rows.
    """
    files = number_files(batch).with_columns(
        text=pl.col("body").str.strip_prefix("\ufeff"),  # spreadsheet exports often add a BOM
    )
    files = files.with_columns(header=pl.col("text").str.extract(r"^([^\r\n]*)"))
    readable_header = [
        failing(files, pl.col("text").str.strip_chars() == "", pl.lit("empty file: no header")),
        failing(
            files,
            pl.col("header") != HEADER,
            pl.format(
                "header is '{}', expected exactly '{}'",
                pl.col("header").str.head(200),
                pl.lit(HEADER),
            ),
        ),
    ]
    ragged = _ragged_lines(files.filter(pl.col("header") == HEADER))
    to_read = files.filter(pl.col("header") == HEADER, ~pl.col(FILE).is_in(ragged[FILE].implode()))
    rows, unreadable = _read_rows(to_read)
    rows = rows.join(
        files.select(FILE, "date", "country", "path"), on=FILE, how="left", suffix="_of_file"
    )
    downloads = pl.col("downloads").str.to_integer(strict=False)
    dau = pl.col("dau").str.to_integer(strict=False)
    app = pl.format("app {} on line {}", "app_id", LINE)
    # The first row of each app, to name it when a later row repeats the app.
    rows = rows.with_columns(
        first=pl.struct("path", LINE)
        .first()
        .over("date_of_file", "country_of_file", "store", "app_id")
    )
    first = pl.col("first")
    raise_first_problem(
        RAW_SOURCE,
        files,
        [
            *readable_header,
            ragged,
            unreadable,
            failing(
                rows,
                pl.col("date") != pl.col("date_of_file").dt.to_string("%Y-%m-%d"),
                pl.format(
                    "date is '{}' on line {}, but the file is archived under date={}",
                    "date",
                    LINE,
                    "date_of_file",
                ),
            ),
            failing(
                rows,
                pl.col("country") != pl.col("country_of_file"),
                pl.format(
                    "country is '{}' on line {}, but the file is archived under country={}",
                    "country",
                    LINE,
                    "country_of_file",
                ),
            ),
            failing(
                rows,
                ~pl.col("store").is_in(STORES),
                pl.format(
                    "store is '{}' on line {} (expected app_store or google_play)", "store", LINE
                ),
            ),
            failing(
                rows, pl.col("app_id").is_null(), pl.format("app_id is empty on line {}", LINE)
            ),
            failing(
                rows, pl.col("downloads").is_null(), pl.format("downloads is empty for {}", app)
            ),
            failing(
                rows,
                downloads.is_null(),
                pl.format("downloads is not a whole number ('{}') for {}", "downloads", app),
            ),
            failing(
                rows, downloads < 0, pl.format("downloads is negative ({}) for {}", downloads, app)
            ),
            failing(
                rows,
                pl.col("dau").is_not_null() & dau.is_null(),
                pl.format("dau is not a whole number ('{}') for {}", "dau", app),
            ),
            failing(rows, dau < 0, pl.format("dau is negative ({}) for {}", dau, app)),
            failing(
                rows,
                pl.struct("path", LINE) != first,
                pl.format(
                    "{} repeats {} {} of line {} of {}",
                    app,
                    "store",
                    "app_id",
                    first.struct.field(LINE),
                    first.struct.field("path"),
                ),
            ),
        ],
    )
    return conform(
        rows.with_columns(
            date=pl.col("date_of_file"),
            downloads=downloads,
            dau=dau,
            source=pl.lit(source),
        ),
        APP_ESTIMATES,
    )


def _ragged_lines(files: pl.DataFrame) -> pl.DataFrame:
    """Lines without exactly one field per column, which the CSV reader would pad with nulls.

    Quoted fields are removed before counting commas; a line with an odd number of
    quotes is part of a field spanning lines and is left to the reader.
    """
    line = pl.col("line_text")
    lines = (
        files.select(FILE, line_text=pl.col("text").str.split("\n"))
        .with_columns(pl.int_ranges(1, pl.col("line_text").list.len() + 1).alias(LINE))
        .explode("line_text", LINE)
        .with_columns(line.str.strip_chars_end("\r"))
        .filter(
            pl.col(LINE) > 1,
            line.str.strip_chars() != "",
            line.str.count_matches('"', literal=True) % 2 == 0,
        )
        .with_columns(fields=line.str.replace_all(_QUOTED_FIELD, "").str.count_matches(",") + 1)
    )
    return failing(
        lines,
        pl.col("fields") != len(COLUMNS),
        pl.format(
            "line {} has {} fields, expected {} ({})",
            LINE,
            "fields",
            pl.lit(len(COLUMNS)),
            pl.lit(HEADER),
        ),
    )


def _read_rows(files: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every row of every file as text, with its file and line; and the unreadable files."""
    frames = [pl.DataFrame(schema={LINE: pl.UInt32} | dict.fromkeys(COLUMNS, pl.String))]
    read, unreadable = [], []
    for file, text in files.select(FILE, "text").iter_rows():
        try:
            # The reader gives a blank line a row of nulls, which keeps line numbers right.
            frames.append(
                pl.read_csv(
                    text.encode(),
                    schema_overrides=dict.fromkeys(COLUMNS, pl.String),
                    infer_schema=False,
                    row_index_name=LINE,
                    row_index_offset=2,
                )
            )
            read.append(file)
        except pl.exceptions.PolarsError as exc:
            unreadable.append((file, _csv_problem(text, exc)))
    heights = pl.Series([frame.height for frame in frames[1:]], dtype=pl.UInt32)
    rows = pl.concat(frames).with_columns(
        pl.Series(FILE, read, dtype=pl.UInt32).repeat_by(heights).explode(),
        # A quoted empty field ("") is as empty as a bare one.
        *(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in COLUMNS),
    )
    problems = pl.DataFrame(unreadable, schema={FILE: pl.UInt32, PROBLEM: pl.String}, orient="row")
    return rows.filter(pl.any_horizontal(pl.col(COLUMNS).is_not_null())), problems


def _csv_problem(text: str, exc: Exception) -> str:
    """Where a CSV the reader refused goes wrong, found with Python's csv module."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            if row and len(row) != len(COLUMNS):
                return f"line {reader.line_num} has {len(row)} fields, expected {len(COLUMNS)}"
    except csv.Error as error:
        return f"unreadable CSV: {error} (line {reader.line_num})"
    return f"unreadable CSV: {str(exc).splitlines()[0]}"

"""Parse Google Play Console installs reports (the ``country`` dimension) into app
estimates.

A report is one app's month, ``installs_<package>_<yyyyMM>_country.csv``, one row per
day and country, comma-separated (Google writes UTF-16 with a BOM; the archive hands
the parser text, see assets/raw.py). Columns are found by their header NAME (case and
surrounding spaces ignored, so ``Package name`` is ``Package Name``), never by
position: every documented column set is read (the current 13 columns; before 2016-12
``Current Device Installs``/``Current User Installs``, ``Active Device Installs`` only
from 2016-09, the three ``... events`` columns only from 2017-11). Only ``Date``,
``Package Name``, ``Country`` and ``Daily User Installs`` are read: downloads are
``Daily User Installs`` (unique users installing that day; ``Install events`` count
re-installs too).

The rows of every day the report holds are returned (the source's feed keeps the
day's, ``Day.own``). A report without a ``Country`` column (the ``overview`` file, or
another dimension's), a row that is not one day of the file's month and app, a country
that is not a two-letter code, a day and country given twice, or a count that is not a
non-negative whole number raises RawFileError naming the file and its line (line 1 is
the header), and nothing partial is returned.
"""

from __future__ import annotations

import csv
import io
import re

import polars as pl

from assets.parsing import FILE, PROBLEM, conform, failing, number_files, raise_first_problem
from assets.schemas import APP_ESTIMATES
from warehouse.datasets import PLAY_PACKAGE

RAW_SOURCE = "play_console_installs"
LABEL = RAW_SOURCE  # the rows' ``source``
LINE = "line"  # line number in the file, the header being line 1

# The columns read, by their header name as Google writes it now.
DATE, PACKAGE, COUNTRY, INSTALLS = "Date", "Package Name", "Country", "Daily User Installs"
READ = (DATE, PACKAGE, COUNTRY, INSTALLS)
_KEYS = {"date": DATE, "package": PACKAGE, "country": COUNTRY, "installs": INSTALLS}

# installs_<package>_<yyyyMM>_<dimension>.csv, as the Cloud Storage bucket names it.
FILE_NAME = re.compile(r"^installs_(?P<package>.+)_(?P<month>\d{6})_(?P<dimension>[a-z_]+)\.csv$")
DIMENSIONS = ("overview", "app_version", "carrier", "country", "device", "language", "os_version")


def country_file(package: str, month: str) -> str:
    """The name of the report Chartwatch reads."""
    return f"installs_{package}_{month}_country.csv"


def parse_installs(batch: pl.DataFrame) -> pl.DataFrame:
    """App estimates of every day of archived Play Console country reports.

    ``batch`` is a RAW_BATCH of report texts; rows are labelled
    ``source = play_console_installs``, store ``google_play``, ``app_name`` and
    ``dau`` null (the report has neither). A report with only its header holds no rows.
    """
    files = number_files(batch).with_columns(text=pl.col("body").str.strip_prefix("\ufeff"))
    rows, unreadable = _read_rows(files)
    date = pl.col("date").str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    installs = pl.col("installs").str.to_integer(strict=False)
    first = pl.col("first")
    on_line = pl.format("on line {}", LINE)
    rows = rows.with_columns(
        day=date,
        downloads=installs,
        # Line 2's app and month: the file's.
        first=pl.struct("package", LINE, month=pl.col("date").str.slice(0, 7)).first().over(FILE),
    )
    key = [FILE, "date", "country"]
    repeats = rows.filter(pl.struct(key).is_duplicated()).with_columns(
        first_line=pl.col(LINE).first().over(key)
    )
    raise_first_problem(
        RAW_SOURCE,
        files,
        [
            unreadable,
            failing(rows, pl.col("date").is_null(), pl.format("Date is empty {}", on_line)),
            failing(
                rows,
                pl.col("date").str.contains(r"^\d{4}-\d{2}-\d{2}$").not_() | date.is_null(),
                pl.format("Date is '{}' {}, expected YYYY-MM-DD", "date", on_line),
            ),
            failing(
                rows, pl.col("package").is_null(), pl.format("Package Name is empty {}", on_line)
            ),
            failing(
                rows,
                ~pl.col("package").str.contains(PLAY_PACKAGE),
                pl.format("Package Name is '{}' {}: not a package name", "package", on_line),
            ),
            failing(
                rows,
                pl.col("package") != first.struct.field("package"),
                pl.format(
                    "Package Name is '{}' {}, but '{}' on line {}: a report is one app's",
                    "package",
                    on_line,
                    first.struct.field("package"),
                    first.struct.field(LINE),
                ),
            ),
            failing(
                rows,
                pl.col("date").str.slice(0, 7) != first.struct.field("month"),
                pl.format(
                    "Date is {} {}, but line {} is of {}: a report is one month's",
                    "date",
                    on_line,
                    first.struct.field(LINE),
                    first.struct.field("month"),
                ),
            ),
            failing(rows, pl.col("country").is_null(), pl.format("Country is empty {}", on_line)),
            failing(
                rows,
                ~pl.col("country").str.contains(r"^[A-Za-z]{2}$"),
                pl.format("Country is '{}' {}, expected a two-letter code", "country", on_line),
            ),
            failing(
                rows,
                pl.col("installs").is_null(),
                pl.format("Daily User Installs is empty {}", on_line),
            ),
            failing(
                rows,
                installs.is_null(),
                pl.format(
                    "Daily User Installs is not a whole number ('{}') {}", "installs", on_line
                ),
            ),
            failing(
                rows,
                installs < 0,
                pl.format("Daily User Installs is negative ({}) {}", installs, on_line),
            ),
            failing(
                repeats,
                pl.col(LINE) != pl.col("first_line"),
                pl.format(
                    "line {} repeats Date {} and Country {} of line {}",
                    LINE,
                    "date",
                    "country",
                    "first_line",
                ),
            ),
        ],
    )
    return conform(
        rows.with_columns(
            date=pl.col("day"),
            country=pl.col("country").str.to_lowercase(),
            store=pl.lit("google_play"),
            app_id=pl.col("package"),
            app_name=pl.lit(None, pl.String),
            dau=pl.lit(None, pl.Int64),
            source=pl.lit(LABEL),
        ).sort(FILE, LINE),
        APP_ESTIMATES,
    )


_ROWS = {FILE: pl.UInt32, LINE: pl.UInt32} | dict.fromkeys(_KEYS, pl.String)


def _read_rows(files: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The read columns of every row of every file, with its file and line (empty
    fields as null); and the (file, problem) of files that cannot be read."""
    columns: dict[str, list] = {name: [] for name in _ROWS}
    problems: list[tuple[int, str]] = []
    for file, item, text in files.select(FILE, "item", "text").iter_rows():
        try:
            found = _read_file(item, text)
        except _Unreadable as problem:
            problems.append((file, str(problem)))
            continue
        for name, values in found.items():
            columns[name].extend(values)
        columns[FILE].extend([file] * len(found[LINE]))
    rows = pl.DataFrame(columns, schema=_ROWS).with_columns(
        pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c).str.strip_chars()).alias(c)
        for c in _KEYS
    )
    return rows, pl.DataFrame(problems, schema={FILE: pl.UInt32, PROBLEM: pl.String}, orient="row")


class _Unreadable(ValueError):
    """A file that is not a readable country report, and why."""


def _read_file(item: str, text: str) -> dict[str, list]:
    if "\x00" in text:
        raise _Unreadable(
            "the text holds NUL characters: UTF-16 without a byte order mark? Import the"
            " file as Google Play Console wrote it (UTF-16 with a BOM) or as UTF-8"
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(name.strip() for name in header):
            raise _Unreadable("empty file: no header")
        names = [name.strip().lower() for name in header]
        where = {key: _position(names, column) for key, column in _KEYS.items()}
        absent = [_KEYS[key] for key, at in where.items() if at is None]
        if where["country"] is None and not absent[1:]:
            raise _Unreadable(_not_the_country_report(item, names, reader))
        if absent:
            raise _Unreadable(
                f"the header lacks {', '.join(absent)} (it has: {', '.join(header)[:300]}):"
                " not a Play Console installs report by country"
            )
        found: dict[str, list] = {LINE: [], **{key: [] for key in _KEYS}}
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(header):
                raise _Unreadable(
                    f"line {reader.line_num} has {len(row)} fields, expected {len(header)}"
                    " (one per column of the header)"
                )
            found[LINE].append(reader.line_num)
            for key, at in where.items():
                found[key].append(row[at])
    except csv.Error as error:
        raise _Unreadable(f"unreadable CSV: {error} (line {reader.line_num})") from error
    return found


def _position(names: list[str], column: str) -> int | None:
    wanted = column.lower()
    return names.index(wanted) if wanted in names else None


def _not_the_country_report(item: str, names: list[str], reader) -> str:
    """Says which report a file without a Country column is, and which to import."""
    named = FILE_NAME.match(item if item.endswith(".csv") else f"{item}.csv")
    first = next(reader, None) or []
    package = month = None
    if len(first) == len(names):
        package = first[names.index(PACKAGE.lower())].strip() or None
        month = first[names.index(DATE.lower())].strip()[:7].replace("-", "") or None
    if named:
        package = package or named["package"]
        month = month or named["month"]
        which = f"the {named['dimension']} report"
    else:
        which = "the overview report (or another dimension's)"
    return (
        f"no Country column: this is {which}, not the installs report by country; import"
        f" {country_file(package or '<package>', month or '<yyyyMM>')} (beside it in the"
        " bucket's stats/installs/ folder)"
    )

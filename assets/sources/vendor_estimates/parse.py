"""Parse archived vendor estimates CSVs into app estimates. Any vendor export
(Sensor Tower, Appfigures, App Store Connect) converted to the documented header
``date,country,store,app_id,app_name,downloads,dau`` can be dropped into the raw
archive; this module reads every file of a batch as text (App Store ids are
digits but must keep leading zeros), checks each row against its partition and
returns APP_ESTIMATES rows labelled with the caller's ``source``. The batch is
read as one CSV; only when that fails are its files read one by one, to name the
one that cannot be read. A file with a different header, a row of another day or
country, an unknown store or a count that is not a non-negative whole number
raises RawFileError naming the file and its line (line 1 is the header), and
nothing partial is returned.
"""

from __future__ import annotations

import csv
import io

import polars as pl

from assets.parsing import FILE, PROBLEM, conform, failing, number_files, raise_first_problem
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
        files.select(
            FILE,
            "date",
            "country",
            "path",
            # Formatted once per file, not once per row.
            date_text=pl.col("date").dt.to_string("%Y-%m-%d"),
        ),
        on=FILE,
        how="left",
        suffix="_of_file",
    )
    downloads = pl.col("downloads").str.to_integer(strict=False)
    dau = pl.col("dau").str.to_integer(strict=False)
    app = pl.format("app {} on line {}", "app_id", LINE)
    # The first row of each app, to name it when a later row repeats the app; only
    # the rows of apps seen twice need it (a window over every row is slow).
    app_key = ["date_of_file", "country_of_file", "store", "app_id"]
    repeats = rows.filter(pl.struct(app_key).is_duplicated()).with_columns(
        first=pl.struct("path", LINE).first().over(app_key)
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
                pl.col("date") != pl.col("date_text"),
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
                repeats,
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
    rows = _read_all_at_once(files)
    if rows is None:
        rows, unreadable = _read_one_by_one(files)
    else:
        unreadable = pl.DataFrame(schema={FILE: pl.UInt32, PROBLEM: pl.String})
    rows = rows.with_columns(
        # A quoted empty field ("") is as empty as a bare one.
        *(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in COLUMNS),
    )
    return rows.filter(pl.any_horizontal(pl.col(COLUMNS).is_not_null())), unreadable


_READ_OPTIONS = {
    "schema_overrides": dict.fromkeys(COLUMNS, pl.String),
    "infer_schema": False,
    # The reader gives a blank line a row of nulls, which keeps line numbers right.
    "row_index_name": LINE,
}
# Followed by a file's position, stands for its header line in a batch read as one
# CSV. A NUL is in no text export; should a file hold a row like a mark anyway, the
# marks come back out of order and the files are read one by one.
_FILE_MARK = "\x00file "


def _read_all_at_once(files: pl.DataFrame) -> pl.DataFrame | None:
    """All files read as one CSV, each file's rows after a line marking its start.

    One read of the whole batch is many times faster than a read per file. It
    stands only if every mark comes back as a row of its own, in order: a file the
    reader cannot split into rows (a quote left open) runs into the next mark, and
    then None says to read the files one by one.
    """
    # Each file's rows, its header line dropped, end with a line break so that the
    # next mark starts a line.
    body = pl.col("text").str.replace(r"^[^\n]*(?:\n|$)", "")
    ended = pl.when((body == "") | body.str.ends_with("\n")).then(body).otherwise(body + "\n")
    marked = pl.concat_str(pl.lit(_FILE_MARK), pl.col(FILE), pl.lit("\n"), ended)
    text = files.select(pl.concat_str(pl.lit(HEADER + "\n"), marked.str.join("")).cast(pl.Binary))
    try:
        rows = pl.read_csv(text.item(), row_index_offset=1, **_READ_OPTIONS)
    except pl.exceptions.PolarsError:
        return None
    mark = pl.col("date").str.strip_prefix(_FILE_MARK)
    is_mark = pl.col("date").str.starts_with(_FILE_MARK) & pl.all_horizontal(
        pl.col(COLUMNS[1:]).is_null()
    )
    marks = rows.filter(is_mark).select(mark).to_series()
    if not marks.equals(files[FILE].cast(pl.String), check_names=False):
        return None
    return (
        rows.with_columns(
            pl.when(is_mark).then(mark).forward_fill().cast(pl.UInt32).alias(FILE),
            # A mark stands on its file's line 1, the header's.
            (pl.col(LINE) - pl.when(is_mark).then(pl.col(LINE)).forward_fill() + 1).alias(LINE),
        )
        .filter(~is_mark)
        .select(LINE, *COLUMNS, FILE)
    )


def _read_one_by_one(files: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each file read alone: slower, but finds the unreadable ones and says why."""
    frames = [pl.DataFrame(schema={LINE: pl.UInt32} | dict.fromkeys(COLUMNS, pl.String))]
    read, unreadable = [], []
    for file, text in files.select(FILE, "text").iter_rows():
        try:
            frames.append(pl.read_csv(text.encode(), row_index_offset=2, **_READ_OPTIONS))
            read.append(file)
        except pl.exceptions.PolarsError as exc:
            unreadable.append((file, _csv_problem(text, exc)))
    heights = pl.Series([frame.height for frame in frames[1:]], dtype=pl.UInt32)
    rows = pl.concat(frames).with_columns(
        pl.Series(FILE, read, dtype=pl.UInt32).repeat_by(heights).explode()
    )
    problems = pl.DataFrame(unreadable, schema={FILE: pl.UInt32, PROBLEM: pl.String}, orient="row")
    return rows, problems


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

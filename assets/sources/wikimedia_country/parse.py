"""Parse Wikimedia's differentially private daily pageviews per country into search
interest per country.

Wikimedia publishes one file a day (``country_project_page/<yyyy>-<mm>-<dd>.tsv``):
every (country, project, page) whose noisy count passed the release threshold, as
tab-separated lines without a header, seven columns: ``country`` (the English name),
``country_code`` (ISO 3166-1 alpha-2, upper case), ``project`` (``en.wikipedia``),
``page_id``, ``page_title`` (underscores), ``item_id`` (the page's Wikidata item,
empty when it has none) and ``private_count``. A file whose first line names its
columns instead (tab- or comma-separated, any order: at least ``project``,
``page_title``, ``item_id``, ``private_count`` and ``country_code`` or ``country``,
a code or an English name) is read by those names.

The rows of the tracked items (products.toml ``wikidata``) become SEARCH_INTEREST
rows: country lower-cased, source ``wikimedia_country``, term
``<project>/<page_title>`` (one language edition, as the worldwide pageviews name
it), interest the count. Every line of a file is checked, whole columns at a time:
a line with too many or too few fields, a count that is not a whole number, a
country that is not a code, an item id that is not one, or views of a page
counted twice raise RawFileError naming the file and the line (line 1 is the first
line of the file), and nothing partial is returned.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import polars as pl

from assets.parsing import FILE, PROBLEM, conform, failing, number_files, raise_first_problem
from assets.schemas import SEARCH_INTEREST

SOURCE = "wikimedia_country"
# The published files' columns, in order (they have no header line).
PUBLISHED = (
    "country",
    "country_code",
    "project",
    "page_id",
    "page_title",
    "item_id",
    "private_count",
)
NEEDED = ("project", "page_title", "item_id", "private_count")
LINE = "line"  # the line in its file, the first line being 1
# Wikimedia releases a count only above this (since 2023-02-06; 450 from 2017 to
# 2023-02-05, 3500 before); the sample market follows it.
RELEASE_THRESHOLD = 90

_TABLE = {LINE: pl.UInt32, "country_code": pl.String, "country": pl.String} | {
    name: pl.String for name in NEEDED
}
_QUOTED_FIELD = r'"(?:[^"]|"")*"'


def parse_country_pageviews(
    batch: pl.DataFrame, items: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """Search interest per country of archived daily files (``wikimedia_country``).

    ``items`` maps Wikidata item ids to product keys: only their rows are kept.
    None keeps every row of every page, product null: the check of a whole file
    before it is imported.
    """
    files = number_files(batch)
    tables, unreadable = [], []
    for file, body in files.select(FILE, "body").iter_rows():
        table, problem = read_table(body)
        if problem is not None:
            unreadable.append((file, problem))
        else:
            tables.append(table.with_columns(pl.lit(file, pl.UInt32).alias(FILE)))
    rows = pl.concat([pl.DataFrame(schema=_TABLE | {FILE: pl.UInt32}), *tables])
    if items is not None:
        tracked = pl.DataFrame(
            {"item_id": list(items), "product": list(items.values())},
            schema={"item_id": pl.String, "product": pl.String},
        )
        rows = rows.join(tracked, on="item_id", how="inner", maintain_order="left")
    else:
        rows = rows.with_columns(product=pl.lit(None, pl.String))
    rows = (
        rows.join(files.select(FILE, "date", "path"), on=FILE, how="left")
        .with_columns(
            code=country_codes(rows),
            interest=pl.col("private_count").str.strip_chars().str.to_integer(strict=False),
            # A title is written with underscores; a space would be the same page.
            term=pl.concat_str(
                "project",
                pl.lit("/"),
                pl.col("page_title").str.replace_all(" ", "_", literal=True),
            ),
        )
        .with_columns(country=pl.col("code").str.to_lowercase())
    )
    key = ["date", "country", "term"]
    repeats = rows.filter(pl.struct(key).is_duplicated()).with_columns(
        first=pl.struct("path", LINE).first().over(key)
    )
    first = pl.col("first")
    at = pl.format("line {}", LINE)
    raise_first_problem(
        SOURCE,
        files,
        [
            pl.DataFrame(unreadable, schema={FILE: pl.UInt32, PROBLEM: pl.String}, orient="row"),
            failing(
                rows,
                pl.col("code").is_null(),
                pl.format(
                    "country '{}' on {} is no ISO 3166-1 alpha-2 code nor a country's name",
                    pl.coalesce("country_code", "country"),
                    at,
                ),
            ),
            failing(rows, pl.col("project").is_null(), pl.format("{} has no project", at)),
            failing(rows, pl.col("page_title").is_null(), pl.format("{} has no page_title", at)),
            failing(
                rows,
                pl.col("item_id").is_not_null() & ~pl.col("item_id").str.contains(r"^Q[0-9]+$"),
                pl.format("item_id '{}' on {} is not a Wikidata item id (Q...)", "item_id", at),
            ),
            failing(
                rows,
                pl.col("interest").is_null(),
                pl.format(
                    "private_count '{}' on {} is not a whole number",
                    pl.col("private_count").fill_null(""),
                    at,
                ),
            ),
            failing(
                rows,
                pl.col("interest") < 0,
                pl.format("private_count on {} is negative ({})", at, "interest"),
            ),
            failing(
                repeats,
                pl.struct("path", LINE) != first,
                pl.format(
                    "{} repeats the views of {} in {} (line {} of {})",
                    at,
                    "term",
                    "code",
                    first.struct.field(LINE),
                    first.struct.field("path"),
                ),
            ),
        ],
    )
    return conform(rows.with_columns(source=pl.lit(SOURCE)), SEARCH_INTEREST)


def read_table(text: str) -> tuple[pl.DataFrame, str | None]:
    """One file's lines as text columns (``_TABLE``), or the problem that stops it
    being read: no rows of the published layout nor a header naming the columns, or
    a line with another number of fields."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    empty = pl.DataFrame(schema=_TABLE)
    first = text.split("\n", 1)[0]
    if not text.strip():
        return empty, None  # no country passed the threshold: no rows
    separator = "\t" if "\t" in first else ","
    fields = [field.strip().strip('"').lower() for field in first.split(separator)]
    header = any(field in ("private_count", "item_id", "page_title") for field in fields)
    if header:
        columns = fields
        problem = _header_problem(fields, first)
    else:
        columns = list(PUBLISHED)
        problem = (
            None
            if separator == "\t"
            else "not Wikimedia's layout: seven tab-separated columns (country, country_code,"
            " project, page_id, page_title, item_id, private_count) without a header, or a"
            f" header naming the columns; the first line is {first[:120]!r}"
        )
    if problem is None:
        problem = _ragged_line(text, separator, len(columns), header)
    if problem is not None:
        return empty, problem
    if header and not text.partition("\n")[2].strip():
        return empty, None  # the header alone: no rows
    try:
        table = pl.read_csv(
            io.BytesIO(text.encode()),
            separator=separator,
            has_header=False,
            skip_rows=1 if header else 0,
            new_columns=columns,
            infer_schema=False,
            # Titles hold quotes as they are: the published files quote nothing.
            quote_char=None if separator == "\t" else '"',
            row_index_name=LINE,
            row_index_offset=2 if header else 1,
        )
    except pl.exceptions.PolarsError as error:
        return empty, f"unreadable: {str(error).splitlines()[0]}"
    for name in ("country", "country_code"):
        if name not in table.columns:
            table = table.with_columns(pl.lit(None, pl.String).alias(name))
    # A quoted empty field ("") is as empty as a bare one.
    table = table.with_columns(
        pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c)).alias(c)
        for c in _TABLE
        if c != LINE
    )
    return table.select(pl.col(name).cast(dtype) for name, dtype in _TABLE.items()), None


def _header_problem(fields: list[str], first: str) -> str | None:
    missing = [name for name in NEEDED if name not in fields]
    if "country" not in fields and "country_code" not in fields:
        missing.append("country_code (or country)")
    if missing:
        return (
            f"the header lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
            f" (it is {first[:200]!r})"
        )
    twice = sorted({field for field in fields if fields.count(field) > 1 and field})
    if twice:
        return f"the header names {', '.join(twice)} more than once"
    return None


def _ragged_line(text: str, separator: str, columns: int, header: bool) -> str | None:
    """The first line (after the header) without one field per column, which the
    reader would pad or refuse. Quoted fields of a comma-separated file are removed
    before counting; a line with an open quote is left to the reader."""
    line = pl.col("text")
    lines = (
        pl.DataFrame({"text": text.split("\n")})
        .with_row_index(LINE, offset=1)
        .filter(pl.col(LINE) > (1 if header else 0), line.str.strip_chars() != "")
    )
    if separator == ",":
        lines = lines.filter(line.str.count_matches('"', literal=True) % 2 == 0).with_columns(
            line.str.replace_all(_QUOTED_FIELD, "")
        )
    lines = lines.with_columns(fields=line.str.count_matches(separator, literal=True) + 1).filter(
        pl.col("fields") != columns
    )
    if lines.is_empty():
        return None
    number, fields = lines.row(0)[0], lines["fields"][0]
    kind = "tab-separated" if separator == "\t" else "comma-separated"
    return f"line {number} has {fields} {kind} fields, expected {columns}"


def country_codes(table: pl.DataFrame) -> pl.Expr:
    """Each row's ISO code, upper case: ``country_code``, else ``country`` when it is
    a code or an English name (null when it is neither)."""
    given = pl.coalesce("country_code", "country").str.strip_chars()
    code = pl.when(given.str.contains(r"^[A-Za-z]{2}$")).then(given.str.to_uppercase())
    names = (
        table.filter(pl.col("country_code").is_null())
        .select(pl.col("country").str.strip_chars())
        .unique()
        .drop_nulls()
        .to_series()
        .to_list()
    )
    by_name = {name: found for name in names if (found := _code_of_name(name)) is not None}
    if not by_name:
        return code
    named = pl.col("country").str.strip_chars().replace_strict(by_name, default=None)
    return pl.coalesce(code, pl.when(pl.col("country_code").is_null()).then(named))


def _code_of_name(name: str) -> str | None:
    """An English country name's alpha-2 code ('Germany' -> 'DE'), if pycountry knows it."""
    if len(name) == 2:
        return None  # a code, read as one
    import pycountry

    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError:
        return None

"""Import rules of Wikimedia's daily pageviews per country: a file says its day in
its name (Wikimedia's ``<yyyy>-<mm>-<dd>.tsv``, the only place it says it) and its
countries in its rows, so it is imported without DATE or COUNTRY and archived once,
under its day, as ``country_project_page`` with its ending."""

from __future__ import annotations

import datetime as dt
import re

from assets.raw import RawFileError, decode_body
from assets.sources.importing import Span
from assets.sources.wikimedia_country.parse import SOURCE, country_codes, read_table

# The endings a file may have (Wikimedia's own, and the CSV of docs/raw-formats.md),
# plain or gzipped.
SUFFIXES = (".tsv", ".tsv.gz", ".csv", ".csv.gz")
ITEM = "country_project_page"
DOCUMENTED = f"<yyyy>-<mm>-<dd>{{{','.join(SUFFIXES)}}}, archived as {ITEM}.tsv etc."
# 2025-01-27, or as the older releases write it, 2017-2-9.
_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")


def pageviews_span(file_name: str, body: bytes) -> Span:
    """The day the file's name says, the countries of its rows, and its item."""
    day = file_day(file_name)
    text = decode_body(body, SOURCE, day, None, file_name)
    table, problem = read_table(text)
    if problem is not None:
        raise _problem(file_name, day, problem)
    codes = table.select(country_codes(table).alias("code"))["code"]
    countries = sorted({code.lower() for code in codes.drop_nulls().to_list()})
    ending = next(s for s in sorted(SUFFIXES, key=len, reverse=True) if file_name.endswith(s))
    return Span((day,), tuple(countries), ITEM + ending)


def file_day(file_name: str) -> dt.date:
    found = _DAY.search(file_name)
    if found is None:
        raise _problem(
            file_name,
            None,
            "the file's name says no day: Wikimedia names each day's file"
            " <yyyy>-<mm>-<dd>.tsv (2025-01-27.tsv), the only place it says its day;"
            " keep that name",
        )
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError as error:
        raise _problem(file_name, None, f"the name's day {found[0]} is no day ({error})") from error


def _problem(file_name: str, day: dt.date | None, problem: str) -> RawFileError:
    return RawFileError(source=SOURCE, date=day, country=None, path=file_name, problem=problem)

"""Import rules of Play Console installs reports: a report says its own app, month,
days and countries; it is archived once as ``installs_<package>_<yyyyMM>_country.csv``
and gives rows to each of its days. A month grows day by day (Google rewrites the
file daily), so a newer copy adds only the days the archive lacks (``supersedes``
False): an archived day is never rewritten."""

from __future__ import annotations

import datetime as dt
import os

import polars as pl

from assets.raw import RawFileError, decode_body
from assets.schemas import RAW_BATCH
from assets.sources.importing import Span
from assets.sources.play_console_installs.parse import (
    FILE_NAME,
    RAW_SOURCE,
    country_file,
    parse_installs,
)
from warehouse.datasets import WORLDWIDE

DOCUMENTED = "installs_<package>_<yyyyMM>_country.csv (the Play Console's file, by country)"


def installs_span(name: str, body: bytes) -> Span:
    """What a country report holds; RawFileError when it is not one, or its name and
    content disagree (another app or month)."""
    named = FILE_NAME.match(os.path.basename(name))
    if named and named["dimension"] != "country":
        raise _problem(
            name,
            f"this is the {named['dimension']} installs report; Chartwatch reads the one by"
            f" country: import {country_file(named['package'], named['month'])}",
        )
    batch = pl.DataFrame(
        {
            "date": [None],
            "country": [WORLDWIDE],
            "item": [os.path.basename(name).rsplit(".", 1)[0]],
            "path": [name],
            "body": [_text(name, body)],
        },
        schema=RAW_BATCH,
    )
    try:
        rows = parse_installs(batch)
    except RawFileError as error:
        raise _problem(name, error.problem) from error
    if rows.is_empty():
        raise _problem(name, "the report has a header but no rows: it holds no day")
    package = rows["app_id"][0]
    days: list[dt.date] = rows["date"].unique().sort().to_list()
    month = days[0].strftime("%Y%m")
    item = country_file(package, month)
    if named and (named["package"], named["month"]) != (package, month):
        raise _problem(
            name,
            f"the file is named for {named['package']} in {named['month']}, but holds"
            f" {package}'s installs of {days[0]:%Y-%m} (it would be {item})",
        )
    countries = tuple(rows["country"].unique().sort().to_list())
    return Span(tuple(days), countries, item, supersedes=False)


def _text(name: str, body: bytes) -> str:
    """The report's text: Google writes UTF-16 with a byte order mark; a copy saved
    again may be UTF-8 (its BOM is left for the parser) or gzipped."""
    try:
        return decode_body(body, RAW_SOURCE, None, None, name)
    except RawFileError as error:
        raise _problem(name, error.problem) from error


def _problem(name: str, problem: str) -> RawFileError:
    return RawFileError(
        source=RAW_SOURCE,
        date=None,
        country=None,
        path=name,
        problem=problem,
        hint="import the Play Console's installs_<package>_<yyyyMM>_country.csv as Google"
        " wrote it (docs/raw-formats.md); nothing was archived",
    )

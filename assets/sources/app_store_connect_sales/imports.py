"""Import rules of App Store Connect Summary Sales reports: a report says its own
days (``Begin Date``) and countries (``Country Code``); it is archived under its own
name when that is Apple's (``S_D_<vendor>_<yyyymmdd>.txt``, gzipped or not) and names
the day the report holds, else as ``S_D_<yyyymmdd>.txt`` (``.txt.gz`` when gzipped)."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from assets.parsing import raise_first_problem
from assets.raw import RawFileError, decode_body
from assets.schemas import RAW_BATCH
from assets.sources.app_store_connect_sales import parse
from assets.sources.importing import Span

DOCUMENTED = "S_D_<vendor>_<yyyymmdd>.txt or .txt.gz (a daily Summary Sales report)"
# Apple's name of a daily Summary Sales report.
APPLE_NAME = re.compile(r"S_D_[^_/]+_(\d{8})\.txt(?:\.gz)?")
GZIP = b"\x1f\x8b"


def sales_span(name: str, body: bytes) -> Span:
    """The days and countries a report holds, and the item it is archived as."""
    rows = report_rows(name, body)
    days = tuple(rows["day"].unique().sort())
    if not days:
        raise _problem(name, "the report has no rows: no day to import")
    countries = tuple(rows["country"].unique().sort())
    apple = APPLE_NAME.fullmatch(name)
    if apple is None:
        gz = ".gz" if body.startswith(GZIP) else ""
        return Span(days, countries, f"S_D_{days[-1]:%Y%m%d}.txt{gz}")
    try:
        named = dt.datetime.strptime(apple.group(1), "%Y%m%d").date()
    except ValueError:
        named = None
    if named not in days:
        held = ", ".join(str(day) for day in days)
        raise _problem(
            name,
            f"the file is named for {apple.group(1)} but the report holds {held}"
            " (Begin Date): is it another day's report, renamed?",
        )
    return Span(days, countries, name)


def report_rows(name: str, body: bytes) -> pl.DataFrame:
    """Every row of a report being imported (``day``, ``country`` read); RawFileError
    (with no date or country) if it is not a daily Summary Sales report."""
    text = decode_body(body, parse.RAW_SOURCE, None, None, name)
    batch = pl.DataFrame(
        [{"date": None, "country": None, "item": name, "path": name, "body": text}],
        schema=RAW_BATCH,
    )
    files = parse.report_files(batch)
    rows, problems = parse.report_rows(files)
    raise_first_problem(parse.RAW_SOURCE, files, problems)
    return rows


def _problem(name: str, problem: str) -> RawFileError:
    return RawFileError(
        source=parse.RAW_SOURCE, date=None, country=None, path=name, problem=problem
    )

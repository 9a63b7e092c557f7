"""Import rules of App Store Connect "App Store Downloads" report segments: a segment
says its own days (``Date``) and countries (``Territory``) and is archived under its
own file name. The Analytics Reports API serves each segment gzipped, as
``<n>.csv.gz`` (tab-separated despite the name); a gunzipped copy is ``.csv``."""

from __future__ import annotations

import polars as pl

from assets.parsing import raise_first_problem
from assets.raw import RawFileError, decode_body
from assets.schemas import RAW_BATCH
from assets.sources.app_store_connect_downloads import parse
from assets.sources.importing import Span

SUFFIXES = (".csv.gz", ".csv")
DOCUMENTED = (
    "<name>.csv.gz as the Analytics Reports API serves a segment, or .csv gunzipped; named"
    " so that no two segments share a name (e.g. downloads-standard-20250127-0.csv.gz)"
)


def downloads_span(name: str, body: bytes) -> Span:
    """The days and territories a segment holds; it is archived under its own name."""
    if name.startswith("."):
        raise _problem(name, "the file name starts with '.', which the archive hides: rename it")
    text = decode_body(body, parse.RAW_SOURCE, None, None, name)
    batch = pl.DataFrame(
        [{"date": None, "country": None, "item": name, "path": name, "body": text}],
        schema=RAW_BATCH,
    )
    files = parse.report_files(batch)
    rows, _, problems = parse.report_rows(files)
    raise_first_problem(parse.RAW_SOURCE, files, problems)
    days = tuple(rows["day"].unique().sort())
    if not days:
        raise _problem(name, "the report has no rows: no day to import")
    return Span(days, tuple(rows["country"].unique().sort()), name)


def _problem(name: str, problem: str) -> RawFileError:
    return RawFileError(
        source=parse.RAW_SOURCE, date=None, country=None, path=name, problem=problem
    )

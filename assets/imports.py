"""Importing files a user holds into the raw archive (``make import``).

A file is archived unchanged, under the name its source documents
(``docs/raw-formats.md``), once it has passed three checks:

- its source's own parser reads it whole (the lake will read it the same way);
- it gets a documented item name: its own name when that is one (``top-free.json``),
  else the name its content gives (a Google Play chart's collection and category, an
  Apple feed's URL). A file named anything else (``my chart.json``) is archived
  under its chart's name, so the append-only archive never holds two files for one
  chart;
- what the file says of itself agrees with the DATE and COUNTRY it is imported
  under: an Apple feed's storefront and ``updated`` time (its UTC day), a legacy
  feed's own URL, a Google Play chart's or an estimates file's date and country.

A file that says its own days and countries (a user's report: App Store Connect,
Play Console; its source's importer has a ``span``) needs no DATE or COUNTRY; when
given, they must be a day and a country the file holds. It is archived once under
its last day and referenced from the other days (``assets.raw.archive_span``), under
``country=ww``.

Every file is checked before any is archived, so a bad one leaves the archive as
it was; an archived file is never replaced by different bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assets.raw import (
    RawArchiveConflict,
    RawFileError,
    RawResponse,
    archive,
    archive_span,
    partition_dir,
    response_batch,
)
from assets.sources import importable
from assets.sources.importing import SPAN_HINT, Importer, Span, import_problem
from warehouse.datasets import WORLDWIDE
from warehouse.errors import InvalidSetting


@dataclass(frozen=True)
class Imported:
    path: Path  # where it is archived
    source_file: Path
    written: bool  # False: the archive already held these bytes
    # The days it gives rows to (a file of many days: those it added; a copy of a
    # month the archive already has in full: none).
    days: tuple[dt.date, ...] = ()


def spans_itself(source: str) -> bool:
    """Whether the source's files say their own days and countries (no DATE, COUNTRY)."""
    archive_ = importable().get(source)
    return archive_ is not None and archive_.importer.span is not None


def import_files(
    source: str,
    date: dt.date | None,
    country: str | None,
    files: list[Path],
    raw_root: Path,
    window: Callable[[dt.date, dt.date], None] | None = None,
) -> list[Imported]:
    """Check every file, then archive each unchanged under its documented name.

    ``window(first, last)`` raises when a file's days are outside the partitions (a
    file that says its own days is checked with it before anything is archived)."""
    archives = importable()
    if source not in archives:
        raise InvalidSetting(
            f"cannot import {source!r}; importable sources: {', '.join(sorted(archives))}"
        )
    importer = archives[source].importer
    if importer.span is not None:
        return _import_spans(source, importer, date, country, files, raw_root, window)
    if date is None or country is None:
        raise InvalidSetting(f"{source} files are imported with a DATE and a COUNTRY")
    responses: list[tuple[Path, RawResponse]] = []
    items: dict[str, Path] = {}
    for path in files:
        _check_suffix(source, importer, path)
        body = path.read_bytes()
        item = importer.name(date, country, path.name, body)
        if item in items:
            raise InvalidSetting(
                f"{path} and {items[item]} are both the {item} of {source} for {date},"
                f" {country}: import one of them"
            )
        items[item] = path
        response = RawResponse(source, date, country, item, body)
        try:
            importer.parse(response_batch(response))
        except RawFileError as error:
            raise import_problem(source, date, country, str(path), error.problem) from error
        responses.append((path, response))
    for path, response in responses:
        held = partition_dir(raw_root, source, date, country) / response.item
        if held.is_file() and held.read_bytes() != response.body:
            raise RawArchiveConflict(
                f"{held} already holds another {response.item} for {date}, {country}; the raw"
                f" archive is never rewritten, so {path} was not imported (nor any other file)."
                " Move the archived file aside if this one should replace it."
            )
    done = []
    for path, response in responses:
        written = archive(raw_root, response)
        target = partition_dir(raw_root, source, date, country) / response.item
        done.append(Imported(target, path, written))
    return done


def _check_suffix(source: str, importer: Importer, path: Path) -> None:
    if not path.name.endswith(importer.suffix):
        endings = (importer.suffix,) if isinstance(importer.suffix, str) else importer.suffix
        raise InvalidSetting(f"{path}: {source} files are {' or '.join(endings)} files")


def _import_spans(
    source: str,
    importer: Importer,
    date: dt.date | None,
    country: str | None,
    files: list[Path],
    raw_root: Path,
    window: Callable[[dt.date, dt.date], None] | None,
) -> list[Imported]:
    """Files that say their own days and countries: each checked (its span, the DATE
    and COUNTRY given, its parse), then archived once with a ref per other day."""
    checked: list[tuple[Path, RawResponse, Span]] = []
    items: dict[tuple[dt.date, str], Path] = {}
    for path in files:
        _check_suffix(source, importer, path)
        body = path.read_bytes()
        try:
            span = importer.span(path.name, body)
        except RawFileError as error:
            raise import_problem(
                source, date, country, str(path), error.problem, SPAN_HINT
            ) from error
        _check_given(source, date, country, path, span)
        if window is not None:
            window(span.days[0], span.days[-1])
        last = span.days[-1]
        if (last, span.item) in items:
            raise InvalidSetting(
                f"{path} and {items[last, span.item]} are both the {span.item} of {source}"
                f" for {last}: import one of them"
            )
        items[last, span.item] = path
        response = RawResponse(source, last, WORLDWIDE, span.item, body)
        try:
            importer.parse(response_batch(response))
        except RawFileError as error:
            raise import_problem(source, last, None, str(path), error.problem, SPAN_HINT) from error
        checked.append((path, response, span))
    for path, response, _ in checked:
        held = partition_dir(raw_root, source, response.date, WORLDWIDE) / response.item
        if held.is_file() and held.read_bytes() != response.body:
            raise RawArchiveConflict(
                f"{held} already holds another {response.item} (of {response.date}); the raw"
                f" archive is never rewritten, so {path} was not imported (nor any other file)."
                " Move the archived file aside if this one should replace it."
            )
    done = []
    for path, response, span in checked:
        written, days = archive_span(raw_root, response, span.days, span.supersedes)
        target = partition_dir(raw_root, source, response.date, WORLDWIDE) / response.item
        done.append(Imported(target, path, written, tuple(days)))
    return done


def _check_given(
    source: str, date: dt.date | None, country: str | None, path: Path, span: Span
) -> None:
    """The DATE and COUNTRY a user gave must be ones the file holds."""
    if not span.days:
        raise import_problem(
            source, date, country, str(path), "the file holds no day's rows", SPAN_HINT
        )
    held = f"{span.days[0]}" + (f" to {span.days[-1]}" if len(span.days) > 1 else "")
    if date is not None and date not in span.days:
        raise import_problem(
            source,
            date,
            country,
            str(path),
            f"the file holds {held}, not {date}; import it without DATE (the file says its days)",
            SPAN_HINT,
        )
    if country is not None and country not in span.countries:
        shown = ", ".join(span.countries[:10]) + (" ..." if len(span.countries) > 10 else "")
        raise import_problem(
            source,
            date,
            country,
            str(path),
            f"the file has no rows for country {country} (it holds {shown or 'none'});"
            " import it without COUNTRY (the file says its countries)",
            SPAN_HINT,
        )

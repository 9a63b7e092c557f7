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

Every file is checked before any is archived, so a bad one leaves the archive as
it was; an archived file is never replaced by different bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assets.raw import (
    RawArchiveConflict,
    RawFileError,
    RawResponse,
    archive,
    partition_dir,
    response_batch,
)
from assets.sources import importable
from assets.sources.importing import import_problem
from warehouse.errors import InvalidSetting


@dataclass(frozen=True)
class Imported:
    path: Path  # where it is archived
    source_file: Path
    written: bool  # False: the archive already held these bytes


def import_files(
    source: str, date: dt.date, country: str, files: list[Path], raw_root: Path
) -> list[Imported]:
    """Check every file, then archive each unchanged under its documented name."""
    archives = importable()
    if source not in archives:
        raise InvalidSetting(
            f"cannot import {source!r}; importable sources: {', '.join(sorted(archives))}"
        )
    importer = archives[source].importer
    responses: list[tuple[Path, RawResponse]] = []
    items: dict[str, Path] = {}
    for path in files:
        if path.suffix != importer.suffix:
            raise InvalidSetting(f"{path}: {source} files are {importer.suffix} files")
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

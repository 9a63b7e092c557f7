"""The raw archive: immutable bytes of every response, and the error that
names a bad one.

Layout: ``<raw_root>/<source>/date=YYYY-MM-DD/country=<cc>/<item>.<ext>``. A file
once archived is never rewritten: archiving identical bytes again is a no-op,
different bytes for an existing file are refused (the archive is the history
everything else is derived from).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.schemas import RAW_BATCH
from assets.storage import folder_lock, remove_leftovers, write_new_file
from warehouse.errors import ChartwatchError


class RawFileError(ChartwatchError, ValueError):
    """A raw response that cannot be turned into lake rows.

    Names the source, date, country and file, says what is wrong and what to do,
    so a user can find the file and decide.
    """

    def __init__(
        self,
        *,
        source: str,
        date: dt.date | str | None,
        country: str | None,
        path: str | None,
        problem: str,
        hint: str = "inspect the file; fix or remove it, then materialise the partition again",
    ) -> None:
        self.source = source
        self.date = str(date) if date is not None else None
        self.country = country
        self.path = path
        self.problem = problem
        self.hint = hint
        super().__init__(
            f"{source} raw file for date={self.date} country={country} is invalid: {problem}"
            f" (file: {path}); {hint}"
        )


class RawArchiveConflict(ChartwatchError, RuntimeError):
    """Refusal to overwrite an archived response with different bytes."""


@dataclass(frozen=True)
class RawResponse:
    """One response to archive: where it belongs and its exact bytes."""

    source: str
    date: dt.date
    country: str
    item: str  # file name inside the partition folder, e.g. "top-free.json"
    body: bytes


def partition_dir(raw_root: Path, source: str, date: dt.date, country: str) -> Path:
    return raw_root / source / f"date={date.isoformat()}" / f"country={country}"


def archive(raw_root: Path, response: RawResponse) -> bool:
    """Archive one response; True if written, False if already there unchanged.

    The write holds the partition folder's lock, so two runs archiving the same
    response never both write it (create-only); a temporary file of this item left by
    a writer that died is removed first. A file already archived is compared without
    the lock: archived files only ever appear whole (a rename) and never change.
    """
    folder = partition_dir(raw_root, response.source, response.date, response.country)
    path = folder / response.item
    if path.exists():
        return _unchanged(response, path)
    with folder_lock(folder):
        remove_leftovers(folder, f".{response.item}.")
        if path.exists():  # archived meanwhile by another run
            return _unchanged(response, path)
        write_new_file(path, response.body, "raw.before_rename")
    return True


def _unchanged(response: RawResponse, path: Path) -> bool:
    if path.read_bytes() == response.body:
        return False
    raise RawArchiveConflict(
        f"{response.source} raw file {path} already exists with different contents; the raw"
        " archive is never rewritten. Move the existing file aside if you really mean to"
        " replace this response, then materialise again."
    )


def archive_all(raw_root: Path, responses: Iterable[RawResponse]) -> tuple[int, int, int]:
    """Archive many responses; returns (files written, files unchanged, bytes written)."""
    written = unchanged = nbytes = 0
    for response in responses:
        if archive(raw_root, response):
            written += 1
            nbytes += len(response.body)
        else:
            unchanged += 1
    return written, unchanged, nbytes


def list_files(
    raw_root: Path,
    source: str,
    dates: Iterable[dt.date],
    suffix: str,
    countries: Iterable[str] | None = None,
) -> list[tuple[dt.date, str, Path]]:
    """Every archived file of a source for the given dates, sorted, as (date, country, path)."""
    wanted = set(countries) if countries is not None else None
    found: list[tuple[dt.date, str, Path]] = []
    for date in dates:
        day_dir = raw_root / source / f"date={date.isoformat()}"
        if not day_dir.is_dir():
            continue
        for country_dir in sorted(day_dir.iterdir()):
            if not country_dir.name.startswith("country="):
                continue
            country = country_dir.name.removeprefix("country=")
            if wanted is not None and country not in wanted:
                continue
            found.extend(
                (date, country, path)
                for path in sorted(country_dir.iterdir())
                if path.name.endswith(suffix) and not path.name.startswith(".")
            )
    return found


def read_batch(source: str, files: list[tuple[dt.date, str, Path]]) -> pl.DataFrame:
    """Read archived files into a RAW_BATCH frame (one row per file, body as text)."""
    data = [path.read_bytes() for _, _, path in files]
    try:
        # Polars checks the UTF-8 of every body at once, without a Python str per file.
        bodies = pl.Series("body", data, dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:
        for (date, country, path), body in zip(files, data, strict=True):
            _require_utf8(body, source, date, country, os.fspath(path))
        raise
    return pl.DataFrame(
        {
            "date": [f[0] for f in files],
            "country": [f[1] for f in files],
            "item": [f[2].name.rsplit(".", 1)[0] for f in files],
            "path": [os.fspath(f[2]) for f in files],
            "body": bodies,
        },
        schema=RAW_BATCH,
    )


def response_batch(response: RawResponse) -> pl.DataFrame:
    """A fetched or imported body as the one-file RAW_BATCH the archive parsers read,
    so it can be checked before it is archived; RawFileError if it is not UTF-8."""
    shown = f"{response.source}/{response.item} (as fetched)"
    text = _require_utf8(response.body, response.source, response.date, response.country, shown)
    return pl.DataFrame(
        {
            "date": [response.date],
            "country": [response.country],
            "item": [response.item.rsplit(".", 1)[0]],
            "path": [shown],
            "body": [text],
        },
        schema=RAW_BATCH,
    )


def _require_utf8(body: bytes, source: str, date, country: str, path: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RawFileError(
            source=source,
            date=date,
            country=country,
            path=path,
            problem=f"not UTF-8 text ({exc.reason} at byte {exc.start})",
        ) from exc

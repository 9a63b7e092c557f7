"""The raw archive: immutable bytes of every response, and the error that
names a bad one.

Layout: ``<raw_root>/<source>/date=YYYY-MM-DD/country=<cc>/<item>.<ext>``. A file
once archived is never rewritten: archiving identical bytes again is a no-op,
different bytes for an existing file are refused (the archive is the history
everything else is derived from).

A file that holds many days (a user's report: a Play Console month, App Store
Connect analytics) is archived once, under the folder of its last day, and each
other day it gives rows to gets a small ``<item>.ref`` naming it (``archive_span``).
Readers follow refs, so a day's batch holds every file with rows of the day.

Bodies are kept as they came (gzipped, UTF-16); readers see them as text
(``decode_body``).
"""

from __future__ import annotations

import datetime as dt
import gzip
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.schemas import RAW_BATCH
from assets.storage import folder_lock, remove_leftovers, write_new_file
from warehouse.errors import ChartwatchError
from warehouse.objects import files_under, is_remote, read_all, write_all


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
    the lock: archived files only ever appear whole (a rename) and never change. On an
    object store the write is one create-only PUT (``If-None-Match: *``): of two
    writers, one creates the object and the other finds it there.
    """
    folder = partition_dir(raw_root, response.source, response.date, response.country)
    path = folder / response.item
    if is_remote(path):
        return archive_remote([response], raw_root)[0]
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
    raise _conflict(response, path)


def _conflict(response: RawResponse, path: Path) -> RawArchiveConflict:
    return RawArchiveConflict(
        f"{response.source} raw file {path} already exists with different contents; the raw"
        " archive is never rewritten. Move the existing file aside if you really mean to"
        " replace this response, then materialise again."
    )


def archive_remote(responses: list[RawResponse], raw_root: Path) -> list[bool]:
    """``archive`` on an object store, many responses at once (concurrent create-only
    PUTs); an object that was there already is compared with the response."""
    paths = [partition_dir(raw_root, r.source, r.date, r.country) / r.item for r in responses]
    created = write_all(
        {path: r.body for path, r in zip(paths, responses, strict=True)}, create_only=True
    )
    there = [i for i, new in enumerate(created) if not new]
    for i, body in zip(there, read_all(paths[i] for i in there), strict=True):
        if body != responses[i].body:
            raise _conflict(responses[i], paths[i])
    return created


def archive_all(raw_root: Path, responses: Iterable[RawResponse]) -> tuple[int, int, int]:
    """Archive many responses; returns (files written, files unchanged, bytes written)."""
    if is_remote(raw_root):
        responses = list(responses)
        created = archive_remote(responses, raw_root) if responses else []
        nbytes = sum(len(r.body) for r, new in zip(responses, created, strict=True) if new)
        return sum(created), len(created) - sum(created), nbytes
    written = unchanged = nbytes = 0
    for response in responses:
        if archive(raw_root, response):
            written += 1
            nbytes += len(response.body)
        else:
            unchanged += 1
    return written, unchanged, nbytes


REF = ".ref"  # a day's pointer to the file, archived under a later day, that holds its rows


def archive_span(
    raw_root: Path,
    response: RawResponse,
    days: Iterable[dt.date],
    supersedes: bool = True,
) -> tuple[bool, list[dt.date]]:
    """Archive a file that holds many days under ``response.date`` (its last day),
    and a ref to it in each other day's folder; (whether the file was written, the
    days it now gives rows to).

    ``supersedes`` False: a day whose folder already has this item (or a ref of that
    name) keeps it, so a month's file imported again as it grows only adds the days
    the archive lacks; a copy that adds none is not archived at all. Each write is
    create-only, so an import cut short is finished by importing the file again.
    """
    others = sorted(set(days) - {response.date})
    given = [response.date, *others]
    if not supersedes:
        given = [d for d in given if not _holds_item(raw_root, response, d)]
        if response.date not in given:
            held = partition_dir(raw_root, response.source, response.date, response.country)
            if (held / response.item).exists():
                given.insert(0, response.date)  # the file itself: compared by archive()
            else:
                return False, []  # a newer copy already gives every day of this one
    written = archive(raw_root, response)
    target = f"date={response.date.isoformat()}/country={response.country}/{response.item}"
    for day in given:
        if day != response.date:
            ref = RawResponse(
                response.source, day, response.country, response.item + REF, target.encode()
            )
            archive(raw_root, ref)
    return written, sorted(given)


def _holds_item(raw_root: Path, response: RawResponse, day: dt.date) -> bool:
    folder = partition_dir(raw_root, response.source, day, response.country)
    return (folder / response.item).exists() or (folder / (response.item + REF)).exists()


def list_files(
    raw_root: Path,
    source: str,
    dates: Iterable[dt.date],
    suffix: str,
    countries: Iterable[str] | None = None,
) -> list[tuple[dt.date, str, Path]]:
    """Every archived file of a source for the given dates, sorted, as (date, country,
    path); a day's ``.ref`` gives the file it names (archived under a later day)."""
    wanted = set(countries) if countries is not None else None
    found: list[tuple[dt.date, str, Path]] = []
    for date in dates:
        for path in _day_listing(raw_root / source / f"date={date.isoformat()}"):
            country_dir = path.parent
            if not country_dir.name.startswith("country=") or path.name.startswith("."):
                continue
            country = country_dir.name.removeprefix("country=")
            if wanted is not None and country not in wanted:
                continue
            if path.name.endswith(REF):
                if path.name.removesuffix(REF).endswith(suffix):
                    found.append((date, country, _referenced(raw_root / source, path)))
            elif path.name.endswith(suffix):
                found.append((date, country, path))
    return found


def _day_listing(day_dir: Path) -> list[Path]:
    """The files of a day's country folders, sorted (folders by name, then files). On
    an object store one listing of the day."""
    if is_remote(day_dir):
        return [path for path in files_under(day_dir) if path.parent.parent == day_dir]
    if not day_dir.is_dir():
        return []
    return [
        path
        for country_dir in sorted(day_dir.iterdir())
        if country_dir.name.startswith("country=")
        for path in sorted(country_dir.iterdir())
    ]


def _referenced(source_dir: Path, ref: Path) -> Path:
    """The archived file a ref names (a path below the source's folder)."""
    target = ref.read_text(encoding="utf-8").strip()
    path = source_dir / target if is_remote(source_dir) else (source_dir / target).resolve()
    if not target or ".." in Path(target).parts or not path.is_file():
        raise RawFileError(
            source=source_dir.name,
            date=ref.parent.parent.name.removeprefix("date="),
            country=ref.parent.name.removeprefix("country="),
            path=str(ref),
            problem=f"the ref names {target!r}, which is not an archived file of the source",
            hint="import the file it stands for again (make import), which restores it",
        )
    return path


def read_batch(source: str, files: list[tuple[dt.date, str, Path]]) -> pl.DataFrame:
    """Read archived files into a RAW_BATCH frame (one row per file, body as text)."""
    data = read_all(path for _, _, path in files)
    try:
        # Polars checks the UTF-8 of every body at once, without a Python str per file.
        bodies = pl.Series("body", data, dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:
        # Some body is gzipped, UTF-16 or not text: decode each (or name the bad one).
        texts = [
            decode_body(body, source, date, country, str(path))
            for (date, country, path), body in zip(files, data, strict=True)
        ]
        bodies = pl.Series("body", texts, dtype=pl.String)
    return pl.DataFrame(
        {
            "date": [f[0] for f in files],
            "country": [f[1] for f in files],
            "item": [f[2].name.rsplit(".", 1)[0] for f in files],
            "path": [str(f[2]) for f in files],
            "body": bodies,
        },
        schema=RAW_BATCH,
    )


def response_batch(response: RawResponse) -> pl.DataFrame:
    """A fetched or imported body as the one-file RAW_BATCH the archive parsers read,
    so it can be checked before it is archived; RawFileError if it is not UTF-8."""
    shown = f"{response.source}/{response.item} (as fetched)"
    text = decode_body(response.body, response.source, response.date, response.country, shown)
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


_GZIP = b"\x1f\x8b"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A gzipped body larger than this once unpacked is refused (a gzip bomb).
MAX_UNPACKED = 2 << 30


def decode_body(body: bytes, source: str, date, country: str | None, path: str) -> str:
    """A body's text: gunzipped if gzipped (App Store Connect reports), decoded as
    UTF-16 if it starts with a UTF-16 byte-order mark (Play Console reports), else
    UTF-8; RawFileError naming the file when it is none of these."""

    def bad(problem: str) -> RawFileError:
        return RawFileError(source=source, date=date, country=country, path=path, problem=problem)

    if body.startswith(_GZIP):
        try:
            unpacker = zlib.decompressobj(wbits=31)
            unpacked = unpacker.decompress(body, MAX_UNPACKED)
            if unpacker.unconsumed_tail:
                raise bad(f"gzipped, and more than {MAX_UNPACKED >> 30} GB unpacked")
            if not unpacker.eof:
                raise EOFError("it ends before the end of its compressed data")
            body = unpacked if not unpacker.unused_data else gzip.decompress(body)
        except (zlib.error, EOFError, OSError) as exc:
            raise bad(f"a gzip file that cannot be unpacked ({exc})") from exc
    try:
        if body.startswith(_UTF16_BOMS):
            return body.decode("utf-16")
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        kind = (
            "UTF-16 text with a bad character" if body.startswith(_UTF16_BOMS) else "not UTF-8 text"
        )
        raise bad(f"{kind} ({exc.reason} at byte {exc.start})") from exc

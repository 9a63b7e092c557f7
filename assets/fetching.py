"""Fetch a day's responses from a live source and archive them, losing nothing.

Every live connector describes what it wants as ``Request``s (one archived file
each) and hands them to ``fetch_and_archive``, which:

- skips every request whose file the raw archive already holds, so a retry after
  a partial failure fetches only what is missing (and the archive is never
  rewritten);
- fetches the rest through the shared HTTP client, a few at once (the client
  keeps each host's rate limit);
- checks each body with the source's own parser before archiving it, so a bad
  response (an HTML error page, truncated JSON, a wrong shape, an empty chart)
  never enters the archive: its bytes go to ``data/quarantine/`` beside a note
  of the URL and the problem, for inspection;
- archives every good response atomically, whatever happened to the others.

It returns a ``FetchReport``; the extraction asset logs it, puts it in the
materialisation's metadata and fails the run if anything failed, after the good
responses are safe in the archive.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from assets.http import HttpClient, HttpError, redact_url
from assets.raw import RawFileError, RawResponse, archive, partition_dir
from assets.storage import atomic_write_bytes
from warehouse.objects import files_under, is_remote

# Checks a fetched body; raises RawFileError saying what is wrong with it.
Validate = Callable[[RawResponse], None]


@dataclass(frozen=True)
class Request:
    """One response to fetch and archive as ``<source>/date=/country=/<item>``."""

    source: str
    date: dt.date
    country: str
    item: str  # file name in the partition folder, e.g. "top-free.json"
    url: str
    what: str  # for people: "top-free chart", "pageviews of en.wikipedia/DeepSeek"
    headers: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    # Statuses that mean "nothing to archive" rather than a failure (Wikimedia
    # answers 404 for an article without views on a day).
    empty_statuses: frozenset[int] = frozenset()
    # Statuses that mean "the source does not serve this (any more)": recorded in the
    # archive as ``<item>.unavailable`` (the status and URL) and not retried that day,
    # not a failure (Apple's genre feeds answer 403).
    unavailable_statuses: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Failure:
    request: Request
    problem: str
    quarantined: Path | None = None

    @property
    def message(self) -> str:
        r = self.request
        kept = f"; the body is kept in {self.quarantined}" if self.quarantined else ""
        return (
            f"{r.source} {r.what} for date={r.date} country={r.country} from"
            f" {redact_url(r.url)}: {self.problem}{kept}"
        )


@dataclass
class FetchReport:
    archived: list[Request] = field(default_factory=list)
    already_archived: list[Request] = field(default_factory=list)
    empty: list[Request] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    bytes_archived: int = 0
    notes: list[str] = field(default_factory=list)  # why a source did nothing, for the log
    # Served as unavailable (403, 404): recorded, not failed.
    unavailable: list[Request] = field(default_factory=list)
    # Of a past day: what the archive lacks, the day being otherwise there.
    lacking: list[Request] = field(default_factory=list)

    def merge(self, other: FetchReport) -> None:
        self.archived += other.archived
        self.already_archived += other.already_archived
        self.empty += other.empty
        self.unavailable += other.unavailable
        self.lacking += other.lacking
        self.failures += other.failures
        self.bytes_archived += other.bytes_archived
        self.notes += [note for note in other.notes if note not in self.notes]

    @property
    def failed_countries(self) -> list[str]:
        return sorted({f.request.country for f in self.failures})

    def summary(self) -> str:
        return (
            f"{len(self.archived):,} fetched and archived, {len(self.already_archived):,}"
            f" already in the archive, {len(self.empty):,} without data,"
            f" {len(self.unavailable):,} unavailable, {len(self.lacking):,} lacking,"
            f" {len(self.failures):,} failed"
        )


def fetch_and_archive(
    client: HttpClient,
    requests: Iterable[Request],
    raw_root: Path,
    quarantine_root: Path,
    validate: Validate,
    workers: int = 4,
) -> FetchReport:
    """Fetch what the archive lacks, check it, archive the good, quarantine the bad."""
    held, missing = split_by_archive(requests, raw_root)
    report = _held_report(raw_root, held)

    def one(request: Request) -> tuple[str, Request, object]:
        try:
            body = client.get_bytes(request.url, headers=request.headers)
        except HttpError as error:
            if error.status in request.empty_statuses:
                return "empty", request, None
            if error.status in request.unavailable_statuses:
                archive(raw_root, unavailable_marker(request, error.status))
                return "unavailable", request, None
            return "failed", request, Failure(request, str(error))
        response = RawResponse(request.source, request.date, request.country, request.item, body)
        try:
            validate(response)
        except RawFileError as error:
            kept = quarantine(quarantine_root, response, request.url, error.problem)
            return "failed", request, Failure(request, error.problem, kept)
        archive(raw_root, response)
        return "archived", request, len(body)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for outcome, request, detail in pool.map(one, missing):
            if outcome == "archived":
                report.archived.append(request)
                report.bytes_archived += detail
            elif outcome == "empty":
                report.empty.append(request)
            elif outcome == "unavailable":
                report.unavailable.append(request)
            else:
                report.failures.append(detail)
    return report


UNAVAILABLE = ".unavailable"  # suffix of the record that a request was served as unavailable


def unavailable_marker(request: Request, status: int | None) -> RawResponse:
    """The archive's record of an unavailable response: its status and URL (no time, so
    recording it again is a no-op)."""
    body = json.dumps({"status": status, "url": redact_url(request.url)}, sort_keys=True)
    return RawResponse(
        request.source, request.date, request.country, request.item + UNAVAILABLE, body.encode()
    )


def _archived(raw_root: Path, requests: list[Request]) -> Callable[[Request, str], bool]:
    """Whether the archive holds a request's file (with a suffix: its record as
    unavailable). On an object store each day of a source is listed once, rather than
    a request per file."""
    if not is_remote(raw_root):

        def there(request: Request, suffix: str = "") -> bool:
            folder = partition_dir(raw_root, request.source, request.date, request.country)
            return (folder / (request.item + suffix)).exists()

        return there
    held = {
        str(path)
        for source, date in {(r.source, r.date) for r in requests}
        for path in files_under(raw_root / source / f"date={date.isoformat()}")
    }

    def listed(request: Request, suffix: str = "") -> bool:
        folder = partition_dir(raw_root, request.source, request.date, request.country)
        return str(folder / (request.item + suffix)) in held

    return listed


def _held_report(raw_root: Path, held: list[Request]) -> FetchReport:
    """The requests the archive holds: archived, or recorded as unavailable."""
    there = _archived(raw_root, held)
    marked = [there(r, UNAVAILABLE) for r in held]
    return FetchReport(
        already_archived=[r for r, m in zip(held, marked, strict=True) if not m],
        unavailable=[r for r, m in zip(held, marked, strict=True) if m],
    )


def from_archive(raw_root: Path, requests: list[Request]) -> tuple[FetchReport, list[str]]:
    """A past day of a source that is a snapshot (it cannot be fetched later): what the
    archive holds of each request, what a storefront holding some of them lacks
    (``lacking``), and the storefronts that hold none (for the caller to judge)."""
    held, missing = split_by_archive(requests, raw_root)
    report = _held_report(raw_root, held)
    having = {r.country for r in held}
    report.lacking = [r for r in missing if r.country in having]
    return report, sorted({r.country for r in missing} - having)


def split_by_archive(
    requests: Iterable[Request], raw_root: Path
) -> tuple[list[Request], list[Request]]:
    """(the requests whose file the archive holds, or records as unavailable; the others)."""
    requests = list(requests)
    there = _archived(raw_root, requests)
    held, missing = [], []
    for request in requests:
        (held if there(request, "") or there(request, UNAVAILABLE) else missing).append(request)
    return held, missing


def quarantine(quarantine_root: Path, response: RawResponse, url: str, problem: str) -> Path:
    """Keep a rejected body under data/quarantine/, with a note of where it came from.

    Quarantine is a record of what was received, not an archive: a later bad
    response for the same file replaces the earlier one.
    """
    folder = partition_dir(quarantine_root, response.source, response.date, response.country)
    path = folder / response.item
    atomic_write_bytes(path, response.body)
    note = {
        "url": redact_url(url),
        "problem": problem,
        "received_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "bytes": len(response.body),
    }
    atomic_write_bytes(
        folder / f"{response.item}.error.json",
        json.dumps(note, ensure_ascii=False, indent=2).encode(),
    )
    return path

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
import email.utils
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.apple.parse import (
    CURRENT_RSS_CHARTS,
    LEGACY_FEED_NAME,
    parse_current_rss,
    parse_legacy_rss,
)
from assets.estimates.parse import parse_estimates_csv
from assets.google_play.parse import ALL_GENRES, PLAY_CHARTS, parse_google_play_charts
from assets.parsing import json_problem
from assets.raw import (
    RawArchiveConflict,
    RawFileError,
    RawResponse,
    archive,
    partition_dir,
    response_batch,
)
from warehouse.errors import InvalidSetting

ESTIMATES_ITEM = "estimates.csv"


@dataclass(frozen=True)
class Importer:
    """How files of one source are checked and named."""

    suffix: str
    parse: Callable[[pl.DataFrame], pl.DataFrame]
    documented: str  # the item names, for people
    # (date, country, file name, body) -> the item to archive it as; raises
    # RawFileError when the name or the content does not fit.
    name: Callable[[dt.date, str, str, bytes], str]


def _document(body: bytes, source: str, date: dt.date, country: str, path: str) -> dict:
    """The file's JSON object (the fields that say which chart, day and storefront)."""
    try:
        text = body.decode("utf-8")
        value = json.loads(text.removeprefix("\ufeff"))
    except UnicodeDecodeError as exc:
        raise _problem(source, date, country, path, f"not UTF-8 text ({exc.reason})") from exc
    except (ValueError, RecursionError) as exc:
        problem = json_problem(text, pl.Struct({})) or "JSON that cannot be decoded"
        raise _problem(source, date, country, path, problem) from exc
    return value if isinstance(value, dict) else {}


def _problem(source: str, date: dt.date, country: str, path: str, problem: str) -> RawFileError:
    return RawFileError(
        source=source,
        date=date,
        country=country,
        path=path,
        problem=problem,
        hint="import it under the DATE and COUNTRY it describes, with a documented name"
        " (docs/raw-formats.md); nothing was archived",
    )


def _updated_day(text: object) -> dt.date | None:
    """The UTC day of an Apple feed's ``updated`` time (RFC 1123 or ISO 8601), if any."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        try:
            moment = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(dt.UTC).date()


def _check_updated(source, date, country, path, updated: object) -> None:
    day = _updated_day(updated)
    if day is not None and day != date:
        raise _problem(
            source,
            date,
            country,
            path,
            f"the feed was updated {updated!r}, on {day} (UTC), but is imported as {date};"
            f" import it with DATE={day}",
        )


def _check_country(source, date, country, path, said: object, what: str) -> None:
    if isinstance(said, str) and said and said.lower() != country:
        raise _problem(
            source,
            date,
            country,
            path,
            f"{what} is storefront '{said.lower()}', but the file is imported as"
            f" COUNTRY={country}; import it with COUNTRY={said.lower()}",
        )


def _chosen(source, date, country, path, allowed_name: str | None, from_content: str | None):
    """The item: the file's own name if documented, else the content's; both, if
    known, must agree."""
    if allowed_name and from_content and allowed_name != from_content:
        raise _problem(
            source,
            date,
            country,
            path,
            f"the file is named {allowed_name} but holds the {from_content} chart",
        )
    item = allowed_name or from_content
    if item is None:
        raise _problem(
            source,
            date,
            country,
            path,
            f"cannot tell which chart this is: name the file {IMPORTERS[source].documented}",
        )
    return item


_CURRENT_URL = re.compile(r"/api/v2/(?P<cc>[a-z]{2})/apps/(?P<chart>top-free|top-paid)/")


def _current_rss_name(date: dt.date, country: str, name: str, body: bytes) -> str:
    source = "apple_rss"
    feed = _document(body, source, date, country, name).get("feed") or {}
    _check_country(source, date, country, name, feed.get("country"), "the feed's country")
    _check_updated(source, date, country, name, feed.get("updated"))
    urls = [feed.get("id")] + [
        link.get("self") for link in feed.get("links") or [] if isinstance(link, dict)
    ]
    found = next((m for u in urls if isinstance(u, str) and (m := _CURRENT_URL.search(u))), None)
    if found:
        _check_country(source, date, country, name, found["cc"], "the feed's URL")
    allowed = name if name.removesuffix(".json") in CURRENT_RSS_CHARTS else None
    return _chosen(
        source, date, country, name, allowed, f"{found['chart']}.json" if found else None
    )


_LEGACY_URL = re.compile(r"itunes\.apple\.com/(?P<cc>[a-z]{2})/rss/(?P<feed>[a-z]+)/")
_LEGACY_GENRE = re.compile(r"/genre=(?P<genre>\d+)/")


def _legacy_rss_name(date: dt.date, country: str, name: str, body: bytes) -> str:
    source = "itunes_rss"
    feed = _document(body, source, date, country, name).get("feed") or {}
    updated = (feed.get("updated") or {}).get("label") if isinstance(feed, dict) else None
    _check_updated(source, date, country, name, updated)
    url = (feed.get("id") or {}).get("label") if isinstance(feed, dict) else None
    found = _LEGACY_URL.search(url) if isinstance(url, str) else None
    from_content = None
    if found:
        _check_country(source, date, country, name, found["cc"], "the feed's own URL")
        genre = _LEGACY_GENRE.search(url)
        item = found["feed"] + (f"__genre-{genre['genre']}" if genre else "")
        from_content = f"{item}.json" if re.fullmatch(LEGACY_FEED_NAME, item) else None
    allowed = name if re.fullmatch(LEGACY_FEED_NAME, name.removesuffix(".json")) else None
    return _chosen(source, date, country, name, allowed, from_content)


def _google_play_name(date: dt.date, country: str, name: str, body: bytes) -> str:
    source = "google_play"
    chart = _document(body, source, date, country, name)
    collection, category = chart.get("collection"), chart.get("category")
    from_content = None
    if collection in PLAY_CHARTS and isinstance(category, str):
        suffix = "" if category == ALL_GENRES else f"__{category}"
        from_content = f"{collection}{suffix}.json"
    stem = name.removesuffix(".json")
    documented = stem.split("__", 1)[0] in PLAY_CHARTS
    return _chosen(source, date, country, name, name if documented else None, from_content)


def _estimates_name(date: dt.date, country: str, name: str, body: bytes) -> str:
    return ESTIMATES_ITEM  # one export per day and storefront; its rows say their day


IMPORTERS: dict[str, Importer] = {
    "google_play": Importer(
        ".json",
        parse_google_play_charts,
        "topselling_free.json, topselling_paid.json or topgrossing.json"
        " (<collection>__<CATEGORY>.json for a genre)",
        _google_play_name,
    ),
    "vendor_estimates": Importer(
        ".csv",
        lambda batch: parse_estimates_csv(batch, source="import"),
        ESTIMATES_ITEM,
        _estimates_name,
    ),
    "apple_rss": Importer(
        ".json", parse_current_rss, "top-free.json or top-paid.json", _current_rss_name
    ),
    "itunes_rss": Importer(
        ".json",
        parse_legacy_rss,
        "<feed>.json, e.g. topgrossingapplications.json or topfreeipadapplications__genre-6014.json",
        _legacy_rss_name,
    ),
}


@dataclass(frozen=True)
class Imported:
    path: Path  # where it is archived
    source_file: Path
    written: bool  # False: the archive already held these bytes


def import_files(
    source: str, date: dt.date, country: str, files: list[Path], raw_root: Path
) -> list[Imported]:
    """Check every file, then archive each unchanged under its documented name."""
    importer = IMPORTERS.get(source)
    if importer is None:
        raise InvalidSetting(
            f"cannot import {source!r}; importable sources: {', '.join(sorted(IMPORTERS))}"
        )
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
            raise _problem(source, date, country, str(path), error.problem) from error
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

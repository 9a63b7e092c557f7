"""What every importer of a source shares: how files of one source are checked
and named (``Importer``), and the checks that what a file says of itself (its
storefront, its day, its chart) agrees with the DATE and COUNTRY it is imported
under. Each source's own rules are in its folder (``imports.py``)."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from assets.parsing import json_problem
from assets.raw import RawFileError


@dataclass(frozen=True)
class Span:
    """What a self-describing file (a report that names its own days and countries:
    an App Store Connect sales report, a Play Console month) says it holds."""

    days: tuple[dt.date, ...]  # every day it has rows for, sorted; at least one
    countries: tuple[str, ...]  # lower-case storefront codes it has rows for
    item: str  # the name it is archived as (its documented file name)
    # True: a later file's rows of a day are corrections that replace an earlier
    # file's (App Store Connect's analytics segments). False: a day keeps the rows of
    # the file that first gave it (a Play Console month that grows day by day: a
    # newer copy adds only the days the archive lacks).
    supersedes: bool = True


@dataclass(frozen=True)
class Importer:
    """How files of one source are checked and named."""

    # The file name's ending, or several (".txt", ".txt.gz").
    suffix: str | tuple[str, ...]
    # RAW_BATCH -> the dataset's rows. For a self-describing file: the rows of every
    # day it holds (the source's feed keeps the day's).
    parse: Callable[[pl.DataFrame], pl.DataFrame]
    documented: str  # the item names, for people
    # (date, country, file name, body) -> the item to archive it as; raises
    # RawFileError when the name or the content does not fit. Files that say their own
    # days and countries have ``span`` instead (and DATE, COUNTRY are optional).
    name: Callable[[dt.date, str, str, bytes], str] | None = None
    # (file name, body) -> what the file holds; raises RawFileError (with date and
    # country None) when it is not such a file. Such a file is archived once, under
    # ``date=<its last day>/country=ww/<item>``, and each other day it gives rows to
    # gets ``<item>.ref`` naming it (assets/raw.py); DATE and COUNTRY, when given,
    # must be ones the file holds.
    span: Callable[[str, bytes], Span] | None = None


def document(body: bytes, source: str, date: dt.date, country: str, path: str) -> dict:
    """The file's JSON object (the fields that say which chart, day and storefront)."""
    try:
        text = body.decode("utf-8")
        value = json.loads(text.removeprefix("\ufeff"))
    except UnicodeDecodeError as exc:
        raise import_problem(source, date, country, path, f"not UTF-8 text ({exc.reason})") from exc
    except (ValueError, RecursionError) as exc:
        problem = json_problem(text, pl.Struct({})) or "JSON that cannot be decoded"
        raise import_problem(source, date, country, path, problem) from exc
    return value if isinstance(value, dict) else {}


SPAN_HINT = (
    "give only FILES (the file says its own days and countries) of the documented shape"
    " (docs/raw-formats.md); nothing was archived"
)


def import_problem(
    source: str,
    date: dt.date | None,
    country: str | None,
    path: str,
    problem: str,
    hint: str = "import it under the DATE and COUNTRY it describes, with a documented name"
    " (docs/raw-formats.md); nothing was archived",
) -> RawFileError:
    return RawFileError(
        source=source,
        date=date if date is not None else "(the file's)",
        country=country if country is not None else "(the file's)",
        path=path,
        problem=problem,
        hint=hint,
    )


def updated_day(text: object) -> dt.date | None:
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


def check_updated(source, date, country, path, updated: object) -> None:
    day = updated_day(updated)
    if day is not None and day != date:
        raise import_problem(
            source,
            date,
            country,
            path,
            f"the feed was updated {updated!r}, on {day} (UTC), but is imported as {date};"
            f" import it with DATE={day}",
        )


def check_country(source, date, country, path, said: object, what: str) -> None:
    if isinstance(said, str) and said and said.lower() != country:
        raise import_problem(
            source,
            date,
            country,
            path,
            f"{what} is storefront '{said.lower()}', but the file is imported as"
            f" COUNTRY={country}; import it with COUNTRY={said.lower()}",
        )


def chosen_item(
    source, date, country, path, allowed_name: str | None, from_content: str | None, documented: str
):
    """The item: the file's own name if documented, else the content's; both, if
    known, must agree."""
    if allowed_name and from_content and allowed_name != from_content:
        raise import_problem(
            source,
            date,
            country,
            path,
            f"the file is named {allowed_name} but holds the {from_content} chart",
        )
    item = allowed_name or from_content
    if item is None:
        raise import_problem(
            source,
            date,
            country,
            path,
            f"cannot tell which chart this is: name the file {documented}",
        )
    return item

"""What every live source shares: the clock that says which day a snapshot
belongs to, the HTTP client with each host's etiquette, and the report of an
import-only source. Each source's own live fetch is in its folder
(``assets/sources/<source>/fetch.py``, ``fetch_day``).

What "a day" means differs by source, because not every source has history:

- Apple's chart feeds are snapshots of now. Today's charts are fetched; a past day
  is re-parsed from the archive when the archive holds it (nothing is fetched),
  and otherwise fails with a message saying so and how to import an archive.
- Wikimedia pageviews have history: any past day is fetched; today's views are
  not published until tomorrow, so today is left for the next run.
- Google Play charts and vendor estimates have no public API: they are imports,
  files of a documented shape dropped into the raw archive (``make import``). The
  extraction only reports what the archive holds.

A source's ``fetch_day`` returns a FetchReport; the raw asset turns it into logs,
metadata and, when something failed, a failed run (after the good responses are
archived).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from assets.fetching import FetchReport, Request
from assets.http import HttpClient
from assets.raw import list_files
from warehouse.datasets import WORLDWIDE, WORLDWIDE_ONLY

if TYPE_CHECKING:
    from assets.resources import ChartwatchConfig
    from assets.sources.source import Archive

# Wikimedia asks API users to stay well under 100 requests per second; Apple's
# feeds are a CDN, but a full sweep of 175 storefronts should not look like a flood.
HOST_INTERVALS = {
    "rss.applemarketingtools.com": 0.05,
    "itunes.apple.com": 0.1,
    "wikimedia.org": 0.05,
    "api.appfigures.com": 0.2,
}


def today() -> dt.date:
    """The UTC calendar day: the day a chart fetched now belongs to."""
    return dt.datetime.now(dt.UTC).date()


def live_client(config: ChartwatchConfig) -> HttpClient:
    client = HttpClient(
        contact=config.contact or None,
        read_timeout=config.http_timeout,
        retries=config.http_retries,
    )
    client.per_host_interval.update(HOST_INTERVALS)
    return client


def imported(config: ChartwatchConfig, source: str, suffix: str, date: dt.date, store: str | None):
    """An import-only source: report the files the archive holds for the day."""
    report = FetchReport()
    for day, country, path in list_files(
        config.raw_dir, source, [date], suffix, config.countries_for(store)
    ):
        report.already_archived.append(
            Request(source, day, country, path.name, path.as_uri(), "imported file")
        )
    return report


def imported_archive(config: ChartwatchConfig, archive: Archive, date: dt.date) -> FetchReport:
    """An import-only archive: report the files it holds for the day (for files that
    hold many days, the ``.ref`` of each day names the file that gives its rows)."""
    countries = (WORLDWIDE,) if archive.storefronts == WORLDWIDE_ONLY else None
    report = FetchReport()
    for day, country, path in list_files(config.raw_dir, archive.name, [date], "", countries):
        report.already_archived.append(
            Request(archive.name, day, country, path.name, path.as_uri(), "imported file")
        )
    return report

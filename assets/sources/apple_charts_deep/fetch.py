"""Apple's 200-deep charts, live: what to request for a storefront and day, and the
check a fetched body must pass before it is archived.

``{itunes_url}/WebObjects/MZStoreServices.woa/ws/charts?cc={cc}&g={genre}&name={name}&limit=200``
answers ``{"resultIds": [...]}``, the ids of one iPhone chart in rank order (public
trackers' evidence: README.md beside this file; Apple documents nothing). Asked
only with CHARTWATCH_DEEP_CHARTS on, per App Store storefront: the overall charts
(genre 36, the App Store's root; archived as ``<name>.json``) and those of each genre
of CHARTWATCH_GENRES (``<name>__genre-<id>.json``), for FreeApplications,
PaidApplications and AppsByRevenue.

A chart that answers 403 or 404 is recorded as unavailable for the day
(``<item>.unavailable``, then ``chart_coverage``), not a failure. A body that is not
a JSON object with a non-empty ``resultIds`` list of digit ids (an HTML error page,
``{}``, an empty list) is refused and quarantined.

Like Apple's RSS feeds, it is a snapshot of now: only today's charts are fetched; a
past day is read from the archive (imports), never fetched.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from assets import live
from assets.fetching import FetchReport, Request, fetch_and_archive, from_archive
from assets.raw import RawResponse, response_batch
from assets.sources.apple_charts_deep.parse import CHARTS, OVERALL_GENRE, RAW_SOURCE, parse_charts

if TYPE_CHECKING:
    from assets.http import HttpClient
    from assets.resources import ChartwatchConfig

LIMIT = 200  # what the endpoint serves at most, per the public clients that ask it
# Statuses that mean Apple does not serve the chart: recorded, not failed.
UNAVAILABLE_STATUSES = frozenset({403, 404})
PATH = "/WebObjects/MZStoreServices.woa/ws/charts"
DISABLED = (
    "CHARTWATCH_DEEP_CHARTS is off: Apple's 200-deep charts (itunes_charts, from an"
    " undocumented endpoint) are not fetched; set CHARTWATCH_DEEP_CHARTS=1 to fetch them"
    " (charts imported into the archive are read all the same)"
)

# Said once for a run (notes are not repeated day by day), whatever the days lacking.
NO_HISTORY = (
    "Apple's 200-deep charts have no history: a past day (or storefront) the archive"
    " holds none of keeps the charts of Apple's RSS feeds (100 deep); to add one, import"
    f" the answers saved on the day: make import SOURCE={RAW_SOURCE} DATE=<day>"
    " COUNTRY=<cc> FILES=FreeApplications.json"
)


def item_of(name: str, genre: str) -> str:
    """The archived name of a chart: ``<name>.json`` for the overall chart (genre 36),
    ``<name>__genre-<id>.json`` for a genre's."""
    return f"{name}.json" if genre == OVERALL_GENRE else f"{name}__genre-{genre}.json"


def chart_requests(
    itunes_url: str, date: dt.date, countries: list[str], genres: list[str]
) -> list[Request]:
    """Every deep chart request of a day, storefront by storefront: the overall charts,
    then those of each genre."""
    genres = [OVERALL_GENRE, *(g for g in genres if g != OVERALL_GENRE)]
    base = itunes_url.rstrip("/") + PATH
    return [
        Request(
            RAW_SOURCE,
            date,
            country,
            item_of(name, genre),
            f"{base}?cc={country}&g={genre}&name={name}&limit={LIMIT}",
            f"{item_of(name, genre).removesuffix('.json')} chart (200 deep)",
            unavailable_statuses=UNAVAILABLE_STATUSES,
        )
        for country in countries
        for genre in dict.fromkeys(genres)
        for name in CHARTS
    ]


def validate_chart(response: RawResponse) -> None:
    """Raise RawFileError unless the body is a JSON object with a non-empty
    ``resultIds`` list of App Store ids (the parser's own checks)."""
    parse_charts(response_batch(response))


def fetch_day(config: ChartwatchConfig, date: dt.date, client: HttpClient) -> FetchReport:
    """Today's deep charts are fetched (with CHARTWATCH_DEEP_CHARTS on); a past day is
    read from the archive only."""
    if not config.deep_charts:
        return FetchReport(notes=[DISABLED])
    if date > live.today():
        raise ValueError(
            f"{date} is in the future (today is {live.today()} UTC): Apple's charts for it"
            " do not exist yet"
        )
    requests = chart_requests(
        config.itunes_url, date, list(config.countries_for("app_store")), config.genre_list
    )
    if date == live.today():
        return fetch_and_archive(
            client, requests, config.raw_dir, config.quarantine_dir, validate_chart
        )
    return _from_archive_only(config, date, requests)


def _from_archive_only(
    config: ChartwatchConfig, date: dt.date, requests: list[Request]
) -> FetchReport:
    """A past day: what the archive holds of each configured deep chart. A storefront
    with some of them is reported with the ones it lacks (``lacking``); one with none
    is not a failure (its charts come from apple_charts' feeds, 100 deep): a note says
    how to import them."""
    report, lost = from_archive(config.raw_dir, requests)
    if lost:
        report.notes.append(NO_HISTORY)
    return report

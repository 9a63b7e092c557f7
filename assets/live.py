"""Live extraction, one function per source: what a day needs from the real
world, fetched (or found in the archive) through ``fetch_and_archive``.

What "a day" means differs by source, because not every source has history:

- Apple's chart feeds are snapshots of now. Today's charts are fetched; a past day
  is re-parsed from the archive when the archive holds it (nothing is fetched),
  and otherwise fails with a message saying so and how to import an archive.
- Wikimedia pageviews have history: any past day is fetched; today's views are
  not published until tomorrow, so today is left for the next run.
- Google Play charts and vendor estimates have no public API: they are imports,
  files of a documented shape dropped into the raw archive (``make import``). The
  extraction only reports what the archive holds.

A source's function returns a FetchReport; ``assets/ingest.py`` turns it into
logs, metadata and, when something failed, a failed run (after the good
responses are archived).
"""

from __future__ import annotations

import datetime as dt
import os

from assets.fetching import (
    Failure,
    FetchReport,
    Request,
    fetch_and_archive,
    split_by_archive,
)
from assets.http import HttpClient, client_from_env
from assets.raw import list_files, partition_dir
from assets.resources import ChartwatchConfig
from assets.sources.appfigures.fetch import appfigures_requests, appfigures_validator, apps_frame
from assets.sources.apple_charts.fetch import chart_requests, validate_chart
from assets.sources.itunes_lookup.fetch import lookup_plan, lookup_requests, validate_lookup
from assets.sources.wikimedia_pageviews.fetch import pageview_requests, pageview_validator
from assets.storage import read_partitions
from warehouse.products import read_products

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
    client = client_from_env(contact=config.contact or None)
    client.per_host_interval.update(HOST_INTERVALS)
    return client


def apple_charts(config: ChartwatchConfig, date: dt.date, client: HttpClient) -> FetchReport:
    countries = list(config.countries_for("app_store"))
    requests = chart_requests(
        config.apple_rss_url,
        config.itunes_url,
        date,
        countries,
        config.legacy_feed_list,
        config.genre_list,
    )
    if date > today():
        raise ValueError(
            f"{date} is in the future (today is {today()} UTC): Apple's charts for it do not exist yet"
        )
    if date == today():
        return fetch_and_archive(
            client, requests, config.raw_dir, config.quarantine_dir, validate_chart
        )
    return _from_archive_only(config, date, requests)


def _from_archive_only(
    config: ChartwatchConfig, date: dt.date, requests: list[Request]
) -> FetchReport:
    """A past day of a source without history: the archive holds it, or it is lost."""
    report = FetchReport()
    held = {
        country
        for source in ("apple_rss", "itunes_rss")
        for _, country, _ in list_files(config.raw_dir, source, [date], ".json")
    }
    for request in requests:
        if request.country in held:
            report.already_archived.append(request)
    for country in sorted({r.country for r in requests} - held):
        first = next(r for r in requests if r.country == country)
        report.failures.append(
            Failure(
                first,
                f"Apple's chart feeds have no history: the archive holds no chart of {date} for"
                f" this storefront, and it can only be fetched on the day itself ({date}"
                f" UTC). To fill it, import an archive: copy the feed files of that day to"
                f" {partition_dir(config.raw_dir, 'apple_rss', date, country)}/ (top-free.json,"
                " top-paid.json) and itunes_rss/... (see docs/raw-formats.md), then"
                " materialise the day again",
            )
        )
    return report


def wikimedia_pageviews(config: ChartwatchConfig, date: dt.date, client: HttpClient) -> FetchReport:
    articles = read_products(config.products_path).articles
    requests = pageview_requests(config.wikimedia_url, date, articles)
    if date >= today():
        # Not published yet: nothing fails, the day is fetched by a later run.
        return FetchReport(empty=requests)
    return fetch_and_archive(
        client, requests, config.raw_dir, config.quarantine_dir, pageview_validator(articles)
    )


def lookup_plan_of_day(config: ChartwatchConfig, date: dt.date) -> dict[str, list[str]]:
    """Storefront -> App Store ids to look up, from the day's charts in the lake."""
    charts = read_partitions(
        config.lake_dir / "chart_entries",
        date.isoformat(),
        list(config.countries_for("app_store")),
        ["country", "store", "app_id"],
    )
    return {} if charts is None else lookup_plan(charts)


def itunes_lookup(config: ChartwatchConfig, date: dt.date, client: HttpClient) -> FetchReport:
    """Listings are a snapshot, like the charts: fetched on the day only. A past day
    keeps what the archive holds; a missing listing is not an error (apps keeps the
    latest one it has)."""
    requests = lookup_requests(config.itunes_url, date, lookup_plan_of_day(config, date))
    if date != today():
        held, missing = split_by_archive(requests, config.raw_dir)
        return FetchReport(already_archived=held, empty=missing)
    return fetch_and_archive(
        client, requests, config.raw_dir, config.quarantine_dir, validate_lookup
    )


def appfigures(config: ChartwatchConfig, date: dt.date, client: HttpClient) -> FetchReport:
    token = os.environ.get("APPFIGURES_TOKEN", "").strip()
    if not token:
        return FetchReport(notes=["APPFIGURES_TOKEN is not set: Appfigures is skipped"])
    apps = apps_frame(read_products(config.products_path).appfigures_apps)
    if apps.is_empty():
        return FetchReport(
            notes=["no product of products.toml maps its apps to Appfigures (appfigures = {...})"]
        )
    if date > today():
        raise ValueError(f"{date} is in the future (today is {today()} UTC)")
    requests = appfigures_requests(
        config.appfigures_url, token, date, apps, list(config.countries_for())
    )
    return fetch_and_archive(
        client, requests, config.raw_dir, config.quarantine_dir, appfigures_validator(apps)
    )


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

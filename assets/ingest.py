"""Extraction assets, one per source: fetch a day for every configured country
and archive each response byte for byte under data/raw/ (see docs/raw-formats.md).

The archive is append-only: a response already archived with the same bytes is
left alone, so re-materialising a partition is a no-op. Each day is fetched and
archived before the next, so a range backfill holds one day in memory.
"""

import datetime as dt
from collections.abc import Callable, Iterable

import dagster as dg

from assets import live
from assets.fetching import FetchReport
from assets.http import HttpClient
from assets.live import live_client, lookup_plan_of_day
from assets.partitions import daily_partitions, map_days, partition_dates, single_run
from assets.raw import RawArchiveConflict, RawResponse, archive_all
from assets.resources import ChartwatchConfig
from assets.sample_market.source import check_window, sample_market
from assets.sources.apple_charts import render as apple_render
from assets.sources.google_play_charts import render as play_render
from assets.sources.itunes_lookup import render as lookup_render
from assets.sources.vendor_estimates import render as estimates_render
from assets.sources.wikimedia_pageviews import render as pageviews_render
from warehouse.products import read_products

Respond = Callable[[ChartwatchConfig, list], Iterable[RawResponse]]
Live = Callable[[ChartwatchConfig, dt.date, HttpClient], FetchReport]


def _apple(config: ChartwatchConfig, dates) -> Iterable[RawResponse]:
    return apple_render.apple_chart_responses(
        sample_market(), dates, config.countries_for("app_store")
    )


def _google_play(config: ChartwatchConfig, dates) -> Iterable[RawResponse]:
    return play_render.google_play_responses(
        sample_market(), dates, config.countries_for("google_play")
    )


def _wikimedia(config: ChartwatchConfig, dates) -> Iterable[RawResponse]:
    articles = [
        (a.product, a.project, a.article) for a in read_products(config.products_path).articles
    ]
    return pageviews_render.pageview_responses(sample_market(), dates, articles)


def _lookup(config: ChartwatchConfig, dates) -> Iterable[RawResponse]:
    for date in dates:
        yield from lookup_render.lookup_responses_for_plan(
            sample_market(), date, lookup_plan_of_day(config, date)
        )


def _vendor_estimates(config: ChartwatchConfig, dates) -> Iterable[RawResponse]:
    return estimates_render.estimate_responses(sample_market(), dates, config.countries_for())


def extraction_asset(
    name: str,
    description: str,
    respond: Respond,
    live: Live,
    kinds: set[str],
    deps: tuple[dg.AssetKey, ...] = (),
) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", name],
        group_name="ingest",
        kinds=kinds,
        description=description,
        deps=list(deps),
        partitions_def=daily_partitions,
        backfill_policy=single_run,
    )
    def _extract(
        context: dg.AssetExecutionContext, chartwatch: ChartwatchConfig
    ) -> dg.MaterializeResult:
        chartwatch.check()
        dates = partition_dates(context)
        if chartwatch.source == "live":
            return _extract_live(context, chartwatch, name, live, dates)
        check_window(dates)
        totals = [0, 0, 0]
        countries: set[str] = set()

        def fetch_and_archive(date):
            responses = list(respond(chartwatch, [date]))
            try:
                archived = archive_all(chartwatch.raw_dir, responses)
            except RawArchiveConflict as error:
                raise RawArchiveConflict(
                    f"{error} In sample mode this means {chartwatch.raw_dir} was made by another"
                    " version of the sample market (it changed with this checkout): `make clean`"
                    " deletes the data directory and the Dagster instance, then `make demo`"
                    " rebuilds them; or set CHARTWATCH_DATA_DIR to a new folder."
                ) from error
            return ({r.country for r in responses}, len(responses), archived)

        for date, (day_countries, count, (written, unchanged, nbytes)) in map_days(
            fetch_and_archive, dates
        ):
            countries.update(day_countries)
            totals = [totals[0] + written, totals[1] + unchanged, totals[2] + nbytes]
            context.log.info(
                f"{name} {date}: {count} responses for {len(day_countries)} countries "
                f"({written} new, {unchanged} unchanged)"
            )
        return dg.MaterializeResult(
            metadata={
                "days": len(dates),
                "countries": len(countries),
                "files_written": totals[0],
                "files_unchanged": totals[1],
                "bytes_written": dg.MetadataValue.int(totals[2]),
                "archive": dg.MetadataValue.path(str(chartwatch.raw_dir)),
            }
        )

    return _extract


def _extract_live(
    context: dg.AssetExecutionContext,
    chartwatch: ChartwatchConfig,
    name: str,
    live: Live,
    dates: list,
) -> dg.MaterializeResult:
    """Fetch every day of the run, archive what worked, then fail if anything failed."""
    report = FetchReport()
    with live_client(chartwatch) as client:
        for date in dates:
            day = live(chartwatch, date, client)
            report.merge(day)
            ok = sorted({r.country for r in day.archived + day.already_archived})
            context.log.info(
                f"{name} {date}: {day.summary()}; countries with data: {len(ok)}"
                + (f"; failed: {', '.join(day.failed_countries)}" if day.failures else "")
            )
            for note in day.notes:
                context.log.info(f"{name} {date}: {note}")
            for failure in day.failures:
                context.log.error(failure.message)
    metadata = {
        "days": len(dates),
        "fetched": len(report.archived),
        "already_archived": len(report.already_archived),
        "without_data": len(report.empty),
        "failed": len(report.failures),
        "failed_countries": ", ".join(report.failed_countries) or "none",
        "bytes_written": dg.MetadataValue.int(report.bytes_archived),
        "archive": dg.MetadataValue.path(str(chartwatch.raw_dir)),
    }
    if report.failures:
        table = "\n".join(
            f"| {f.request.date} | {f.request.country} | {f.request.what} | {f.problem[:300]} |"
            for f in report.failures[:200]
        )
        metadata["failures"] = dg.MetadataValue.md(
            "| date | country | what | problem |\n|---|---|---|---|\n" + table
        )
        raise dg.Failure(
            description=(
                f"{name}: {len(report.failures)} of {len(report.failures) + len(report.archived)}"
                f" requests failed (countries: {', '.join(report.failed_countries)}); everything"
                " that worked is archived, and running the partition again fetches only what is"
                f" missing. First failure: {report.failures[0].message}"
            ),
            metadata=metadata,
        )
    return dg.MaterializeResult(metadata=metadata)


apple_charts = extraction_asset(
    "apple_charts",
    "App Store top charts per storefront: top free and top paid from Apple's RSS feed "
    "(100 deep), top grossing from the legacy iTunes RSS (200 deep).",
    _apple,
    live.apple_charts,
    {"python", "json"},
)
google_play_charts = extraction_asset(
    "google_play_charts",
    "Google Play top free, paid and grossing charts (200 deep) in Chartwatch's import shape.",
    _google_play,
    lambda config, date, client: live.imported(config, "google_play", ".json", date, "google_play"),
    {"python", "json"},
)
wikimedia_pageviews = extraction_asset(
    "wikimedia_pageviews",
    "Daily Wikipedia pageviews of each tracked product's articles (products.toml).",
    _wikimedia,
    live.wikimedia_pageviews,
    {"python", "json"},
)
vendor_estimates = extraction_asset(
    "vendor_estimates",
    "Vendor estimates: daily downloads and DAU per app, country and store (CSV).",
    _vendor_estimates,
    lambda config, date, client: live.imported(config, "vendor_estimates", ".csv", date, None),
    {"python", "csv"},
)

itunes_lookup = extraction_asset(
    "itunes_lookup",
    "App Store listings (name, developer, bundle id, genre, price, ratings) from the iTunes"
    " Lookup API, for the apps of the day's charts: each app once a day, in the US"
    " storefront when it charts there, 100 ids per call.",
    _lookup,
    live.itunes_lookup,
    {"python", "json"},
    deps=(dg.AssetKey(["lake", "chart_entries"]),),
)

appfigures = extraction_asset(
    "appfigures",
    "Appfigures rank histories and download estimates of the tracked products mapped in"
    " products.toml (live mode, when APPFIGURES_TOKEN is set); history: any past day.",
    lambda config, dates: [],
    live.appfigures,
    {"python", "json"},
)

ingest_assets = [apple_charts, google_play_charts, wikimedia_pageviews, vendor_estimates]

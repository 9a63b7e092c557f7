"""Extraction assets, one per source: fetch a day for every configured country
and archive each response byte for byte under data/raw/ (see docs/raw-formats.md).

The archive is append-only: a response already archived with the same bytes is
left alone, so re-materialising a partition is a no-op. Each day is fetched and
archived before the next, so a range backfill holds one day in memory.
"""

from collections.abc import Callable, Iterable

import dagster as dg

from assets.partitions import daily_partitions, map_days, partition_dates, single_run
from assets.products import wikipedia_articles
from assets.raw import RawResponse, archive_all
from assets.resources import ChartwatchConfig
from assets.sample_market import render
from assets.sample_market.source import check_window, sample_market

Respond = Callable[[ChartwatchConfig, list], Iterable[RawResponse]]


def _apple(config: ChartwatchConfig, dates) -> Iterable[RawResponse]:
    return render.apple_chart_responses(sample_market(), dates, config.countries_for("app_store"))


def _google_play(config: ChartwatchConfig, dates) -> Iterable[RawResponse]:
    return render.google_play_responses(sample_market(), dates, config.countries_for("google_play"))


def _wikimedia(config: ChartwatchConfig, dates) -> Iterable[RawResponse]:
    articles = [(a.product, a.project, a.article) for a in wikipedia_articles(config.products_path)]
    return render.pageview_responses(sample_market(), dates, articles)


def _vendor_estimates(config: ChartwatchConfig, dates) -> Iterable[RawResponse]:
    return render.estimate_responses(sample_market(), dates, config.countries_for())


def extraction_asset(
    name: str, description: str, respond: Respond, kinds: set[str]
) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", name],
        group_name="ingest",
        kinds=kinds,
        description=description,
        partitions_def=daily_partitions,
        backfill_policy=single_run,
    )
    def _extract(
        context: dg.AssetExecutionContext, chartwatch: ChartwatchConfig
    ) -> dg.MaterializeResult:
        chartwatch.check()
        dates = partition_dates(context)
        check_window(dates)
        totals = [0, 0, 0]
        countries: set[str] = set()

        def fetch_and_archive(date):
            responses = list(respond(chartwatch, [date]))
            return (
                {r.country for r in responses},
                len(responses),
                archive_all(chartwatch.raw_dir, responses),
            )

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


apple_charts = extraction_asset(
    "apple_charts",
    "App Store top charts per storefront: top free and top paid from Apple's RSS feed "
    "(100 deep), top grossing from the legacy iTunes RSS (200 deep).",
    _apple,
    {"python", "json"},
)
google_play_charts = extraction_asset(
    "google_play_charts",
    "Google Play top free, paid and grossing charts (200 deep) in Chartwatch's import shape.",
    _google_play,
    {"python", "json"},
)
wikimedia_pageviews = extraction_asset(
    "wikimedia_pageviews",
    "Daily Wikipedia pageviews of each tracked product's articles (products.toml).",
    _wikimedia,
    {"python", "json"},
)
vendor_estimates = extraction_asset(
    "vendor_estimates",
    "Vendor estimates: daily downloads and DAU per app, country and store (CSV).",
    _vendor_estimates,
    {"python", "csv"},
)

ingest_assets = [apple_charts, google_play_charts, wikimedia_pageviews, vendor_estimates]

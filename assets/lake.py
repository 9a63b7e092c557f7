"""Lake assets: parse the raw archive with Polars into the Parquet datasets of
the contract (``data/lake/<dataset>/date=YYYY-MM-DD/country=cc/part-0.parquet``).

Each run re-derives its window from the archive, one day at a time, and
replaces exactly the partitions of that window: running it twice gives the same
files, and other days are untouched. A bad raw file fails the run with an error
naming the file before anything of that day is written.
"""

import datetime as dt
from collections.abc import Callable

import dagster as dg
import polars as pl

from assets.appfigures.fetch import apps_frame
from assets.appfigures.parse import parse_estimates, parse_ranks
from assets.apple.parse import parse_current_rss, parse_legacy_rss
from assets.checks import SCHEMAS, check_day, quarantine_rows
from assets.estimates.parse import parse_estimates_csv
from assets.google_play.parse import parse_google_play_charts
from assets.ingest import (
    appfigures,
    apple_charts,
    google_play_charts,
    itunes_lookup,
    vendor_estimates,
    wikimedia_pageviews,
)
from assets.itunes.parse import parse_lookup
from assets.partitions import daily_partitions, map_days, partition_dates, single_run
from assets.products import appfigures_apps, wikipedia_articles
from assets.raw import list_files, read_batch
from assets.resources import ChartwatchConfig
from assets.schemas import (
    APP_ESTIMATES,
    APP_METADATA,
    CHART_ENTRIES,
    SEARCH_INTEREST,
    VENDOR_RANKS,
)
from assets.storage import replace_partitions
from assets.wikimedia.parse import articles_frame, parse_pageviews

WW = "ww"  # the country of sources without one (Wikimedia)
ROWS_VALID = "rows_valid"


def _read(
    config: ChartwatchConfig, source: str, date: dt.date, suffix: str, countries
) -> pl.DataFrame:
    return read_batch(source, list_files(config.raw_dir, source, [date], suffix, countries))


def chart_entries_for_day(config: ChartwatchConfig, date: dt.date) -> pl.DataFrame:
    countries = config.countries_for()
    return pl.concat(
        [
            parse_current_rss(_read(config, "apple_rss", date, ".json", countries)),
            parse_legacy_rss(_read(config, "itunes_rss", date, ".json", countries)),
            parse_google_play_charts(_read(config, "google_play", date, ".json", countries)),
        ]
    )


def app_estimates_for_day(config: ChartwatchConfig, date: dt.date) -> pl.DataFrame:
    batch = _read(config, "vendor_estimates", date, ".csv", config.countries_for())
    # Live mode has no estimates feed of its own: its files are imports.
    return parse_estimates_csv(batch, source="sample" if config.source == "sample" else "import")


def _appfigures_apps(config: ChartwatchConfig) -> pl.DataFrame:
    return apps_frame(appfigures_apps(config.products_path))


# Where two sources estimate the same app, country and day, the first wins: a user's
# own import (e.g. App Store Connect) before a vendor's estimate.
ESTIMATE_PRECEDENCE = ("import", "appfigures", "sample")


def live_app_estimates_for_day(config: ChartwatchConfig, date: dt.date) -> pl.DataFrame:
    imported = app_estimates_for_day(config, date)
    batch = _read(config, "appfigures", date, ".json", [WW])
    vendor = parse_estimates(batch.filter(pl.col("item") == "estimates"), _appfigures_apps(config))
    both = pl.concat([imported, vendor])
    rank = pl.col("source").replace_strict(
        {s: i for i, s in enumerate(ESTIMATE_PRECEDENCE)}, default=len(ESTIMATE_PRECEDENCE)
    )
    return (
        both.sort(rank, maintain_order=True)
        .unique(["date", "country", "store", "app_id"], keep="first", maintain_order=True)
        .select(both.columns)
    )


def vendor_ranks_for_day(config: ChartwatchConfig, date: dt.date) -> pl.DataFrame:
    batch = _read(config, "appfigures", date, ".json", [WW])
    return parse_ranks(batch.filter(pl.col("item") == "ranks"), _appfigures_apps(config))


def search_interest_for_day(config: ChartwatchConfig, date: dt.date) -> pl.DataFrame:
    articles = articles_frame(wikipedia_articles(config.products_path))
    return parse_pageviews(_read(config, "wikimedia", date, ".json", [WW]), articles)


def app_metadata_for_day(config: ChartwatchConfig, date: dt.date) -> pl.DataFrame:
    batch = _read(config, "itunes_lookup", date, ".json", config.countries_for("app_store"))
    return parse_lookup(batch)


def lake_asset(
    name: str,
    description: str,
    deps: list[dg.AssetsDefinition],
    build_day: Callable[[ChartwatchConfig, dt.date], pl.DataFrame],
    schema: pl.Schema,
    sort_by: list[str],
    countries_of: Callable[[ChartwatchConfig], list[str]],
) -> dg.AssetsDefinition:
    @dg.asset(
        key=["lake", name],
        group_name="lake",
        kinds={"polars", "parquet"},
        description=description,
        deps=deps,
        partitions_def=daily_partitions,
        backfill_policy=single_run,
        # With the daemon running (make ui), a newly archived day is parsed without a
        # manual step: the latest partition follows its upstream raw assets.
        automation_condition=dg.AutomationCondition.eager(),
        check_specs=(
            [
                dg.AssetCheckSpec(
                    ROWS_VALID,
                    asset=dg.AssetKey(["lake", name]),
                    blocking=True,
                    description=f"Every row of {name} passes its schema and rules"
                    " (assets/checks.py); a day that does not is not published, its bad rows"
                    " go to data/quarantine/lake/, and the warehouse is not built.",
                )
            ]
            if name in SCHEMAS
            else None
        ),
    )
    def _lake(
        context: dg.AssetExecutionContext, chartwatch: ChartwatchConfig
    ) -> dg.MaterializeResult:
        chartwatch.check()
        dataset_dir = chartwatch.lake_dir / name
        totals = {"rows": 0, "partitions_written": 0, "partitions_removed": 0}
        countries: set[str] = set()

        def parse_and_write(date):
            frame = build_day(chartwatch, date)
            assert frame.schema == schema, (
                f"{name}: parser returned {frame.schema}, expected {schema}"
            )
            check, invalid = check_day(name, frame, chartwatch.countries_for("app_store"))
            if invalid is not None:
                # Not published: the lake keeps its previous version of the day.
                kept = quarantine_rows(chartwatch.quarantine_dir, name, str(date), invalid)
                nothing = {"rows": 0, "partitions_written": 0, "partitions_removed": 0}
                return set(), nothing, (check, kept)
            stats = replace_partitions(
                dataset_dir, frame, [str(date)], countries_of(chartwatch), sort_by
            )
            return set(frame["country"].unique().to_list()), stats, None

        bad_days = {}
        for date, (day_countries, stats, bad) in map_days(
            parse_and_write, partition_dates(context)
        ):
            countries.update(day_countries)
            totals = {k: totals[k] + stats[k] for k in totals}
            if bad is not None:
                bad_days[date] = bad
                context.log.error(
                    f"{name} {date}: {bad[0].invalid_rows} rows break {bad[0].broken_rules};"
                    f" the day is not published, the rows are kept in {bad[1]}"
                )
                continue
            context.log.info(
                f"{name} {date}: {stats['rows']} rows in {stats['partitions_written']} country partitions"
            )
        checks = None
        if name in SCHEMAS:
            broken: dict[str, int] = {}
            for check, _ in bad_days.values():
                for rule, count in check.broken_rules.items():
                    broken[rule] = broken.get(rule, 0) + count
            checks = [
                dg.AssetCheckResult(
                    check_name=ROWS_VALID,
                    passed=not bad_days,
                    metadata={
                        "bad_days": ", ".join(str(d) for d in bad_days) or "none",
                        "invalid_rows": sum(c.invalid_rows for c, _ in bad_days.values()),
                        "broken_rules": dg.MetadataValue.json(broken),
                        "quarantine": dg.MetadataValue.path(
                            str(chartwatch.quarantine_dir / "lake" / name)
                        ),
                    },
                )
            ]
        return dg.MaterializeResult(
            metadata={
                **totals,
                "countries": len(countries),
                "path": dg.MetadataValue.path(str(dataset_dir)),
            },
            check_results=checks,
        )

    return _lake


chart_entries = lake_asset(
    "chart_entries",
    "One row per date, country, store, device, chart, genre and rank: every archived chart.",
    [apple_charts, google_play_charts],
    chart_entries_for_day,
    CHART_ENTRIES,
    ["store", "device", "chart", "genre_id", "rank"],
    lambda config: list(config.countries_for()),
)
app_estimates = lake_asset(
    "app_estimates",
    "One row per date, country, store and app: estimated downloads and DAU, with their source.",
    [vendor_estimates],
    app_estimates_for_day,
    APP_ESTIMATES,
    ["store", "app_id"],
    lambda config: list(config.countries_for()),
)
search_interest = lake_asset(
    "search_interest",
    "One row per date, country, source and term: search interest (Wikipedia pageviews).",
    [wikimedia_pageviews],
    search_interest_for_day,
    SEARCH_INTEREST,
    ["source", "term"],
    lambda config: [WW],
)

app_metadata = lake_asset(
    "app_metadata",
    "One row per date, country (the storefront asked), store and app: the App Store listing"
    " (name, developer, bundle id, genre, price, rating count) from the iTunes Lookup API.",
    [itunes_lookup],
    app_metadata_for_day,
    APP_METADATA,
    ["store", "app_id"],
    lambda config: list(config.countries_for("app_store")),
)

lake_assets = [chart_entries, app_estimates, search_interest]
# Live mode: estimates from imports and Appfigures, and Appfigures' rank histories.
live_app_estimates = lake_asset(
    "app_estimates",
    "One row per date, country, store and app: estimated downloads and DAU, with their source"
    " (imports first, then Appfigures).",
    [vendor_estimates, appfigures],
    live_app_estimates_for_day,
    APP_ESTIMATES,
    ["store", "app_id"],
    lambda config: list(config.countries_for()),
)
vendor_ranks = lake_asset(
    "vendor_ranks",
    "One row per date, country, store, device, chart, genre and app: a vendor's rank history"
    " of the tracked products (Appfigures); positions only, not whole charts.",
    [appfigures],
    vendor_ranks_for_day,
    VENDOR_RANKS,
    ["store", "device", "chart", "genre_id", "app_id"],
    lambda config: list(config.countries_for()),
)

# App Store listings: part of live mode's definitions (the sample market can answer
# lookups too, for tests, but its demo leaves the listing columns of apps empty).
listing_assets = [itunes_lookup, app_metadata]

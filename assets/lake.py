"""Lake assets: parse the raw archive with Polars into the Parquet datasets of
the contract (``data/lake/<dataset>/date=YYYY-MM-DD/country=cc/part-0.parquet``).

Each run re-derives its window from the archive, one day at a time, and
replaces exactly the partitions of that window: running it twice gives the same
files, and other days are untouched. A bad raw file fails the run with an error
naming the file before anything of that day is written.
"""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import polars as pl

from assets.checks import (
    ROW_COUNT_BOUNDS,
    SCHEMAS,
    DayCheck,
    check_day,
    quarantine_rows,
    quarantine_unreadable,
    rows_out_of_bounds,
)
from assets.market import MarketClient
from assets.metadata import dataset_columns, preview_table
from assets.parsing import conform
from assets.partitions import map_days, partition_dates, single_run
from assets.rank_model import model
from assets.raw import RawFileError
from assets.resources import ChartwatchConfig
from assets.schemas import APP_ESTIMATES, CHART_COVERAGE, CHART_ENTRIES, MODEL_CALIBRATION
from assets.sources import feeding, rows_of
from assets.sources.source import Day
from assets.storage import day_files, read_partitions, replace_partitions
from warehouse import datasets
from warehouse.datasets import APP_STORE_ONLY, WORLDWIDE_AND_CONFIGURED, WORLDWIDE_ONLY, Dataset
from warehouse.objects import polars_options, uri
from warehouse.products import read_products
from warehouse.progress import Progress
from warehouse.units import human_bytes, plural

WW = datasets.WORLDWIDE  # the country of sources without one (Wikimedia)
ROWS_VALID = "rows_valid"
ROW_COUNT = "row_count_in_bounds"


def source_day(config: ChartwatchConfig, market: MarketClient, date: dt.date) -> Day:
    """What the sources' parsers read a day with."""
    return Day(
        date=date,
        raw_dir=config.raw_dir,
        countries=config.countries_for,
        products=read_products(config.products_path),
        imported_as=market.imported_as,
    )


def from_sources(
    dataset: Dataset,
) -> Callable[[ChartwatchConfig, MarketClient, dt.date], pl.DataFrame]:
    """A day of a dataset parsed from the archives of the sources that feed it (the
    registry: each source's ``feeds``), settled where two give rows of one key
    (``assets.sources.rows_of``: a user's own figures before a vendor's, a chart whole
    from one source)."""

    def build_day(config: ChartwatchConfig, market: MarketClient, date: dt.date) -> pl.DataFrame:
        return rows_of(dataset, source_day(config, market, date))

    return build_day


@dataclass(frozen=True)
class DayResult:
    rows: int
    per_country: dict[str, int]  # rows per country, the day's parse
    stats: dict[str, int] | None  # what replace_partitions wrote; None: not published
    bad: tuple[DayCheck, Path] | None  # the failed check and where its rows are kept
    preview: pl.DataFrame | None
    # Seconds of each part of the day's work: parse, check, write.
    seconds: dict[str, float] = field(default_factory=dict)


def chart_coverage_for_day(
    config: ChartwatchConfig, market: MarketClient, date: dt.date
) -> pl.DataFrame:
    """Each chart of the day: served (its depth, from the day's chart_entries) or
    recorded unavailable by its source (a 403 or 404); served wins where both are."""
    entries = _lake_day(
        config, "chart_entries", date, CHART_ENTRIES, [*_CHART_KEY, "rank", "source"]
    )
    served = entries.group_by([*_CHART_KEY, "source"]).agg(depth=pl.col("rank").max())
    served = served.with_columns(status=pl.lit("served"), http_status=pl.lit(None, pl.Int32))
    unavailable = _COVERAGE_FEEDS(config, market, date).join(
        served.select(_CHART_KEY), on=_CHART_KEY, how="anti", nulls_equal=True
    )
    return pl.concat([conform(served, CHART_COVERAGE), unavailable])


_CHART_KEY = list(datasets.CHART_COVERAGE.grain)
_COVERAGE_FEEDS = from_sources(datasets.CHART_COVERAGE)


# --- the rank -> downloads model: from the lake to the lake ---------------------------


def _lake_day(
    config: ChartwatchConfig, dataset: str, date: dt.date, schema, columns=None
) -> pl.DataFrame:
    """Columns of a lake dataset's rows of a day (every configured country), or no rows."""
    schema = pl.Schema({name: schema[name] for name in columns or schema})
    frame = read_partitions(
        config.lake_dir / dataset, str(date), list(config.countries_for()), list(schema)
    )
    return schema.to_frame() if frame is None else frame.cast(dict(schema))


def model_calibration_for_day(
    config: ChartwatchConfig, market: MarketClient, date: dt.date
) -> pl.DataFrame:
    """The panel's known downloads: the apps of CHARTWATCH_PANEL, else the market's
    default panel (the sample: a seeded tenth, the rest test the model in make
    backtest; live: every app with imported or vendor figures)."""
    estimates = _lake_day(config, "app_estimates", date, APP_ESTIMATES)
    panel = (
        model.read_panel_file(config.panel_path)
        if config.panel
        else market.default_panel(estimates)
    )
    return model.calibration(estimates, panel)


_CHART_COLUMNS = ["date", "country", "store", "device", "chart", "genre_id", "rank", "app_id"]


def model_parameters_for_day(
    config: ChartwatchConfig, market: MarketClient, date: dt.date
) -> pl.DataFrame:
    calibrated = _lake_day(
        config, "model_calibration", date, MODEL_CALIBRATION, [*model.KEY, "downloads"]
    )
    charts = _lake_day(config, "chart_entries", date, CHART_ENTRIES, _CHART_COLUMNS)
    return model.fit(
        model.observations(calibrated, charts),
        model.overall_fronts(charts),
        model.read_market_sizes(),
        (date, date),
    )


def _per_country_line(name: str, date: dt.date, day: DayResult) -> str:
    counts = ", ".join(f"{c} {n:,}" for c, n in day.per_country.items())
    head = f"{name} {date}: {day.rows:,} rows, {len(day.per_country)} countries"
    if day.stats is not None:
        head += (
            f", {human_bytes(day.stats['bytes'])} in {day.stats['partitions_written']} partitions"
        )
    return f"{head} ({counts})"


def _days_text(days: list[dt.date], shown: int = 5) -> str:
    """'2025-01-03, 2025-01-07' or, for many, the first few and how many more."""
    text = ", ".join(map(str, days[:shown]))
    return text + (f" and {len(days) - shown} more" if len(days) > shown else "")


def _rows_on(dataset_dir: Path, date: dt.date) -> int | None:
    """Rows the lake holds for a day (from the Parquet footers); None if it has none."""
    files = day_files(dataset_dir, str(date))
    if not files:
        return None
    return (
        pl.scan_parquet(
            [uri(path) for path in files],
            hive_partitioning=False,
            storage_options=polars_options(files[0]),
        )
        .select(pl.len())
        .collect()
        .item()
    )


def _top_of(filters: dict[str, object], by: str, descending: bool = False):
    """A preview: the rows matching ``filters`` (if any do) ordered by ``by``."""

    def pick(frame: pl.DataFrame) -> pl.DataFrame:
        chosen = frame.filter(**filters) if filters else frame
        return (chosen if chosen.height else frame).sort(by, descending=descending, nulls_last=True)

    return pick


@dataclass(frozen=True)
class LakeDataset:
    """A lake dataset (its declaration: warehouse/datasets.py) and how a day of it is
    built: parsed from the archive, or computed from other datasets."""

    declared: Dataset
    build_day: Callable[[ChartwatchConfig, MarketClient, dt.date], pl.DataFrame]
    # The rows worth showing in the UI's preview of a day.
    preview: Callable[[pl.DataFrame], pl.DataFrame] = lambda frame: frame
    # The lake datasets a day of it is computed from (none: it is parsed from the
    # archives of the sources that feed it).
    computed_from: tuple[str, ...] = ()
    description: str = ""  # more than its declaration says, for the UI

    @property
    def deps(self) -> list[dg.AssetKey]:
        """Its upstream assets: the raw assets of its sources, or the lake datasets it
        is computed from."""
        raw = [dg.AssetKey(["raw", source.name]) for source in feeding(self.name)]
        return [*raw, *(dg.AssetKey(["lake", name]) for name in self.computed_from)]

    @property
    def name(self) -> str:
        return self.declared.name

    @property
    def schema(self) -> pl.Schema:
        return self.declared.schema

    def countries(self, config: ChartwatchConfig) -> list[str]:
        """The storefronts it has partitions for."""
        storefronts = self.declared.storefronts
        if storefronts == WORLDWIDE_ONLY:
            return [WW]
        if storefronts == WORLDWIDE_AND_CONFIGURED:
            return [WW, *config.countries_for()]
        return list(config.countries_for("app_store" if storefronts == APP_STORE_ONLY else None))


def publish_day(
    dataset: LakeDataset, chartwatch: ChartwatchConfig, market: MarketClient, date: dt.date
) -> DayResult:
    """Parse a day from the archive, check it, and replace its partitions if it is valid.

    A day that breaks a rule is not published: the lake keeps its previous version,
    the invalid rows go to the quarantine. This is all of a lake asset's work on a
    day, without Dagster (the benchmark times it directly).
    """
    name = dataset.name
    began = time.perf_counter()
    try:
        frame = dataset.build_day(chartwatch, market, date)
    except RawFileError as error:
        # A file its parser cannot read fails its own day only: the other days of
        # the range are still published.
        bad = quarantine_unreadable(chartwatch.quarantine_dir, name, str(date), error)
        return DayResult(0, {}, None, bad, None, {"parse": time.perf_counter() - began})
    assert frame.schema == dataset.schema, (
        f"{name}: parser returned {frame.schema}, expected {dataset.schema}"
    )
    parsed = time.perf_counter()
    per_country = dict(frame.group_by("country").len().sort("country").iter_rows())
    check, invalid = check_day(name, frame, chartwatch.countries_for("app_store"))
    checked = time.perf_counter()
    seconds = {"parse": parsed - began, "check": checked - parsed}
    if invalid is not None:
        kept = quarantine_rows(chartwatch.quarantine_dir, name, str(date), invalid)
        return DayResult(frame.height, per_country, None, (check, kept), None, seconds)
    stats = replace_partitions(
        chartwatch.lake_dir / name,
        frame,
        [str(date)],
        dataset.countries(chartwatch),
        list(dataset.declared.sort_by),
    )
    seconds["write"] = time.perf_counter() - checked
    return DayResult(frame.height, per_country, stats, None, dataset.preview(frame), seconds)


def lake_asset(
    dataset: LakeDataset,
    partitions: dg.PartitionsDefinition,
    policy: dg.BackfillPolicy = single_run,
) -> dg.AssetsDefinition:
    """The Dagster asset of a lake dataset, with its checks and UI metadata."""
    name = dataset.name
    description = f"One row per {dataset.declared.row}. {dataset.description}".strip()
    key = dg.AssetKey(["lake", name])
    checked = name in SCHEMAS

    @dg.asset(
        key=key,
        group_name="lake",
        kinds={"polars", "parquet"},
        description=description,
        deps=dataset.deps,
        partitions_def=partitions,
        backfill_policy=policy,
        # With the daemon running (make ui), a newly archived day is parsed without a
        # manual step: the latest partition follows its upstream raw assets.
        automation_condition=dg.AutomationCondition.eager(),
        check_specs=(
            [
                dg.AssetCheckSpec(
                    ROWS_VALID,
                    asset=key,
                    blocking=True,
                    description=f"Every row of {name} passes its schema and rules"
                    " (assets/checks.py); a day that does not is not published, its bad rows"
                    " go to data/quarantine/lake/, and the warehouse is not built.",
                ),
                dg.AssetCheckSpec(
                    ROW_COUNT,
                    asset=key,
                    description=f"Each day's row count of {name} is within"
                    f" {ROW_COUNT_BOUNDS[0]}x..{ROW_COUNT_BOUNDS[1]}x of the day before's"
                    " (a warning: a new feed or storefront legitimately changes it).",
                ),
            ]
            if checked
            else None
        ),
    )
    def _lake(
        context: dg.AssetExecutionContext, chartwatch: ChartwatchConfig, market: MarketClient
    ) -> dg.MaterializeResult:
        dataset_dir = chartwatch.lake_dir / name

        def parse_and_write(date: dt.date) -> DayResult:
            return publish_day(dataset, chartwatch, market, date)

        dates = partition_dates(context)
        common = {
            "path": dg.MetadataValue.path(str(dataset_dir)),
            "dagster/column_schema": dataset_columns(dataset.declared),
        }
        day_before = _rows_on(dataset_dir, dates[0] - dt.timedelta(days=1)) if checked else None
        published: dict[str, dict] = {}
        bad_days: dict[dt.date, tuple[DayCheck, Path]] = {}
        counts: list[tuple[dt.date, int]] = []
        totals = {"rows": 0, "bytes": 0, "partitions_written": 0, "partitions_removed": 0}
        stretch = f"{name} {dates[0]}..{dates[-1]}" if len(dates) > 1 else f"{name} {dates[0]}"
        progress = Progress(context.log.info, stretch, len(dates))
        for date, day in map_days(parse_and_write, dates, chartwatch.day_workers):
            counts.append((date, day.rows))
            progress.advance(rows=day.rows)
            if day.bad is not None:
                bad_days[date] = day.bad
                check, kept = day.bad
                context.log.error(
                    f"{name} {date}: {check.unreadable}; the day is not published (noted in {kept})"
                    if check.unreadable
                    else f"{name} {date}: {check.invalid_rows} rows break {check.broken_rules};"
                    f" the day is not published, the rows are kept in {kept}"
                )
                continue
            assert day.stats is not None and day.preview is not None
            totals = {k: totals[k] + day.stats[k] for k in totals}
            context.log.debug(_per_country_line(name, date, day))
            published[str(date)] = {
                "dagster/row_count": day.rows,
                "countries": len(day.per_country),
                "bytes": day.stats["bytes"],
                "size": human_bytes(day.stats["bytes"]),
                "partitions_written": day.stats["partitions_written"],
                "partitions_removed": day.stats["partitions_removed"],
                "preview": preview_table(day.preview),
            }
        context.log.info(
            f"{stretch}: {plural(len(published), 'day')} published, {totals['rows']:,} rows,"
            f" {human_bytes(totals['bytes'])} in {plural(totals['partitions_written'], 'partition')},"
            f" in {progress.elapsed}"
            + (f"; not published: {_days_text(list(bad_days))}" if bad_days else "")
        )

        results = _check_results(name, chartwatch, bad_days, counts, day_before) if checked else []
        if bad_days:
            # Record the days that were published, so a backfill counts only the bad
            # days as failed and "re-execute from failure" runs just those.
            for partition, metadata in published.items():
                context.log_event(
                    dg.AssetMaterialization(
                        key, partition=partition, metadata={**common, **metadata}
                    )
                )
            for result in results:
                context.log_event(
                    dg.AssetCheckEvaluation(
                        asset_key=key,
                        check_name=result.check_name,
                        passed=result.passed,
                        metadata=result.metadata,
                        severity=result.severity,
                        blocking=result.check_name == ROWS_VALID,
                    )
                )
            unreadable = [check.unreadable for check, _ in bad_days.values() if check.unreadable]
            raise dg.Failure(
                description=f"{name}: {plural(len(bad_days), 'day')} failed the {ROWS_VALID} check and"
                f" were not published: {_days_text(list(bad_days))}."
                + (f" First unreadable file: {unreadable[0]}." if unreadable else "")
                + f" Their invalid rows (or notes) are in"
                f" {chartwatch.quarantine_dir / 'lake' / name}. The other"
                f" {plural(len(published), 'day')} were published. Fix the raw files (or the parser),"
                " then re-run only the failed days: in the UI, re-execute the backfill"
                " 'from failure'; or `make backfill FAILED=1 START=... END=...`.",
                metadata={"bad_days": ", ".join(map(str, bad_days))},
            )
        for partition, metadata in published.items():
            context.add_asset_metadata(metadata, partition_key=partition)
        return dg.MaterializeResult(metadata=common, check_results=results or None)

    return _lake


def _check_results(
    name: str,
    chartwatch: ChartwatchConfig,
    bad_days: dict[dt.date, tuple[DayCheck, Path]],
    counts: list[tuple[dt.date, int]],
    day_before: int | None,
) -> list[dg.AssetCheckResult]:
    broken: dict[str, int] = {}
    for check, _ in bad_days.values():
        for rule, count in check.broken_rules.items():
            broken[rule] = broken.get(rule, 0) + count
    outliers = rows_out_of_bounds(counts, day_before)
    return [
        dg.AssetCheckResult(
            check_name=ROWS_VALID,
            passed=not bad_days,
            metadata={
                "bad_days": ", ".join(str(d) for d in bad_days) or "none",
                "invalid_rows": sum(c.invalid_rows for c, _ in bad_days.values()),
                "broken_rules": dg.MetadataValue.json(broken),
                "quarantine": dg.MetadataValue.path(str(chartwatch.quarantine_dir / "lake" / name)),
            },
        ),
        dg.AssetCheckResult(
            check_name=ROW_COUNT,
            passed=not outliers,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "bounds": f"{ROW_COUNT_BOUNDS[0]}x..{ROW_COUNT_BOUNDS[1]}x of the day before",
                "days_checked": len(counts),
                "rows_per_day": dg.MetadataValue.json({str(date): rows for date, rows in counts}),
                "out_of_bounds": dg.MetadataValue.json(outliers),
            },
        ),
    ]


CHART_ENTRIES_DATASET = LakeDataset(
    datasets.CHART_ENTRIES,
    from_sources(datasets.CHART_ENTRIES),
    _top_of(
        {"country": "us", "store": "app_store", "device": "iphone", "chart": "top_free"}, "rank"
    ),
)
CHART_COVERAGE_DATASET = LakeDataset(
    datasets.CHART_COVERAGE,
    chart_coverage_for_day,
    _top_of({"country": "us"}, "store"),
    computed_from=("chart_entries",),
    description="Served charts come from the day's chart_entries; unavailable ones from the"
    " archive's records of a 403 or 404.",
)
APP_ESTIMATES_DATASET = LakeDataset(
    datasets.APP_ESTIMATES,
    from_sources(datasets.APP_ESTIMATES),
    _top_of({"country": "us", "store": "app_store"}, "downloads", descending=True),
    description="Where a user's import and a vendor estimate the same app and day, the"
    " import wins.",
)
SEARCH_INTEREST_DATASET = LakeDataset(
    datasets.SEARCH_INTEREST,
    from_sources(datasets.SEARCH_INTEREST),
    _top_of({}, "interest", descending=True),
)
APP_METADATA_DATASET = LakeDataset(datasets.APP_METADATA, from_sources(datasets.APP_METADATA))
VENDOR_RANKS_DATASET = LakeDataset(datasets.VENDOR_RANKS, from_sources(datasets.VENDOR_RANKS))
MODEL_CALIBRATION_DATASET = LakeDataset(
    datasets.MODEL_CALIBRATION,
    model_calibration_for_day,
    computed_from=("app_estimates",),
)
MODEL_PARAMETERS_DATASET = LakeDataset(
    datasets.MODEL_PARAMETERS,
    model_parameters_for_day,
    _top_of({"country": "us"}, "store"),
    computed_from=("chart_entries", "model_calibration"),
)
# Every lake dataset, in the order a run builds it.
LAKE_DATASETS = [
    CHART_ENTRIES_DATASET,
    CHART_COVERAGE_DATASET,
    APP_ESTIMATES_DATASET,
    SEARCH_INTEREST_DATASET,
    APP_METADATA_DATASET,
    VENDOR_RANKS_DATASET,
    MODEL_CALIBRATION_DATASET,
    MODEL_PARAMETERS_DATASET,
]


def lake_assets(
    partitions: dg.PartitionsDefinition, policy: dg.BackfillPolicy = single_run
) -> dict[str, dg.AssetsDefinition]:
    """The asset of every lake dataset, by dataset name."""
    return {dataset.name: lake_asset(dataset, partitions, policy) for dataset in LAKE_DATASETS}

"""The Definitions Dagster loads (workspace.yaml points here).

``build_definitions`` takes the Chartwatch resource, so tests build the same
code location against a temporary data directory.
"""

import warnings

import dagster as dg

from assets.ingest import appfigures, ingest_assets
from assets.lake import (
    chart_entries,
    lake_assets,
    listing_assets,
    live_app_estimates,
    model_assets,
    search_interest,
    vendor_ranks,
)
from assets.reports import launch_pictures, live_launch_pictures
from assets.resources import ChartwatchConfig
from assets.warehouse_tables import live_warehouse, warehouse
from pipelines import dagster_fixes
from pipelines.jobs import daily_pipeline
from pipelines.logs import console
from pipelines.resources import chartwatch_from_env
from pipelines.schedules import FRESHNESS_DEADLINE, schedules
from pipelines.sensors import pool_waits


def _freshness() -> tuple[list[dg.AssetChecksDefinition], list[dg.SensorDefinition]]:
    """Live mode: today's partition of the chart lake and of the warehouse must exist by
    the deadline (daily_charts runs at 06:00 UTC); a sensor evaluates the checks.

    Dagster marks these checks as superseded by FreshnessPolicy, but that policy judges
    an asset's last materialisation of any partition (a backfill of an old day would
    make it fresh); these checks judge the latest partition, which is what matters here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        checks = list(
            dg.build_time_partition_freshness_checks(
                assets=[chart_entries, live_warehouse], deadline_cron=FRESHNESS_DEADLINE
            )
        )
        sensor = dg.build_sensor_for_freshness_checks(
            freshness_checks=checks,
            minimum_interval_seconds=300,
            default_status=dg.DefaultSensorStatus.RUNNING,
        )
    return checks, [sensor]


def build_definitions(chartwatch: ChartwatchConfig) -> dg.Definitions:
    """The code location for a configuration. Live mode adds the App Store listings
    (iTunes Lookup -> lake/app_metadata -> apps) and Appfigures (ranks ->
    lake/vendor_ranks; estimates -> lake/app_estimates). The sample market has neither
    source: its demo leaves those tables empty rather than spend time on them."""
    live = chartwatch.source == "live"
    freshness, sensors = _freshness() if live else ([], [])
    return dg.Definitions(
        assets=(
            [
                *ingest_assets,
                appfigures,
                chart_entries,
                live_app_estimates,
                search_interest,
                vendor_ranks,
                *model_assets,
                *listing_assets,
                live_warehouse,
                live_launch_pictures,
            ]
            if live
            else [*ingest_assets, *lake_assets, warehouse, launch_pictures]
        ),
        asset_checks=freshness,
        jobs=[daily_pipeline],
        schedules=schedules,
        sensors=[*sensors, pool_waits],
        resources={"chartwatch": chartwatch},
        loggers={"console": console},
        # Every step is already multi-threaded (Polars, DuckDB); running the steps in
        # one process avoids a process start per step and lets them share the
        # simulated sample market.
        executor=dg.in_process_executor,
    )


dagster_fixes.apply()
defs = build_definitions(chartwatch_from_env())

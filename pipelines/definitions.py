"""The Definitions Dagster loads (workspace.yaml points here).

``build_definitions`` takes the Chartwatch resource, so tests build the same
code location against a temporary data directory.
"""

import warnings

import dagster as dg

from assets.ingest import ingest_assets
from assets.lake import LAKE_ASSETS, lake_assets
from assets.market import resources_for
from assets.reports import launch_pictures
from assets.resources import ChartwatchConfig
from assets.warehouse_tables import warehouse
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
                assets=[LAKE_ASSETS["chart_entries"], warehouse], deadline_cron=FRESHNESS_DEADLINE
            )
        )
        sensor = dg.build_sensor_for_freshness_checks(
            freshness_checks=checks,
            minimum_interval_seconds=300,
            default_status=dg.DefaultSensorStatus.RUNNING,
        )
    return checks, [sensor]


def build_definitions(chartwatch: ChartwatchConfig) -> dg.Definitions:
    """The code location for a configuration: one asset graph, sample or live. The
    ``market`` resource is what differs (assets/market.py): the sample market, or the
    real sources and a user's imports. Live mode adds the freshness checks of the
    latest partition (the sample's days are in the past)."""
    live = chartwatch.source == "live"
    freshness, sensors = _freshness() if live else ([], [])
    return dg.Definitions(
        assets=[*ingest_assets, *lake_assets, warehouse, launch_pictures],
        asset_checks=freshness,
        jobs=[daily_pipeline],
        schedules=schedules,
        sensors=[*sensors, pool_waits],
        resources=resources_for(chartwatch),
        loggers={"console": console},
        # Every step is already multi-threaded (Polars, DuckDB); running the steps in
        # one process avoids a process start per step and lets them share the
        # simulated sample market.
        executor=dg.in_process_executor,
    )


dagster_fixes.apply()
defs = build_definitions(chartwatch_from_env())

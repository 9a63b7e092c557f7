"""The Definitions Dagster loads (workspace.yaml points here).

``build_definitions`` takes the Chartwatch resource, so tests build the same
code location against a temporary data directory.
"""

import warnings

import dagster as dg

from assets.graph import AssetGraph, asset_graph
from assets.market import resources_for
from assets.resources import ChartwatchConfig
from pipelines import dagster_fixes
from pipelines.executors import executor_for
from pipelines.jobs import daily_pipeline
from pipelines.logs import console
from pipelines.resources import chartwatch_from_env
from pipelines.schedules import FRESHNESS_DEADLINE, schedules
from pipelines.sensors import pool_waits


def _freshness(
    graph: AssetGraph,
) -> tuple[list[dg.AssetChecksDefinition], list[dg.SensorDefinition]]:
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
                assets=[graph.lake["chart_entries"], graph.warehouse],
                deadline_cron=FRESHNESS_DEADLINE,
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
    latest partition and the daily schedules (the sample's days are in the past).

    The daily partitions are the days the source can serve (the sample's window, or
    CHARTWATCH_FIRST_DAY to today), so every partition the UI offers can succeed."""
    chartwatch.check()
    graph = asset_graph(chartwatch)
    live = chartwatch.source == "live"
    freshness, sensors = _freshness(graph) if live else ([], [])
    return dg.Definitions(
        assets=graph.assets,
        asset_checks=freshness,
        jobs=[daily_pipeline],
        schedules=schedules if live else [],
        sensors=[*sensors, pool_waits],
        resources=resources_for(chartwatch),
        loggers={"console": console},
        # In process unless CHARTWATCH_EXECUTOR says otherwise (pipelines/executors.py):
        # every step is already multi-threaded (Polars, DuckDB), and one process avoids a
        # process start per step and lets the steps share the simulated sample market.
        executor=executor_for(chartwatch.executor),
    )


dagster_fixes.apply()
defs = build_definitions(chartwatch_from_env())

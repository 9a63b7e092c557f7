"""The Definitions Dagster loads (workspace.yaml points here).

``build_definitions`` takes the Chartwatch resource, so tests build the same
code location against a temporary data directory.
"""

import dagster as dg

from assets.ingest import appfigures, ingest_assets
from assets.lake import (
    chart_entries,
    lake_assets,
    listing_assets,
    live_app_estimates,
    search_interest,
    vendor_ranks,
)
from assets.resources import ChartwatchConfig
from assets.warehouse_tables import live_warehouse, warehouse
from pipelines.jobs import daily_pipeline
from pipelines.resources import chartwatch_from_env
from pipelines.schedules import schedules


def build_definitions(chartwatch: ChartwatchConfig) -> dg.Definitions:
    """The code location for a configuration. Live mode adds the App Store listings
    (iTunes Lookup -> lake/app_metadata -> apps) and Appfigures (ranks ->
    lake/vendor_ranks; estimates -> lake/app_estimates). The sample market has neither
    source: its demo leaves those tables empty rather than spend time on them."""
    return dg.Definitions(
        assets=(
            [
                *ingest_assets,
                appfigures,
                chart_entries,
                live_app_estimates,
                search_interest,
                vendor_ranks,
                *listing_assets,
                live_warehouse,
            ]
            if chartwatch.source == "live"
            else [*ingest_assets, *lake_assets, warehouse]
        ),
        jobs=[daily_pipeline],
        schedules=schedules,
        resources={"chartwatch": chartwatch},
        # Every step is already multi-threaded (Polars, DuckDB); running the steps in
        # one process avoids a process start per step and lets them share the
        # simulated sample market.
        executor=dg.in_process_executor,
    )


defs = build_definitions(chartwatch_from_env())

"""The warehouse asset: the DuckDB tables of the contract, built from the lake
by the SQL models in ``warehouse/models``.

One asset stands for the whole database: its tables share one connection and
one transaction, and Dagster records an event per asset and partition, so ten
table assets would cost ten times the run-storage writes of a backfill (about a
second per table per 40 days here) for no extra lineage. The tables, their
grain and row counts are in the asset's metadata.

It runs in the ``duckdb`` pool, so two runs never write the database at once:
DuckDB allows a single writing process. A person's SQL session holding the file
open makes the step wait (``CHARTWATCH_WAREHOUSE_WAIT``, 120 s) and then fail with
what to do; the README says how to query while the pipeline runs.
"""

import dagster as dg

from assets.lake import (
    app_estimates,
    app_metadata,
    chart_entries,
    live_app_estimates,
    model_calibration,
    model_parameters,
    search_interest,
    vendor_ranks,
)
from assets.partitions import daily_partitions, partition_dates, single_run
from assets.resources import ChartwatchConfig
from warehouse.build import build_warehouse

# Contract tables and what one row means (shown in the UI).
WAREHOUSE_TABLES = {
    "chart_entries": "date, country, store, device, chart, genre and rank",
    "app_estimates": "date, country, store and app: downloads and DAU in use (vendor or model,"
    " CHARTWATCH_ESTIMATES)",
    "model_estimates": "date, country, store and charting app: the rank model's downloads",
    "model_parameters": "date, country, store, device, chart and rank band: the fitted power law",
    "model_calibration": "date, country, store and panel app: the known downloads of the fit",
    "search_interest": "date, country, source and term",
    "app_metadata": "date, storefront, store and app: the App Store listing (iTunes Lookup)",
    "vendor_ranks": "date, country, store, device, chart, genre and app: a vendor's rank history",
    "apps": "store and app: its product key, latest name and listing",
    "app_chart_coverage": "date, store, device, chart and app: countries at #1, top 10, charting",
    "app_rank_history": "date, country, store, device, chart and app: rank, 1 and 7 days before",
    "product_downloads_daily": "date and product: downloads, cumulative, last 7 days and share",
    "product_country_share": "date, product and country: share of downloads to date",
    "product_dau_daily": "date and product: DAU and week-over-week growth",
    "search_interest_daily": "date, product and source: summed interest",
}


def warehouse_asset(
    lake: tuple[dg.AssetsDefinition, ...] = (
        chart_entries,
        app_estimates,
        search_interest,
        model_calibration,
        model_parameters,
    ),
) -> dg.AssetsDefinition:
    """The warehouse asset over the lake assets of a mode (live mode has more)."""

    @dg.asset(
        key=["warehouse", "duckdb"],
        group_name="warehouse",
        kinds={"duckdb", "sql"},
        description="The DuckDB warehouse (data/warehouse.duckdb): the contract tables, one row per "
        + "; ".join(f"{table}: {grain}" for table, grain in WAREHOUSE_TABLES.items())
        + "; and the launch_report() macro.",
        deps=list(lake),
        partitions_def=daily_partitions,
        backfill_policy=single_run,
        pool="duckdb",
        automation_condition=dg.AutomationCondition.eager(),
    )
    def _warehouse(
        context: dg.AssetExecutionContext, chartwatch: ChartwatchConfig
    ) -> dg.MaterializeResult:
        chartwatch.check()
        dates = partition_dates(context)
        counts = build_warehouse(
            chartwatch.warehouse_path,
            chartwatch.lake_dir,
            chartwatch.products_path,
            dates=(dates[0], dates[-1]),
            wait_seconds=chartwatch.warehouse_wait_seconds,
            on_wait=context.log.warning,
            memory_limit=chartwatch.duckdb_memory,
            estimates=chartwatch.estimates,
        )
        context.log.info(f"warehouse {dates[0]}..{dates[-1]}: {counts}")
        return dg.MaterializeResult(
            metadata={
                "database": dg.MetadataValue.path(str(chartwatch.warehouse_path)),
                "tables": dg.MetadataValue.md(
                    "| table | one row per | rows |\n|---|---|---|\n"
                    + "\n".join(
                        f"| {table} | {grain} | {counts.get(table, 0):,} |"
                        for table, grain in WAREHOUSE_TABLES.items()
                    )
                ),
                **{f"rows_{table}": counts.get(table, 0) for table in WAREHOUSE_TABLES},
            }
        )

    return _warehouse


warehouse = warehouse_asset()
# Live mode: estimates from imports and Appfigures, App Store listings, vendor ranks.
live_warehouse = warehouse_asset(
    (
        chart_entries,
        live_app_estimates,
        search_interest,
        app_metadata,
        vendor_ranks,
        model_calibration,
        model_parameters,
    )
)

"""The warehouse asset: the DuckDB tables of the contract, built from the lake
by the SQL models in ``warehouse/models``.

One step builds every table (they share one DuckDB connection and one
transaction). It runs in the ``duckdb`` pool, so two runs never write the
database at once: DuckDB allows a single writing process.
"""

import dagster as dg

from assets.lake import app_estimates, chart_entries, search_interest
from assets.partitions import daily_partitions, partition_dates, single_run
from assets.resources import ChartwatchConfig
from warehouse.build import build_warehouse

# Contract tables and what one row means (shown in the UI).
WAREHOUSE_TABLES = {
    "chart_entries": (
        "one row per date, country, store, device, chart, genre and rank",
        [chart_entries],
    ),
    "app_estimates": (
        "one row per date, country, store and app: downloads and DAU",
        [app_estimates],
    ),
    "search_interest": ("one row per date, country, source and term", [search_interest]),
    "apps": (
        "one row per store and app: its product key and latest name",
        [chart_entries, app_estimates],
    ),
    "app_chart_coverage": (
        "one row per date, store, device, chart and app: countries at #1, in the top 10, charting",
        [chart_entries],
    ),
    "app_rank_history": (
        "one row per date, country, store, device, chart and app: rank, 1 and 7 days before",
        [chart_entries],
    ),
    "product_downloads_daily": (
        "one row per date and product: downloads, cumulative, last 7 days and their share",
        [app_estimates],
    ),
    "product_country_share": (
        "one row per date, product and country: share of the product's downloads to date",
        [app_estimates],
    ),
    "product_dau_daily": (
        "one row per date and product: DAU and week-over-week growth",
        [app_estimates],
    ),
    "search_interest_daily": (
        "one row per date, product and source: summed interest",
        [search_interest],
    ),
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["warehouse", table],
            description=f"{table}: {grain}.",
            deps=[dep.key for dep in deps],
            group_name="warehouse",
            kinds={"duckdb", "sql"},
        )
        for table, (grain, deps) in WAREHOUSE_TABLES.items()
    ],
    partitions_def=daily_partitions,
    backfill_policy=single_run,
    pool="duckdb",
)
def warehouse_tables(context: dg.AssetExecutionContext, chartwatch: ChartwatchConfig):
    chartwatch.check()
    dates = partition_dates(context)
    counts = build_warehouse(
        chartwatch.warehouse_path,
        chartwatch.lake_dir,
        chartwatch.products_path,
        dates=(dates[0], dates[-1]),
    )
    context.log.info(f"warehouse {dates[0]}..{dates[-1]}: {counts}")
    for table in WAREHOUSE_TABLES:
        yield dg.MaterializeResult(
            asset_key=["warehouse", table],
            metadata={
                "rows": counts.get(table, 0),
                "database": dg.MetadataValue.path(str(chartwatch.warehouse_path)),
            },
        )

"""The warehouse asset: the DuckDB tables of the contract, built from the lake
by the SQL models in ``warehouse/models``.

One asset stands for the whole database: its tables share one connection and
one transaction, and Dagster records an event per asset and partition, so ten
table assets would cost ten times the run-storage writes of a backfill (about a
second per table per 40 days here) for no extra lineage. The tables, their
grain and row counts are in the asset's metadata.

Each table (and the launch_report macro) also has a page: a non-executable asset
``warehouse/tables/<table>`` downstream of it, with its description and columns
(``warehouse/tables.py``). Runs do not execute the pages; each build records one
unpartitioned materialisation per page (its rows, the days built), which is what
shows a page as up to date: 23 events a run, not per day.

It runs in the ``duckdb`` pool, so two runs never write the database at once:
DuckDB allows a single writing process. A person's SQL session holding the file
open makes the step wait (``CHARTWATCH_WAREHOUSE_WAIT``, 120 s) and then fail with
what to do; the README says how to query while the pipeline runs.

The database is a file on one machine's disk. When a Celery worker executes the steps
(``CHARTWATCH_EXECUTOR=celery``), every step that opens it carries the ``warehouse``
queue, which one worker, the one beside the file, listens on (docs/deploy.md); other
executors ignore the tag.
"""

import time

import dagster as dg

from assets.metadata import dataset_columns
from assets.partitions import partition_dates, single_run
from assets.resources import ChartwatchConfig
from warehouse.build import build_warehouse, table_rows
from warehouse.progress import duration
from warehouse.tables import warehouse_tables
from warehouse.units import plural

# The Celery queue of the steps that open the warehouse file (dagster-celery's tag).
ON_THE_WAREHOUSE_HOST = {"dagster-celery/queue": "warehouse"}


def warehouse_asset(
    lake: list[dg.AssetsDefinition],
    partitions: dg.PartitionsDefinition,
    policy: dg.BackfillPolicy = single_run,
) -> dg.AssetsDefinition:
    """The warehouse asset over the lake's assets."""

    @dg.asset(
        key=["warehouse", "duckdb"],
        group_name="warehouse",
        kinds={"duckdb", "sql"},
        description="The DuckDB warehouse (data/warehouse.duckdb): its tables and the"
        " launch_report() macro, one row per "
        + "; ".join(f"{table}: {row}" for table, row in table_rows().items())
        + ". Every table and column is described in docs/warehouse.md and on the pages"
        " warehouse/tables/<table>.",
        deps=list(lake),
        partitions_def=partitions,
        backfill_policy=policy,
        pool="duckdb",
        op_tags=ON_THE_WAREHOUSE_HOST,
        automation_condition=dg.AutomationCondition.eager(),
    )
    def _warehouse(
        context: dg.AssetExecutionContext, chartwatch: ChartwatchConfig
    ) -> dg.MaterializeResult:
        dates = partition_dates(context)
        stretch = f"{dates[0]}..{dates[-1]}" if len(dates) > 1 else str(dates[0])
        context.log.info(f"warehouse {stretch}: building {chartwatch.warehouse_path}")
        began = time.monotonic()
        counts = build_warehouse(
            chartwatch.warehouse_path,
            chartwatch.lake_dir,
            chartwatch.products_path,
            dates=(dates[0], dates[-1]),
            wait_seconds=chartwatch.warehouse_wait,
            on_wait=context.log.warning,
            memory_limit=chartwatch.duckdb_memory,
            estimates=chartwatch.estimates,
            on_progress=context.log.info,
        )
        context.log.info(
            f"warehouse {stretch}: {plural(len(counts), 'table')}, {sum(counts.values()):,}"
            f" rows, in {duration(time.monotonic() - began)} (each table's rows: the metadata)"
        )
        rows = table_rows()
        # Each table's page shows when it was last built and its rows (a page is not a
        # step: the build writes every table at once, in one transaction).
        for table in warehouse_tables(rows):
            page: dict[str, object] = {"built_for_days": stretch}
            if table.name in counts:
                page["dagster/row_count"] = counts[table.name]
            context.log_event(
                dg.AssetMaterialization(asset_key=page_key(table.name), metadata=page)
            )
        return dg.MaterializeResult(
            metadata={
                "database": dg.MetadataValue.path(str(chartwatch.warehouse_path)),
                "tables": dg.MetadataValue.md(
                    "| table | one row per | rows |\n|---|---|---|\n"
                    + "\n".join(
                        f"| {table} | {rows.get(table, '')} | {count:,} |"
                        for table, count in counts.items()
                    )
                ),
                **{f"rows_{table}": count for table, count in counts.items()},
            }
        )

    return _warehouse


TABLES_GROUP = "warehouse_tables"


def table_pages(warehouse: dg.AssetsDefinition) -> list[dg.AssetSpec]:
    """A page per table of the warehouse (and one for the launch_report macro): its
    description and its columns' in the UI. Non-executable: the warehouse asset
    builds them all at once."""
    return [
        dg.AssetSpec(
            key=page_key(table.name),
            # A group of their own: the graph of the pipeline stays readable, and the
            # pages are one click away (collapsed, the group shows their count).
            group_name=TABLES_GROUP,
            description=table.comment,
            deps=[warehouse.key],
            kinds={"duckdb", "sql"} if table.macro else {"duckdb"},
            metadata={
                "dagster/column_schema": dataset_columns(table),
                **({} if table.macro else {"dagster/table_name": f"warehouse.main.{table.name}"}),
            },
        )
        for table in warehouse_tables(table_rows())
    ]


def page_key(table: str) -> dg.AssetKey:
    """The key of a warehouse table's page in the UI."""
    return dg.AssetKey(["warehouse", "tables", table])

"""The asset graph of a configuration: raw -> lake -> warehouse -> reports, every
partitioned asset on the same daily partitions, which depend on the source
(``assets/partitions.py``: the sample's window, or the first day to today live).

Built once per partitions definition: the code location, the command line and the
tests ask for the graph of their configuration and get the same objects.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import dagster as dg

from assets.ingest import raw_assets
from assets.lake import lake_assets
from assets.partitions import backfill_policy, daily_partitions
from assets.reports import reports_asset
from assets.resources import ChartwatchConfig
from assets.warehouse_tables import table_pages, warehouse_asset


@dataclass(frozen=True)
class AssetGraph:
    partitions: dg.DailyPartitionsDefinition
    raw: dict[str, dg.AssetsDefinition]  # by source name
    lake: dict[str, dg.AssetsDefinition]  # by dataset name
    warehouse: dg.AssetsDefinition
    reports: dg.AssetsDefinition
    # A page per warehouse table (non-executable: the warehouse asset builds them).
    tables: tuple[dg.AssetSpec, ...]

    @property
    def assets(self) -> list[dg.AssetsDefinition | dg.AssetSpec]:
        return [
            *self.raw.values(),
            *self.lake.values(),
            self.warehouse,
            *self.tables,
            self.reports,
        ]


@functools.cache
def _graph(source: str, first_day: str, backfill_days: int) -> AssetGraph:
    partitions = daily_partitions(source, first_day)
    policy = backfill_policy(backfill_days)
    lake = lake_assets(partitions, policy)
    warehouse = warehouse_asset(list(lake.values()), partitions, policy)
    return AssetGraph(
        partitions,
        raw_assets(partitions, policy),
        lake,
        warehouse,
        reports_asset(warehouse),
        tuple(table_pages(warehouse)),
    )


def asset_graph(chartwatch: ChartwatchConfig) -> AssetGraph:
    """The graph for a configuration (its source, live its first day, and how a
    backfill is cut into runs)."""
    return _graph(chartwatch.source, chartwatch.first_day, chartwatch.backfill_days)

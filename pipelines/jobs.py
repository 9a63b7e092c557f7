"""Jobs: the daily pipeline (raw -> lake -> warehouse) over any date range.

A range runs as a single run (every asset has a single-run backfill policy), so a
backfill from the UI or ``make backfill`` starts one process, not one per day. The
job takes its daily partitions from its assets, which depend on the configuration
(``assets/graph.py``).
"""

from __future__ import annotations

import dagster as dg

daily_pipeline = dg.define_asset_job(
    "daily_pipeline",
    selection=dg.AssetSelection.groups("ingest", "lake", "warehouse", "reports"),
    description="Extract every source for the chosen days, parse into the lake, refresh the"
    " warehouse, and render the reports of its latest day.",
)

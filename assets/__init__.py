"""Chartwatch's asset definitions and the per-source code beside them.

One folder per source system (``apple``, ``google_play``, ``wikimedia``,
``estimates``, ``sample_market``) holds pure functions: parsing a response,
rendering the sample market. The modules at this level wire them into Dagster
assets (``ingest``, ``lake``, ``warehouse_tables``). Imports point one way:
``pipelines`` -> ``assets`` -> ``warehouse``.
"""

import warnings

import dagster as dg

# Chartwatch relies on single-run backfills on purpose (one run per date range);
# Dagster flags the parameter as beta on every decorator, which only adds noise.
warnings.filterwarnings("ignore", category=dg.BetaWarning)

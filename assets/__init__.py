"""Chartwatch's asset definitions and the per-source code beside them.

``sources/`` holds one folder per source (its archive, fetch, parser, sample
rendering, import rules) and the registry that lists them; ``sample_market/`` the
simulated market; ``rank_model/`` the rank -> downloads model. These are pure: no
Dagster. The modules at this level wire them into Dagster assets (``ingest``,
``lake``, ``warehouse_tables``, ``reports``) with the resources they share
(``resources``, ``market``). Imports point one way: ``pipelines`` -> ``assets`` ->
``warehouse``.
"""

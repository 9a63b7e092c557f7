"""The warehouse: a fast, disposable DuckDB index over the Parquet lake.

The lake is the truth. The warehouse copies the lake's datasets into tables,
joins them with the tracked products of ``products.toml`` and derives the tables
of the public data contract (charts, coverage, downloads, DAU, search interest)
with plain SQL models in ``warehouse/models``, one model per file, run in file-name
order by ``warehouse.build``. Deleting the ``.duckdb`` file loses nothing: a full
build recreates it from the lake. ``launch_report`` is a table macro stored in the
database; ``warehouse.report`` prints it and compares it with the figures the press
reported (``warehouse.reported``).
"""

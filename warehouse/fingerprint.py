"""Fingerprints of a warehouse: each table's rows, sorted and hashed, so two warehouses
built different ways (a local folder and an object store, one process and a pool of
workers) can be shown to hold the same data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb


def table_fingerprints(db_path: Path) -> dict[str, str]:
    """Each table of the warehouse at ``db_path``: its row count and a hash of its rows
    (sorted by every column, so the order of loading does not matter)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1"
            ).fetchall()
        ]
        found = {}
        for name in tables:
            frame = con.sql(f'FROM "{name}"').pl()
            text = frame.sort(frame.columns, nulls_last=True).write_csv()
            found[name] = f"{frame.height} rows {hashlib.sha256(text.encode()).hexdigest()[:16]}"
        return found

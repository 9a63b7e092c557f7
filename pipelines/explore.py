"""Finding one's way around the data: ``make sql``, ``make products``, ``make coverage``.

    python -m pipelines.explore sql                     # Harlequin, read-only, on the warehouse
    python -m pipelines.explore sql -q "select ..."      # one query, printed as a table
    python -m pipelines.explore products                 # products.toml: keys, names, apps
    python -m pipelines.explore coverage                 # the days, countries and rows held

Every command reads the data folder of the settings (CHARTWATCH_DATA_DIR) and never
writes: the warehouse is opened read-only, so a run that is writing it makes a command
wait for nothing but fail, saying so (DuckDB lets one process write a file).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

from pipelines.resources import chartwatch_from_env
from warehouse.build import connect_read_only
from warehouse.datasets import DATASETS
from warehouse.errors import ChartwatchError
from warehouse.objects import DAY_SNAPSHOTS, files_under, is_remote, polars_options
from warehouse.products import read_products
from warehouse.units import text_table


def open_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only; errors that say how to make one or what holds it."""
    try:
        return connect_read_only(path)
    except FileNotFoundError as error:
        raise ChartwatchError(str(error)) from error
    except duckdb.IOException as error:
        raise ChartwatchError(
            f"{path} is open for writing by another process (a run?): {error}; try again"
            " when it has finished"
        ) from error


def run_query(path: Path, query: str, max_rows: int = 200) -> str:
    """One query's result as text (DuckDB's own table format)."""
    with open_warehouse(path) as con:
        try:
            relation = con.sql(query)
        except duckdb.Error as error:
            raise ChartwatchError(f"the query failed: {error}") from error
        if relation is None:  # a statement without a result
            return "done"
        return _shown(relation, max_rows)


def _shown(relation: duckdb.DuckDBPyRelation, max_rows: int) -> str:
    frame = relation.limit(max_rows + 1).pl()
    more = frame.height > max_rows
    frame = frame.head(max_rows)
    rows = [[_cell(v) for v in row] for row in frame.iter_rows()]
    numbers = {i for i, dtype in enumerate(frame.dtypes) if dtype.is_numeric()}
    table = text_table(frame.columns, rows, numbers) if frame.columns else "(no columns)"
    if more:
        table += f"\n... more than {max_rows} rows: add a LIMIT, or use `make sql` without Q"
    else:
        table += f"\n({frame.height} row{'' if frame.height == 1 else 's'})"
    return table


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def interactive(path: Path) -> int:
    """Harlequin, the terminal SQL client for DuckDB, on the warehouse (read-only)."""
    open_warehouse(path).close()  # the same errors as a query's, before the screen changes
    harlequin = shutil.which("harlequin") or str(Path(sys.executable).with_name("harlequin"))
    if not Path(harlequin).exists():
        raise ChartwatchError("harlequin is not installed: run `make install`")
    os.execv(harlequin, [harlequin, "--read-only", str(path)])
    return 0  # not reached


def products_table(products_file: Path) -> str:
    catalog = read_products(products_file)
    rows = [
        [
            p.key,
            p.name,
            p.category or "",
            ", ".join(app for store, app in p.apps if store == "app_store"),
            ", ".join(app for store, app in p.apps if store == "google_play"),
            ", ".join(p.competitors),
            str(len(p.articles)),
        ]
        for p in catalog
    ]
    header = ["key", "name", "category", "App Store", "Google Play", "competitors", "articles"]
    return (
        f"{len(catalog)} tracked products ({products_file}); any app the lake has seen is"
        ' also a product: its lower-case hyphenated name (make sql Q="select product, name'
        ' from apps")\n\n' + text_table(header, rows)
    )


def lake_coverage(lake_dir: Path) -> list[list[str]]:
    """A row per lake dataset: its first and last day, days, countries, files and rows."""
    rows = []
    for dataset in DATASETS:
        folder = lake_dir / dataset.name
        if is_remote(folder):  # one listing; rows from the day snapshots, not every file
            files = [
                p
                for p in files_under(folder)
                if p.suffix == ".parquet" and p.parent.name.startswith("country=")
            ]
            counted = files_under(folder / DAY_SNAPSHOTS) or files
        else:
            files = counted = sorted(folder.glob("date=*/country=*/*.parquet"))
        if not files:
            rows.append([dataset.name, "", "", "0", "0", "0", "0"])
            continue
        days = sorted({f.parent.parent.name.removeprefix("date=") for f in files})
        countries = {f.parent.name.removeprefix("country=") for f in files}
        count = (
            pl.scan_parquet(
                [str(path) for path in counted],
                hive_partitioning=False,
                storage_options=polars_options(counted[0]),
            )
            .select(pl.len())
            .collect()
            .item()
        )
        rows.append(
            [
                dataset.name,
                days[0],
                days[-1],
                f"{len(days):,}",
                f"{len(countries):,}",
                f"{len(files):,}",
                f"{count:,}",
            ]
        )
    return rows


def warehouse_coverage(path: Path) -> list[list[str]]:
    """A row per warehouse table: its first and last date, countries and rows."""
    rows = []
    with open_warehouse(path) as con:
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
            " AND NOT temporary ORDER BY table_name"
        ).fetchall()
        for (table,) in tables:
            columns = {
                name
                for (name,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]
                ).fetchall()
            }
            dates = "min(date), max(date)" if "date" in columns else "NULL, NULL"
            countries = "count(DISTINCT country)" if "country" in columns else "NULL"
            first, last, n_countries, count = con.execute(
                f'SELECT {dates}, {countries}, count(*) FROM "{table}"'
            ).fetchone()
            rows.append(
                [
                    table,
                    _date(first),
                    _date(last),
                    "" if n_countries is None else f"{n_countries:,}",
                    f"{count:,}",
                ]
            )
    return rows


def _date(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else ""


def coverage_text(data_dir: Path, warehouse_path: Path) -> str:
    lake = text_table(
        ["lake dataset", "first day", "last day", "days", "countries", "files", "rows"],
        lake_coverage(data_dir / "lake"),
        {3, 4, 5, 6},
    )
    try:
        warehouse = text_table(
            ["warehouse table", "first day", "last day", "countries", "rows"],
            warehouse_coverage(warehouse_path),
            {3, 4},
        )
    except ChartwatchError as error:
        warehouse = str(error)
    return f"The lake ({data_dir / 'lake'})\n\n{lake}\n\nThe warehouse\n\n{warehouse}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.explore", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sql = commands.add_parser("sql", help="SQL on the warehouse, read-only")
    sql.add_argument(
        "-q", "--query", default="", help="one query to run and print (else the shell)"
    )
    sql.add_argument("--max-rows", type=int, default=200, help="rows printed at most")
    commands.add_parser("products", help="the tracked products of products.toml")
    commands.add_parser("coverage", help="the days, countries and rows of the lake and warehouse")
    args = parser.parse_args(argv)
    config = chartwatch_from_env()
    try:
        if args.command == "sql":
            if not args.query.strip():
                return interactive(config.warehouse_path)
            print(run_query(config.warehouse_path, args.query, args.max_rows))
        elif args.command == "products":
            print(products_table(config.products_path))
        else:
            print(coverage_text(config.root, config.warehouse_path))
    except ChartwatchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `make products | head`: the reader has what it wanted
        sys.stderr.close()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

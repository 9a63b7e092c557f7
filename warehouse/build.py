"""Build the DuckDB warehouse from the Parquet lake and products.toml.

``build_warehouse`` runs the SQL models of ``warehouse/models`` in file-name order,
in one transaction: a failed build leaves the previous warehouse as it was. The
lake datasets (LAKE_DATASETS) are copied into base tables one date window at a time (the
window's rows are deleted, then inserted again from the Parquet files of only that
window's date folders), so a daily update is idempotent, leaves other dates alone
and never scans years of files. The products tables are reloaded from
products.toml, and every derived table is recreated from the base tables, so they
always agree with them. The models reference staged inputs by name
(``lake_<dataset>``, ``staged_<table>``), which this module provides as temporary
tables and views: the SQL stays plain, with no templating.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

MODELS_DIR = Path(__file__).parent / "models"

# Datasets of the lake, each copied into the base table of the same name.
LAKE_DATASETS = (
    "chart_entries",
    "app_estimates",
    "search_interest",
    "app_metadata",
    "vendor_ranks",
)

_MODEL_FILE = re.compile(r"^(?P<order>\d+)_(?P<name>[a-z0-9_]+)\.sql$")
_DATE_FOLDER = re.compile(r"^date=(\d{4}-\d{2}-\d{2})$")


class WarehouseBuildError(RuntimeError):
    """A build that failed; the warehouse was left as it was before the build."""


@dataclass(frozen=True)
class Model:
    """One SQL model: the file ``<order>_<name>.sql`` that creates ``name``."""

    order: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def models(models_dir: Path = MODELS_DIR) -> list[Model]:
    """The SQL models in build order (their file names start with the order number)."""
    found = []
    for path in sorted(models_dir.glob("*.sql")):
        match = _MODEL_FILE.match(path.name)
        if match is None:
            raise WarehouseBuildError(
                f"model file {path} is not named <order>_<name>.sql; rename it, e.g."
                " 55_product_ratings.sql"
            )
        found.append(Model(int(match["order"]), match["name"], path))
    return sorted(found, key=lambda model: (model.order, model.name))


@dataclass(frozen=True)
class ProductCatalog:
    """products.toml as the frames the products models load."""

    products: pl.DataFrame
    tracked_apps: pl.DataFrame
    product_competitors: pl.DataFrame
    wikipedia_articles: pl.DataFrame


def read_products(products_file: Path) -> ProductCatalog:
    """Parse and check products.toml (see the comments at the top of that file)."""
    try:
        entries = tomllib.loads(products_file.read_text(encoding="utf-8")).get("products", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise WarehouseBuildError(
            f"cannot read the products file {products_file}: {error}"
        ) from error

    products, apps, competitors, articles = [], [], [], []
    owner_of_app: dict[tuple[str, str], str] = {}
    for product, entry in sorted(entries.items()):
        where = f"{products_file} [products.{product}]"
        if product != product.lower() or not entry.get("name"):
            raise WarehouseBuildError(
                f"{where}: a product needs a lower-case key and a name = '...'"
            )
        products.append((product, entry["name"], entry.get("category")))
        for store in ("app_store", "google_play"):
            for app_id in entry.get(store, []):
                app = (store, str(app_id))
                if app in owner_of_app:
                    # One app in two products would count its downloads twice.
                    raise WarehouseBuildError(
                        f"{where}: {store} app {app_id} is already listed under"
                        f" [products.{owner_of_app[app]}]; list each app under one product"
                    )
                owner_of_app[app] = product
                apps.append((product, *app))
        competitors.extend((product, competitor) for competitor in entry.get("competitors", []))
        for spec in entry.get("wikipedia", []):
            language, _, article = spec.partition(":")
            if not language or not article:
                raise WarehouseBuildError(
                    f"{where}: wikipedia entry {spec!r} is not '<language>:<Article title>'"
                )
            articles.append((product, f"{language}.wikipedia", article, language))

    return ProductCatalog(
        products=_frame(products, ["product", "name", "category"]),
        tracked_apps=_frame(apps, ["product", "store", "app_id"]),
        product_competitors=_frame(competitors, ["product", "competitor"]),
        wikipedia_articles=_frame(articles, ["product", "project", "article", "language"]),
    )


def _frame(rows: list[tuple], columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse file open."""


def connect_for_writing(
    db_path: Path, wait_seconds: float = 0.0, on_wait: Callable[[str], None] | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing, waiting up to ``wait_seconds`` for another
    process (a SQL session, another tool) to close it.

    DuckDB lets one process write a file, and a process that has it open, even
    read-only, keeps writers out. Runs of Chartwatch never overlap here (they share the
    ``duckdb`` pool); this wait is for people querying the file.
    """
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            return duckdb.connect(str(db_path))
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            holder = re.search(r"held in (.*?\(PID \d+\))", str(error))
            who = holder.group(1) if holder else "another process"
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{db_path} is open in {who}, so it cannot be written (waited"
                    f" {wait_seconds:.0f}s). Close that session (or query a copy of the file, or"
                    " the lake's Parquet files), then re-execute this run; CHARTWATCH_WAREHOUSE_WAIT"
                    " sets how long to wait."
                ) from error
            if on_wait and not told:
                on_wait(f"{db_path} is open in {who}; waiting up to {wait_seconds:.0f}s for it")
                told = True
            time.sleep(min(1.0, max(deadline - time.monotonic(), 0.0)))


def build_warehouse(
    db_path: Path,
    lake_dir: Path,
    products_file: Path,
    dates: tuple[dt.date, dt.date] | None = None,
    wait_seconds: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Build (or update) the warehouse at ``db_path`` from the lake at ``lake_dir``.

    ``dates`` is an inclusive window (first, last): only those dates of the base
    tables are replaced from the lake. ``None`` reloads every date. The products
    tables, the derived tables and the ``launch_report`` macro are always rebuilt.
    Returns the row count of every table the models create. If another process has
    the file open, waits up to ``wait_seconds`` (see ``connect_for_writing``).
    """
    window = _check_window(dates)
    catalog = read_products(Path(products_file))
    build_models = models()
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = connect_for_writing(db_path, wait_seconds, on_wait)
    try:
        # A build runs unattended (in Dagster, in tests): no progress bar on stdout.
        con.execute("SET enable_progress_bar = false")
        # Tables are sets: no model relies on insertion order, and keeping it makes
        # large loads and CREATE TABLE AS markedly slower.
        con.execute("SET preserve_insertion_order = false")
        con.execute("BEGIN TRANSACTION")
        try:
            _stage_products(con, catalog)
            for model in build_models:
                _run_model(con, model)
                if model.name in LAKE_DATASETS:
                    _load_window(con, model.name, Path(lake_dir) / model.name, window)
            counts = _row_counts(con, build_models)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return counts


def connect_read_only(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open a built warehouse for queries (a writer in another process blocks this)."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(
            f"no warehouse at {db_path}: build it first (warehouse.build.build_warehouse,"
            " or materialise the warehouse assets), or point CHARTWATCH_DATA_DIR at the"
            " folder that holds warehouse.duckdb"
        )
    return duckdb.connect(str(db_path), read_only=True)


def _check_window(dates: tuple[dt.date, dt.date] | None) -> tuple[dt.date, dt.date] | None:
    if dates is None:
        return None
    first, last = dates
    if not (isinstance(first, dt.date) and isinstance(last, dt.date)) or first > last:
        raise ValueError(
            f"dates must be a (first, last) pair of dates with first <= last, got {dates!r}"
        )
    return first, last


def _stage_products(con: duckdb.DuckDBPyConnection, catalog: ProductCatalog) -> None:
    con.register("staged_products", catalog.products)
    con.register("staged_tracked_apps", catalog.tracked_apps)
    con.register("staged_product_competitors", catalog.product_competitors)
    con.register("staged_wikipedia_articles", catalog.wikipedia_articles)


def _run_model(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    try:
        con.execute(model.sql)
    except duckdb.Error as error:
        raise WarehouseBuildError(
            f"model {model.path.name} failed, nothing was changed: {error}"
        ) from error


def _load_window(
    con: duckdb.DuckDBPyConnection,
    table: str,
    dataset_dir: Path,
    window: tuple[dt.date, dt.date] | None,
) -> None:
    """Replace the window's rows of a base table with the lake's (delete, then insert)."""
    source = _lake_source(dataset_dir, window)
    staged = f"lake_{table}"
    in_window = "" if window is None else "WHERE date BETWEEN ? AND ?"
    try:
        if source is None:
            # No files (a dataset not collected yet, or an empty window): the window
            # becomes empty, as in the lake.
            con.execute(f"CREATE OR REPLACE TEMP TABLE {staged} AS FROM {table} LIMIT 0")
        else:
            # Files hold date and country themselves (the contract), so the folder
            # names are not parsed: a folder like country=no stays text, and reading
            # thousands of small files skips a per-file step. The window is read
            # once into a temporary table: reading the files' schemas (for
            # union_by_name) costs as much as reading small files' rows. The date
            # filter guards against a file holding rows of another date: they would
            # escape the next delete of their own window.
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {staged} AS FROM read_parquet({source},"
                f" hive_partitioning = false, union_by_name = true) {in_window}",
                [] if window is None else list(window),
            )
        _add_new_lake_columns(con, table, staged)
        if window is None:
            con.execute(f"DELETE FROM {table}")
        else:
            con.execute(f"DELETE FROM {table} WHERE date BETWEEN ? AND ?", list(window))
        con.execute(f"INSERT INTO {table} BY NAME FROM {staged}")
        con.execute(f"DROP TABLE {staged}")
    except duckdb.Error as error:
        dates = "all dates" if window is None else f"dates {window[0]}..{window[1]}"
        raise WarehouseBuildError(
            f"loading {table} ({dates}) from {dataset_dir} failed, the warehouse was left"
            f" unchanged: {error}; fix or rewrite the named Parquet partition (its columns"
            " are those of assets/schemas.py), then build again"
        ) from error


def _lake_source(dataset_dir: Path, window: tuple[dt.date, dt.date] | None) -> str | None:
    """The read_parquet argument for the window's files, or None when there are none."""
    if window is None:
        if next(dataset_dir.glob("date=*/country=*/*.parquet"), None) is None:
            return None
        return _sql_string(str(dataset_dir / "date=*" / "country=*" / "*.parquet"))
    first, last = window
    files = []
    # Listing the date folders is cheap; only the window's are opened.
    for folder in sorted(dataset_dir.glob("date=*")):
        match = _DATE_FOLDER.match(folder.name)
        if match and first <= dt.date.fromisoformat(match[1]) <= last:
            files.extend(sorted(folder.glob("country=*/*.parquet")))
    if not files:
        return None
    return "[" + ", ".join(_sql_string(str(path)) for path in files) + "]"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _add_new_lake_columns(con: duckdb.DuckDBPyConnection, table: str, staged: str) -> None:
    """Add to the base table the columns the lake has gained, so it stays a full copy."""
    known = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
    for column, column_type, *_ in con.execute(f"DESCRIBE {staged}").fetchall():
        if column not in known:
            con.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {column_type}')


def _row_counts(con: duckdb.DuckDBPyConnection, build_models: list[Model]) -> dict[str, int]:
    tables = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
        ).fetchall()
    }
    return {
        model.name: con.execute(f"SELECT count(*) FROM {model.name}").fetchone()[0]
        for model in build_models
        if model.name in tables
    }

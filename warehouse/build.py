"""Build the DuckDB warehouse from the Parquet lake and products.toml.

``build_warehouse`` runs the SQL models of ``warehouse/models`` in file-name order,
in one transaction: a failed build leaves the previous warehouse as it was.

- Base tables (LAKE_DATASETS), created from the datasets' declarations
  (``warehouse/datasets.py``), are copied from the lake one window at a
  time, a month at most (the window's rows are deleted, then inserted again from the
  Parquet files of only that window's date folders), so an update is idempotent,
  leaves other dates alone and never scans years of files.
- The products tables, ``apps`` and the ``launch_report`` macro are recreated on
  every build.
- Incremental models (the derived tables: their SQL calls ``build_since()``) recompute
  only their rows from ``build_since()`` to ``build_until()``, macros of constant dates
  this module sets for each scope: from the window's first day on, a month per scope.
  They also recompute every row of the products whose apps changed (the temp tables
  ``changed_apps`` and ``changed_products`` the apps model writes, comparing with
  ``previous_apps``). They are dropped and rebuilt from the first day when the
  build has no window, when one of their tables is missing, or when their SQL
  differs from the SQL that built them (its hash is kept in ``warehouse_state``).

- Every table and column, and the ``launch_report`` macro, is commented (``COMMENT
  ON``) from its declaration in ``warehouse/tables.py`` at the end of the build, in its
  transaction (only the comments that differ are written).

- ``estimates`` (CHARTWATCH_ESTIMATES) says which downloads ``app_estimates`` holds:
  18_estimates_in_use.sql settles it after the load (known figures where they exist
  or only the panel's, the rank model's ``model_estimates`` for the rest). The mode
  is part of the models' hash, so a new mode rebuilds every derived table and
  reloads every day of ``app_estimates``.

The models reference staged inputs by name (``lake_<dataset>``, ``staged_<table>``,
``previous_apps``), which this module provides as temporary tables and views: the
SQL stays plain, with no templating.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.datasets import DATASETS, Dataset
from warehouse.errors import (
    ChartwatchError,
    DiskFull,
    InvalidSetting,
    WarehouseBuildError,
    is_disk_full,
)
from warehouse.failpoints import failpoint
from warehouse.objects import (
    DAY_SNAPSHOTS,
    files_under,
    is_remote,
    read_parquet_files,
    subfolders,
)
from warehouse.products import ProductCatalog, read_products
from warehouse.progress import Progress
from warehouse.tables import warehouse_tables

MODELS_DIR = Path(__file__).parent / "models"
# One row: the hash of the incremental models the derived tables were built with
# (no time stamp or window, so rebuilding a window leaves the file's tables as they were).
STATE_TABLE = "warehouse_state"

# Datasets of the lake (warehouse/datasets.py), each copied into the base table of
# the same name, which the build creates from the dataset's declaration.
LAKE_DATASETS = tuple(dataset.name for dataset in DATASETS)
# Which downloads app_estimates holds (CHARTWATCH_ESTIMATES; 18_estimates_in_use.sql).
ESTIMATES_MODES = ("vendor", "model")

# DuckDB's memory cap for a build; beyond it, joins, aggregates and sorts spill to
# <db>.tmp next to the warehouse file. DuckDB's own default (80% of RAM) let a year's
# full build take 14 GB.
DEFAULT_MEMORY_LIMIT = "2GB"
_MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
# The scope of a build that recomputes everything.
_FAR_PAST = dt.date.min
_FAR_FUTURE = dt.date.max

# "One row per <grain>" up to a colon or the sentence's end (not "e.g." nor ".."),
# outside parentheses.
_ROW_SENTENCE = "One row per "
_SENTENCE_END = re.compile(r"(?<![.])(?<!e\.g)(?<!i\.e)\.(?=\s|$)")
_MODEL_FILE = re.compile(r"^(?P<order>\d+)_(?P<name>[a-z0-9_]+)\.sql$")
_DATE_FOLDER = re.compile(r"^date=(\d{4}-\d{2}-\d{2})$")
_DATE_FILE = re.compile(r"^date=(\d{4}-\d{2}-\d{2})\.parquet$")


@dataclass(frozen=True)
class Model:
    """One SQL model: the file ``<order>_<name>.sql`` that creates ``name``."""

    order: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def row(self) -> str:
        """What one row of its table is: the header's sentence "One row per ..." (every
        model file starts with a comment saying so)."""
        lines = []
        for line in self.sql.splitlines():
            text = line.removeprefix("--").strip()
            if not line.startswith("--") or not text:
                break  # the header's first paragraph only
            lines.append(text)
        header = " ".join(lines)
        start = header.find(_ROW_SENTENCE)
        return "" if start < 0 else _up_to_sentence_end(header[start + len(_ROW_SENTENCE) :])

    @property
    def incremental(self) -> bool:
        """A derived table rebuilt day by day: its SQL recomputes only the rows from
        build_since() to build_until() (see the module docstring)."""
        return self.name not in LAKE_DATASETS and "build_since()" in self.sql


def _up_to_sentence_end(text: str) -> str:
    """Text up to a colon (the grain, before what the row holds) or the sentence's end,
    outside parentheses: "product (1: the first)." is "product (1: the first)"."""
    depth = 0
    for at, char in enumerate(text):
        depth = max(depth + (char == "(") - (char == ")"), 0)
        if depth == 0 and (char == ":" or _SENTENCE_END.match(text, at)):
            return text[:at]
    return text


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


def table_rows(build_models: list[Model] | None = None) -> dict[str, str]:
    """What one row of each table is: the lake datasets' declarations, then each
    model's header (a macro's too: the rows it returns)."""
    return {
        **{dataset.name: dataset.row for dataset in DATASETS},
        **{model.name: model.row for model in (models() if build_models is None else build_models)},
    }


class WarehouseBusy(ChartwatchError, RuntimeError):
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
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
    estimates: str = "vendor",
    on_progress: Callable[[str], object] | None = None,
) -> dict[str, int]:
    """Build (or update) the warehouse at ``db_path`` from the lake at ``lake_dir``.

    ``dates`` is an inclusive window (first, last): only those dates of the base
    tables are replaced from the lake, and the incremental models recompute their
    rows from ``first`` on (plus every row of a product whose apps changed). ``None``
    reloads every date and rebuilds every table, a month at a time. The products
    tables, ``apps`` and the ``launch_report`` macro are always rebuilt. Returns the
    row count of every table the models create. If another process has the file
    open, waits up to ``wait_seconds`` (see ``connect_for_writing``).
    ``memory_limit`` caps DuckDB's memory (it spills to ``<db>.tmp`` beyond it).
    ``estimates`` says which downloads app_estimates holds: ``vendor`` (known figures
    where they exist, the rank model elsewhere) or ``model`` (the model for every app
    outside its panel); changing it rebuilds every day. ``on_progress`` gets a line
    (tables done of N, elapsed, time left) at most every 15 s of a long build.
    """
    if estimates not in ESTIMATES_MODES:
        raise WarehouseBuildError(
            f"estimates mode {estimates!r} is not known: use 'vendor' or 'model'"
            " (CHARTWATCH_ESTIMATES)"
        )
    window = _check_window(dates)
    limit = check_memory_limit(memory_limit)
    catalog = read_products(Path(products_file))
    build_models = models()
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_first_builds(db_path)
    # A first build is made aside and renamed into place once committed: a build
    # that fails (a full disk, a crash) leaves no warehouse file rather than a torn one.
    first = not db_path.exists()
    target = db_path.with_name(f".{db_path.name}.building-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    target = target if first else db_path
    try:
        try:
            con = connect_for_writing(target, wait_seconds, on_wait)
        except duckdb.Error as error:
            if is_disk_full(error):
                raise DiskFull(target, what="the warehouse") from error
            raise
        try:
            stretch = f"{window[0]}..{window[1]}" if window else "every day"
            progress = Progress(
                on_progress or (lambda _line: None),
                f"warehouse {stretch}",
                len(DATASETS) + len(build_models),
                unit="step",
            )
            counts = _build_in_transaction(
                con,
                build_models,
                catalog,
                window,
                lake_dir if is_remote(lake_dir) else Path(lake_dir),
                limit,
                estimates,
                target,
                progress,
            )
        finally:
            with contextlib.suppress(duckdb.Error):
                con.close()
        if first:
            os.replace(target, db_path)
    except BaseException:
        if first:
            _remove_database(target)
        raise
    return counts


def _build_in_transaction(
    con: duckdb.DuckDBPyConnection,
    build_models: list[Model],
    catalog: ProductCatalog,
    window: tuple[dt.date, dt.date] | None,
    lake_dir: Path,
    limit: str | None,
    estimates: str,
    target: Path,
    progress: Progress,
) -> dict[str, int]:
    """Run every model in one transaction; on any failure, roll back and say why."""
    # A build runs unattended (in Dagster, in tests): no progress bar on stdout.
    con.execute("SET enable_progress_bar = false")
    # Tables are sets: no model relies on insertion order, and keeping it makes
    # large loads and CREATE TABLE AS markedly slower.
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET temp_directory = {_sql_string(str(target) + '.tmp')}")
    if limit:
        con.execute(f"SET memory_limit = '{limit}'")
    con.execute("BEGIN TRANSACTION")
    try:
        _stage_products(con, catalog)
        con.execute(f"CREATE OR REPLACE TEMP MACRO estimates_mode() AS '{estimates}'")
        fingerprint = _fingerprint(build_models, estimates)
        full = window is None or _needs_full_rebuild(con, build_models, fingerprint)
        mode_changed = _modes_in_use(con) - {estimates} != set()
        _stage_previous_apps(con, full)
        scopes: list[tuple[dt.date, dt.date]] = []
        for dataset in DATASETS:
            _create_base_table(con, dataset)
            # The estimates mode rewrites app_estimates (18_estimates_in_use.sql):
            # after a change of mode every day of it is reloaded from the lake,
            # not only the window's.
            reload = mode_changed and dataset.name == "app_estimates"
            loaded = None if reload else window
            for part in _load_windows(con, dataset.name, lake_dir, loaded):
                _load_window(con, dataset.name, lake_dir / dataset.name, part)
            progress.advance()
        for model in build_models:
            if model.incremental:
                if not scopes:
                    failpoint("warehouse.build")
                if full:
                    con.execute(f"DROP TABLE IF EXISTS {model.name}")
                scopes = scopes or _scopes(con, window, full)
                for scope in scopes:
                    _set_scope(con, scope)
                    _run_model(con, model)
            else:
                _run_model(con, model)
            progress.advance()
        _record_state(con, fingerprint)
        _describe_tables(con, build_models)
        counts = _row_counts(con, build_models)
        failpoint("warehouse.before_commit")
        con.execute("COMMIT")
        # Write the committed tables into the file now, so that a first build's file is
        # complete (no .wal beside it) before it is renamed into place.
        con.execute("CHECKPOINT")
    except BaseException as error:
        # A failed COMMIT has already ended the transaction: the rollback then fails
        # too ("no transaction is active"), and must not hide why the build failed.
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        if isinstance(error, Exception) and is_disk_full(error):
            raise DiskFull(target, what="the warehouse") from error
        raise
    return counts


def _remove_database(path: Path) -> None:
    """Delete a DuckDB file with its write-ahead log and spill folder."""
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)
    spill = Path(f"{path}.tmp")
    if spill.is_dir():
        for entry in spill.iterdir():
            entry.unlink(missing_ok=True)
        spill.rmdir()


def _remove_dead_first_builds(db_path: Path) -> None:
    """Delete the aside files of first builds whose process is gone (a crash)."""
    pattern = re.compile(rf"(\.{re.escape(db_path.name)}\.building-(\d+)-[0-9a-f]+)(\.wal|\.tmp)?")
    for path in db_path.parent.glob(f".{db_path.name}.building-*"):
        match = pattern.fullmatch(path.name)
        if match and not _process_exists(int(match[2])):
            _remove_database(path.with_name(match[1]))


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def connect_read_only(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open a built warehouse for queries (a writer in another process blocks this)."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(
            f"no warehouse at {db_path}: run `make demo` (the sample market) or `make"
            " backfill START=... END=...` first, or point CHARTWATCH_DATA_DIR at the folder"
            " that holds warehouse.duckdb"
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


def check_memory_limit(limit: str | None) -> str | None:
    """The DuckDB memory limit, checked; None for DuckDB's default (80% of RAM)."""
    if limit is None or limit == "":
        return None
    if not _MEMORY_LIMIT.match(limit.strip()):
        raise InvalidSetting(
            f"memory limit {limit!r} is not a size DuckDB reads; write it like '2GB' or"
            " '512MB' (CHARTWATCH_DUCKDB_MEMORY)"
        )
    return limit.strip()


def _fingerprint(build_models: list[Model], estimates: str) -> str:
    """A hash of the incremental models' SQL and the estimates mode: a change to
    either rebuilds them all."""
    digest = hashlib.sha256(f"estimates={estimates}\n".encode())
    for model in build_models:
        if model.incremental:
            digest.update(f"{model.name}\n{model.sql}\n".encode())
    return digest.hexdigest()


def _modes_in_use(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The estimates modes app_estimates was settled with so far (none before the
    first build, or in a warehouse built before the modes existed)."""
    if "estimates_in_use" not in _tables(con):
        return set()
    return {
        mode for (mode,) in con.execute("SELECT DISTINCT mode FROM estimates_in_use").fetchall()
    }


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
        ).fetchall()
    }


def _needs_full_rebuild(
    con: duckdb.DuckDBPyConnection, build_models: list[Model], fingerprint: str
) -> bool:
    """True when the incremental tables cannot be updated in place: one is missing
    (a first build, a new model), or the models changed since the last build."""
    tables = _tables(con)
    if STATE_TABLE not in tables:
        return True
    if any(model.incremental and model.name not in tables for model in build_models):
        return True
    state = con.execute(f"SELECT models_hash FROM {STATE_TABLE}").fetchall()
    return state != [(fingerprint,)]


def _stage_previous_apps(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    """previous_apps: apps before this build, which the apps model compares with to
    find the apps whose product changed. Empty when everything is rebuilt anyway."""
    if not full and "apps" in _tables(con):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE previous_apps AS SELECT store, app_id, product FROM apps"
        )
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE previous_apps"
            " (store VARCHAR, app_id VARCHAR, product VARCHAR)"
        )


def _month_windows(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The days from ``first`` to ``last`` cut at month ends (the first and last
    pieces may be parts of months)."""
    windows = []
    start = first
    while start <= last:
        following = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        windows.append((start, min(last, following - dt.timedelta(days=1))))
        start = following
    return windows


def _load_windows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    lake_dir: Path,
    window: tuple[dt.date, dt.date] | None,
) -> list[tuple[dt.date, dt.date]]:
    """The windows a base table is loaded in, a month at most, so memory holds a
    month of files at a time whatever the range: the build's window cut at month
    ends, or for a full build every month the lake holds (after emptying the table)."""
    if window is not None:
        return _month_windows(*window)
    con.execute(f"DELETE FROM {table}")
    days = sorted(_date_folders(lake_dir / table) | _snapshots(lake_dir / table))
    return _month_windows(days[0], days[-1]) if days else []


def _snapshots(dataset_dir: Path) -> dict[dt.date, Path]:
    """An object store's day snapshots of the dataset (``DAY_SNAPSHOTS``) by day; none
    for a local lake."""
    if not is_remote(dataset_dir):
        return {}
    return {
        dt.date.fromisoformat(match[1]): path
        for path in files_under(dataset_dir / DAY_SNAPSHOTS)
        if (match := _DATE_FILE.match(path.name))
    }


def _date_folders(dataset_dir: Path) -> dict[dt.date, Path]:
    """The dataset's date=YYYY-MM-DD folders by day (one listing, on an object store too)."""
    return {
        dt.date.fromisoformat(match[1]): folder
        for folder in subfolders(dataset_dir)
        if (match := _DATE_FOLDER.match(folder.name))
    }


def _scopes(
    con: duckdb.DuckDBPyConnection, window: tuple[dt.date, dt.date] | None, full: bool
) -> list[tuple[dt.date, dt.date]]:
    """The (since, until) scopes the incremental models run for, in order: from the
    window's first day (every day, for a full rebuild) to the base tables' last day,
    a month at a time so that a long range never computes a year at once; the last
    scope runs on to the end of time."""
    since = _FAR_PAST if full or window is None else window[0]
    first, last = con.execute(
        "SELECT min(date), max(date) FROM ("
        + " UNION ALL ".join(
            f"SELECT min(date) AS date FROM {t} UNION ALL SELECT max(date) FROM {t}"
            for t in LAKE_DATASETS
        )
        + ")"
    ).fetchall()[0]
    if first is None or last < since:
        return [(since, _FAR_FUTURE)]
    scopes = _month_windows(max(since, first), last)
    scopes[0] = (since, scopes[0][1])
    scopes[-1] = (scopes[-1][0], _FAR_FUTURE)
    return scopes


def _set_scope(con: duckdb.DuckDBPyConnection, scope: tuple[dt.date, dt.date]) -> None:
    """build_since() and build_until(): macros of constants, so DuckDB prunes the
    tables' row groups by date as it would for literals."""
    since, until = scope
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO build_since() AS DATE '{since.isoformat()}';"
        f" CREATE OR REPLACE TEMP MACRO build_until() AS DATE '{until.isoformat()}'"
    )


def _record_state(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {STATE_TABLE} AS SELECT ? AS models_hash", [fingerprint])


def _stage_products(con: duckdb.DuckDBPyConnection, catalog: ProductCatalog) -> None:
    for name, frame in catalog.frames().items():
        con.register(f"staged_{name}", frame)


def _create_base_table(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    """The base table of a lake dataset, from its declaration."""
    con.execute(dataset.duckdb_table())


def _describe_tables(con: duckdb.DuckDBPyConnection, build_models: list[Model]) -> None:
    """Comment every table, column and table macro from its declaration
    (``warehouse/tables.py``). Only the comments that differ are written: a table the
    build replaced has none, one it updated keeps its own. A declared table or column
    the warehouse lacks is passed over (the tests hold the declarations to the models)."""
    said = {
        (table, column): comment or ""
        for table, column, comment in con.execute(
            "SELECT table_name, NULL, comment FROM duckdb_tables()"
            " WHERE database_name = current_database() AND schema_name = 'main'"
            " UNION ALL SELECT table_name, column_name, comment FROM duckdb_columns()"
            " WHERE database_name = current_database() AND schema_name = 'main'"
            " UNION ALL SELECT function_name, NULL, comment FROM duckdb_functions()"
            " WHERE database_name = current_database() AND function_type = 'table_macro'"
        ).fetchall()
    }
    for table in warehouse_tables(table_rows(build_models)):
        for column, text in table.comments().items():
            if said.get((table.name, column), text) != text:
                con.execute(table.comment_statement(column, text))


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
    window: tuple[dt.date, dt.date],
) -> None:
    """Replace the window's rows of a base table with the lake's (delete, then insert)."""
    staged = f"lake_{table}"
    if is_remote(dataset_dir):
        source = _remote_window(con, dataset_dir, window)
    else:
        source = _lake_source(dataset_dir, window)
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
                f"CREATE OR REPLACE TEMP TABLE {staged} AS FROM "
                + (
                    source
                    if source == _REMOTE_FRAME
                    else f"read_parquet({source}, hive_partitioning = false, union_by_name = true)"
                )
                + " WHERE date BETWEEN ? AND ?",
                list(window),
            )
            if source == _REMOTE_FRAME:
                con.unregister(_REMOTE_FRAME)
        _add_new_lake_columns(con, table, staged)
        con.execute(f"DELETE FROM {table} WHERE date BETWEEN ? AND ?", list(window))
        con.execute(f"INSERT INTO {table} BY NAME FROM {staged}")
        con.execute(f"DROP TABLE {staged}")
    except duckdb.Error as error:
        raise WarehouseBuildError(
            f"loading {table} (dates {window[0]}..{window[1]}) from {dataset_dir} failed, the"
            f" warehouse was left unchanged: {error}; fix or rewrite the named Parquet"
            " partition (its columns are those of warehouse/datasets.py), then build again"
        ) from error


def _lake_source(dataset_dir: Path, window: tuple[dt.date, dt.date]) -> str | None:
    """The read_parquet argument for the window's files, or None when there are none."""
    files = _window_files(dataset_dir, window)
    if not files:
        return None
    return "[" + ", ".join(_sql_string(str(path)) for path in files) + "]"


def _window_files(dataset_dir: Path, window: tuple[dt.date, dt.date]) -> list[Path]:
    """The Parquet files of the window's date folders, by day (listing the date folders
    is cheap; only the window's are listed further)."""
    first, last = window
    return [
        path
        for day, folder in sorted(_date_folders(dataset_dir).items())
        if first <= day <= last
        for path in (
            [p for p in files_under(folder) if p.suffix == ".parquet"]
            if is_remote(folder)
            else sorted(folder.glob("country=*/*.parquet"))
        )
    ]


_REMOTE_FRAME = "lake_files"


def _remote_window(
    con: duckdb.DuckDBPyConnection, dataset_dir: Path, window: tuple[dt.date, dt.date]
) -> str | None:
    """The window's files on an object store, read by Polars (concurrently; DuckDB's
    wheel has no S3 client offline) and registered with DuckDB as a view of their
    Arrow data; its name for the FROM clause, or None when there are none. A day with
    a snapshot (``DAY_SNAPSHOTS``) is read from it: one object, published whole."""
    first, last = window
    snapshots = {day: path for day, path in _snapshots(dataset_dir).items() if first <= day <= last}
    by_day = sorted(
        [
            (day, path)
            for day, folder in _date_folders(dataset_dir).items()
            if first <= day <= last and day not in snapshots
            for path in files_under(folder)
            if path.suffix == ".parquet"
        ]
        + list(snapshots.items())
    )
    files = [path for _, path in by_day]
    if not files:
        return None
    # The newest day first: its file has every column the lake has gained.
    frame = read_parquet_files(files[::-1], union=True)
    con.register(_REMOTE_FRAME, frame)
    return _REMOTE_FRAME


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _add_new_lake_columns(con: duckdb.DuckDBPyConnection, table: str, staged: str) -> None:
    """Add to the base table the columns the lake has gained, so it stays a full copy."""
    known = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
    for column, column_type, *_ in con.execute(f"DESCRIBE {staged}").fetchall():
        if column not in known:
            con.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {column_type}')


def _row_counts(con: duckdb.DuckDBPyConnection, build_models: list[Model]) -> dict[str, int]:
    tables = _tables(con)
    return {
        name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        for name in [*LAKE_DATASETS, *(model.name for model in build_models)]
        if name in tables
    }

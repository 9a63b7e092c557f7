"""Every table and column of the warehouse is described once (warehouse/tables.py and
warehouse/datasets.py): the declarations match what the models create, every build
comments them all, the Dagster UI has a page per table, and docs/warehouse.md is
current."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.test_warehouse_models import make_lake, products_file
from warehouse import tables
from warehouse.build import Model, build_warehouse, connect_read_only, models, table_rows
from warehouse.datasets import BY_NAME as DATASETS_BY_NAME
from warehouse.tables import warehouse_tables

# Tables the warehouse holds, with their columns (name, type) in order.
_COLUMNS = (
    "SELECT table_name, column_name, data_type FROM duckdb_columns()"
    " WHERE database_name = current_database() AND schema_name = 'main'"
    " ORDER BY table_name, column_index"
)
# The columns of the rows launch_report() returns.
_REPORT = "DESCRIBE SELECT * FROM launch_report('deepseek', DATE '2025-01-15', 'perplexity')"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("described")
    db = root / "warehouse.duckdb"
    build_warehouse(db, make_lake(root), products_file(root))
    return db


def _built(db: Path) -> dict[str, list[tuple[str, str]]]:
    """Every table of the warehouse (and launch_report) with its (column, type) pairs."""
    con = connect_read_only(db)
    try:
        built: dict[str, list[tuple[str, str]]] = {}
        for table, column, column_type in con.execute(_COLUMNS).fetchall():
            built.setdefault(table, []).append((column, column_type))
        built["launch_report"] = [(row[0], row[1]) for row in con.execute(_REPORT).fetchall()]
        return built
    finally:
        con.close()


def mismatches(built: dict[str, list[tuple[str, str]]], build_models: list[Model]) -> list[str]:
    """What differs between the declarations and the built tables, each saying where
    to fix it."""
    declared = {table.name: table for table in warehouse_tables(table_rows(build_models))}
    files = {model.name: f"warehouse/models/{model.path.name}" for model in build_models}
    problems = []
    for model in build_models:
        if model.name not in declared:
            problems.append(
                f"{files[model.name]} creates {model.name}, which warehouse/tables.py does not"
                " describe: add a Table for it to DERIVED there"
            )
    for name, columns in built.items():
        table = declared.get(name)
        where = files.get(name, "warehouse/build.py")
        if table is None:
            if name not in files:
                problems.append(
                    f"table {name} ({where}) is not described: add a Table for it to"
                    " warehouse/tables.py"
                )
            continue
        fix = (
            f"declare it in warehouse/datasets.py ({name}), or in warehouse/tables.py's"
            f" ADDITIONS when a model adds it"
            if name in DATASETS_BY_NAME
            else f"describe it in warehouse/tables.py ({name}'s Table), in the table's order"
        )
        have = [(c.name, c.duckdb_type) for c in table.columns]
        undescribed = [
            f"{name}.{column} ({column_type}), made by {where}, has no description of that"
            f" name and type: {fix}"
            for column, column_type in columns
            if (column, column_type) not in have
        ]
        unmade = [
            f"{name}.{column} ({column_type}) is described but {where} does not make it:"
            " remove it from (or correct it in) warehouse/tables.py"
            for column, column_type in have
            if (column, column_type) not in columns
        ]
        problems += undescribed + unmade
        if not undescribed + unmade and have != columns:
            problems.append(
                f"{name}'s columns are described in another order than {where} makes them"
                f" ({', '.join(c for c, _ in columns)}): reorder them in warehouse/tables.py"
            )
    return problems


def test_the_declarations_are_the_columns_the_models_make(warehouse):
    problems = mismatches(_built(warehouse), models())
    assert not problems, "\n".join(problems)


def test_a_column_without_a_description_says_where_to_describe_it(warehouse):
    built = _built(warehouse)
    before = mismatches(built, models())
    built["apps"] = [*built["apps"], ("downloads_total", "BIGINT")]
    built["chart_entries"] = [*built["chart_entries"], ("captured_at", "VARCHAR")]
    del built["search_interest_daily"][-1]
    assert [problem for problem in mismatches(built, models()) if problem not in before] == [
        "apps.downloads_total (BIGINT), made by warehouse/models/30_apps.sql, has no"
        " description of that name and type: describe it in warehouse/tables.py (apps's"
        " Table), in the table's order",
        "chart_entries.captured_at (VARCHAR), made by warehouse/build.py, has no description"
        " of that name and type: declare it in warehouse/datasets.py (chart_entries), or in"
        " warehouse/tables.py's ADDITIONS when a model adds it",
        "search_interest_daily.terms (BIGINT) is described but"
        " warehouse/models/60_search_interest_daily.sql does not make it: remove it from (or"
        " correct it in) warehouse/tables.py",
    ]


def _undescribed(db: Path) -> list[tuple]:
    con = connect_read_only(db)
    try:
        return con.execute(
            "SELECT table_name, column_name FROM duckdb_columns()"
            " WHERE database_name = current_database() AND (comment IS NULL OR comment = '')"
            " UNION ALL SELECT table_name, NULL FROM duckdb_tables()"
            " WHERE database_name = current_database() AND (comment IS NULL OR comment = '')"
            " UNION ALL SELECT function_name, NULL FROM duckdb_functions()"
            " WHERE database_name = current_database() AND function_type = 'table_macro'"
            " AND (comment IS NULL OR comment = '')"
        ).fetchall()
    finally:
        con.close()


def test_every_table_and_column_has_its_comment(warehouse):
    assert _undescribed(warehouse) == []
    con = connect_read_only(warehouse)
    try:
        said = dict(
            ((table, column), comment)
            for table, column, comment in con.execute(
                "SELECT table_name, column_name, comment FROM duckdb_columns()"
                " WHERE database_name = current_database() UNION ALL"
                " SELECT table_name, NULL, comment FROM duckdb_tables()"
                " WHERE database_name = current_database() UNION ALL"
                " SELECT function_name, NULL, comment FROM duckdb_functions()"
                " WHERE function_name = 'launch_report'"
            ).fetchall()
        )
    finally:
        con.close()
    for table in warehouse_tables(table_rows()):
        for column, text in table.comments().items():
            assert said[(table.name, column)] == text, (table.name, column)
    assert said[("apps", None)].endswith("One row per store, app_id.")


def test_a_column_declared_not_null_holds_no_null(warehouse):
    con = connect_read_only(warehouse)
    try:
        for table in warehouse_tables(table_rows()):
            source = _REPORT.removeprefix("DESCRIBE ") if table.macro else f"FROM {table.name}"
            for column in table.columns:
                if not column.nullable:
                    (nulls,) = con.execute(
                        f'SELECT count(*) FROM ({source}) WHERE "{column.name}" IS NULL'
                    ).fetchone()
                    assert nulls == 0, f"{table.name}.{column.name} is declared not null"
    finally:
        con.close()


def test_updates_and_rebuilds_keep_every_comment(warehouse, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, db)
    lake, products = make_lake(tmp_path), products_file(tmp_path)
    build_warehouse(db, lake, products, dates=(dt.date(2025, 1, 15), dt.date(2025, 1, 15)))
    assert _undescribed(db) == []
    # A change of estimates mode rebuilds every derived table.
    build_warehouse(db, lake, products, estimates="model")
    assert _undescribed(db) == []


def test_a_comment_with_quotes_is_written_as_it_is():
    con = duckdb.connect()
    table = tables.Table("t", "It's a 'table'.", (), row="x")
    con.execute('CREATE TABLE t ("rank" INTEGER)')
    con.execute(table.comment_statement(None, table.comment))
    con.execute(table.comment_statement("rank", "the app's rank"))
    assert con.execute("SELECT comment FROM duckdb_tables()").fetchone() == (
        "It's a 'table'. One row per x.",
    )
    assert con.execute("SELECT comment FROM duckdb_columns()").fetchone() == ("the app's rank",)


def test_what_one_row_is_reads_past_a_colon_in_parentheses(tmp_path):
    sql = tmp_path / "55_t.sql"
    sql.write_text(
        "-- t: a table.\n-- One row per a, b (1: the first, e.g. x) and c: what it holds.\n"
        "CREATE TABLE t AS SELECT 1 AS a;\n",
        encoding="utf-8",
    )
    assert Model(55, "t", sql).row == "a, b (1: the first, e.g. x) and c"


def test_the_ui_has_a_page_per_table_with_every_column_described(warehouse):
    import dagster as dg

    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    pages = {
        key.path[-1]: graph.get(key)
        for key in graph.get_all_asset_keys()
        if key.path[:2] == ["warehouse", "tables"]
    }
    built = _built(warehouse)
    assert set(pages) == set(built)
    for name, columns in built.items():
        page = pages[name]
        schema = page.metadata["dagster/column_schema"]
        assert [c.name for c in schema.columns] == [column for column, _ in columns], name
        assert all(c.description for c in schema.columns), name
        assert page.description and not page.is_executable
        assert page.parent_keys == {dg.AssetKey(["warehouse", "duckdb"])}


def test_docs_of_the_warehouse_are_written_from_the_declarations():
    assert tables.DOCS.read_text(encoding="utf-8") == tables.markdown(table_rows()), (
        "docs/warehouse.md is out of date: run `python -m warehouse.tables`"
    )

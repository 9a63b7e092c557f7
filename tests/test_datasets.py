"""The lake's datasets are declared once (warehouse/datasets.py): what is derived from
the declarations agrees with them, and every grain holds on the sample's data."""

from __future__ import annotations

import re

import duckdb
import polars as pl
import pytest

from assets.checks import SCHEMAS
from tests.conftest import REPO
from warehouse import datasets
from warehouse.datasets import DATASETS


def test_docs_of_the_datasets_are_written_from_the_declarations():
    assert datasets.DOCS.read_text(encoding="utf-8") == datasets.markdown(), (
        "docs/datasets.md is out of date: run `python -m warehouse.datasets`"
    )


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.name)
def test_each_grain_holds_in_the_sample_lake(short_window, dataset):
    files = sorted((short_window / "lake" / dataset.name).glob("date=*/country=*/*.parquet"))
    if not files:
        pytest.skip(f"the sample market does not produce {dataset.name}")
    lake = pl.read_parquet(files, hive_partitioning=False)
    assert lake.schema == dataset.schema
    assert lake.height > 0
    assert not lake.select(pl.struct(list(dataset.grain)).is_duplicated().any()).item(), (
        f"{dataset.name}: more than one row per {', '.join(dataset.grain)}"
    )


def test_each_base_table_is_its_declaration_with_comments(short_window):
    with duckdb.connect(str(short_window / "warehouse.duckdb"), read_only=True) as con:
        for dataset in DATASETS:
            columns = con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns()"
                " WHERE table_name = ? ORDER BY column_index",
                [dataset.name],
            ).fetchall()
            # The declared columns first (a model may add more: app_estimates' interval).
            declared = [(c.name, c.duckdb_type, c.description) for c in dataset.columns]
            assert columns[: len(declared)] == declared
            keys = ", ".join(dataset.grain)
            (duplicated,) = con.execute(
                f"SELECT count(*) FROM (SELECT {keys} FROM {dataset.name}"
                f" GROUP BY ALL HAVING count(*) > 1)"
            ).fetchone()
            assert duplicated == 0, f"{dataset.name}: more than one row per {keys}"


def test_the_checks_are_derived_from_the_declarations():
    for dataset in DATASETS:
        if not dataset.checked:
            assert dataset.name not in SCHEMAS
            continue
        schema = SCHEMAS[dataset.name]
        assert schema.column_names() == dataset.column_names
        # The grain's rule is named by the dataset, beside its declared rules.
        rules = set(schema._schema_validation_rules())
        assert rules == {dataset.grain_rule, *(r.name for r in dataset.rules)}


def test_no_dataset_column_list_is_written_twice():
    """Outside the declarations, no code lists a dataset's columns in full, in order."""
    code = [
        path
        for folder in ("assets", "pipelines", "warehouse", "bench")
        for path in (REPO / folder).rglob("*")
        if path.suffix in (".py", ".sql") and path != REPO / "warehouse" / "datasets.py"
    ]
    for dataset in DATASETS:
        names = r"\W+".join(re.escape(name) for name in dataset.column_names)
        listed = re.compile(rf"\b{names}\b")
        for path in code:
            assert not listed.search(path.read_text(encoding="utf-8")), (
                f"{path} lists the columns of {dataset.name}; derive them from"
                " warehouse/datasets.py"
            )

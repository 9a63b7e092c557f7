"""What the Dagster UI shows of a materialisation: previews and readable sizes."""

from __future__ import annotations

import base64

import dagster as dg
import polars as pl

from warehouse.datasets import Dataset

PREVIEW_ROWS = 10

_TYPES = {
    pl.Boolean: "bool",
    pl.Date: "date",
    pl.String: "string",
    pl.Float64: "float",
    pl.Float32: "float",
}


def _type(dtype: pl.DataType) -> str:
    if dtype.is_integer():
        return "int"
    return _TYPES.get(type(dtype), _TYPES.get(dtype, str(dtype)))  # type: ignore[call-overload]


def column_schema(schema: pl.Schema) -> dg.TableSchema:
    """A Polars schema as the table schema the UI shows in an asset's columns tab."""
    return dg.TableSchema(
        columns=[dg.TableColumn(name, _type(dtype)) for name, dtype in schema.items()]
    )


def dataset_columns(dataset: Dataset) -> dg.TableSchema:
    """A lake dataset's columns, with their descriptions, as the UI's columns tab shows them."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                c.name,
                _type(c.dtype),
                description=c.description,
                constraints=dg.TableColumnConstraints(nullable=c.nullable),
            )
            for c in dataset.columns
        ]
    )


def preview_table(frame: pl.DataFrame, rows: int = PREVIEW_ROWS) -> dg.TableMetadataValue:
    """The first ``rows`` rows as a table in the UI (dates and lists shown as text)."""
    simple = (pl.Boolean, pl.String, pl.Float64, pl.Float32)
    plain = {
        name
        for name, dtype in frame.schema.items()
        if dtype.is_integer() or isinstance(dtype, simple)
    }
    records = [
        dg.TableRecord({k: v if k in plain or v is None else str(v) for k, v in row.items()})
        for row in frame.head(rows).iter_rows(named=True)
    ]
    return dg.MetadataValue.table(
        records=records,
        schema=column_schema(frame.schema),
    )


def png_markdown(pictures: dict[str, bytes]) -> dg.MarkdownMetadataValue:
    """PNGs embedded in markdown (data URIs), which the UI's metadata panel displays."""
    return dg.MetadataValue.md(
        "\n\n".join(
            f"**{title}**\n\n![{title}](data:image/png;base64,{base64.b64encode(png).decode()})"
            for title, png in pictures.items()
        )
    )

"""Polars schemas of the lake datasets, derived from their declarations in
``warehouse/datasets.py`` (columns in the order they are written), and of the raw
batch every parser reads.

Parsers return frames of exactly these schemas, so every writer and reader of the
lake agrees on names and types.
"""

import polars as pl

from warehouse import datasets

CHART_ENTRIES = datasets.CHART_ENTRIES.schema
CHART_COVERAGE = datasets.CHART_COVERAGE.schema
APP_ESTIMATES = datasets.APP_ESTIMATES.schema
VENDOR_RANKS = datasets.VENDOR_RANKS.schema
SEARCH_INTEREST = datasets.SEARCH_INTEREST.schema
APP_METADATA = datasets.APP_METADATA.schema
MODEL_CALIBRATION = datasets.MODEL_CALIBRATION.schema
MODEL_PARAMETERS = datasets.MODEL_PARAMETERS.schema

# A batch of raw files read from the archive, the input of every parser.
RAW_BATCH = pl.Schema(
    {
        "date": pl.Date,
        "country": pl.String,
        "item": pl.String,
        "path": pl.String,
        "body": pl.String,
    }
)

STORES = datasets.STORES
DEVICES = datasets.DEVICES
CHARTS = datasets.CHARTS

"""Build RAW_BATCH frames in tests, as the raw archive would hand them to a parser:
one row per archived file with its partition, item, path and body text.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from assets.schemas import RAW_BATCH

DAY = dt.date(2025, 1, 27)


def raw_file(
    item: str,
    body: str | dict | list,
    *,
    source: str,
    date: dt.date = DAY,
    country: str = "us",
    ext: str = "json",
) -> dict:
    """One archived file; a dict or list body is written as JSON."""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    path = f"data/raw/{source}/date={date.isoformat()}/country={country}/{item}.{ext}"
    return {"date": date, "country": country, "item": item, "path": path, "body": text}


def raw_batch(*files: dict) -> pl.DataFrame:
    """A RAW_BATCH of the given files, in order (an empty batch when none)."""
    return pl.DataFrame(list(files), schema=RAW_BATCH)

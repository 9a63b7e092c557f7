"""Atomic, idempotent writes for everything Chartwatch stores under data/.

Every file is written to a temporary name in its final folder and renamed into
place, so a reader never sees half a file and a crash leaves the old file whole.
A lake partition (``date=YYYY-MM-DD/country=cc``) is replaced as a unit: its new
file is renamed in, then any other files the partition held are removed.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

PART_FILE = "part-0.parquet"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_partition(dataset_dir: Path, date: str, country: str, frame: pl.DataFrame) -> Path:
    """Replace one hive partition of a lake dataset with ``frame`` (atomically)."""
    folder = dataset_dir / f"date={date}" / f"country={country}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / PART_FILE
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{PART_FILE}.", suffix=".tmp")
    os.close(fd)
    try:
        frame.write_parquet(tmp, compression="zstd", statistics=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for stale in folder.iterdir():
        if stale.name != PART_FILE and stale.suffix == ".parquet":
            stale.unlink()
    return target


def remove_partition(dataset_dir: Path, date: str, country: str) -> None:
    """Drop a partition that no longer has rows (its source files are gone)."""
    folder = dataset_dir / f"date={date}" / f"country={country}"
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.suffix == ".parquet":
            path.unlink()
    if not any(folder.iterdir()):
        folder.rmdir()


def replace_partitions(
    dataset_dir: Path,
    frame: pl.DataFrame,
    dates: list[str],
    countries: list[str],
    sort_by: list[str],
) -> dict[str, int]:
    """Make the lake hold exactly ``frame`` for every (date, country) of the window.

    Partitions with rows are replaced (files written in parallel: Parquet encoding
    releases the GIL); partitions of the window left without rows are removed.
    Partitions outside the window are never touched.
    """
    parts = frame.sort(["date", "country", *sort_by]).partition_by(
        ["date", "country"], as_dict=True, maintain_order=True
    )
    keys = {(str(date), country): part for (date, country), part in parts.items()}
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda item: write_partition(dataset_dir, *item[0], item[1]), keys.items()))
    removed = 0
    for date in dates:
        for country in countries:
            if (date, country) not in keys and (
                dataset_dir / f"date={date}" / f"country={country}"
            ).exists():
                remove_partition(dataset_dir, date, country)
                removed += 1
    return {"partitions_written": len(keys), "partitions_removed": removed, "rows": frame.height}

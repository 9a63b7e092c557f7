"""Atomic, idempotent writes for everything Chartwatch stores under data/.

Every file is written to a temporary name in its final folder and renamed into
place, so a reader never sees half a file and a crash leaves the old file whole.
A lake partition (``date=YYYY-MM-DD/country=cc``) is replaced as a unit: its new
file is renamed in, then any other files the partition held are removed.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import polars as pl

PART_FILE = "part-0.parquet"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; an archive is for reading
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def sink_partitions(frame: pl.LazyFrame, base: Path, file_path_provider) -> None:
    """Write every (date, country) partition of ``frame`` under ``base`` in one Polars
    sink (in parallel, in Rust), one file each, where ``file_path_provider`` says."""
    frame.sink_parquet(
        pl.PartitionBy(
            base,
            file_path_provider=file_path_provider,
            key=["date", "country"],
            include_key=True,
            approximate_bytes_per_file=None,
        ),
        compression="zstd",
        statistics=True,
        mkdir=True,
    )


def replace_partitions(
    dataset_dir: Path,
    frame: pl.DataFrame,
    dates: list[str],
    countries: list[str],
    sort_by: list[str],
) -> dict[str, int]:
    """Make the lake hold exactly ``frame`` for every (date, country) of the window.

    Polars writes every partition at once (in parallel, in Rust), each to a
    temporary file in its own partition folder; each file is then renamed over the
    partition's ``part-0.parquet``, so a partition changes in one step. Partitions
    of the window left without rows are removed. Partitions outside the window are
    never touched.
    """
    token = uuid.uuid4().hex
    staged: list[tuple[str, str, Path]] = []

    def temporary_file(args: pl.io.partition.FileProviderArgs) -> Path:
        date, country = args.partition_keys.row(0)
        if args.index_in_partition:
            raise RuntimeError(f"partition date={date}/country={country} split into several files")
        # Relative to the dataset folder: Polars joins it to its base path.
        relative = Path(f"date={date}", f"country={country}", f".{PART_FILE}.{token}.tmp")
        staged.append((str(date), country, dataset_dir / relative))
        return relative

    try:
        if frame.height:
            sink_partitions(
                frame.sort(["date", "country", *sort_by]).lazy(), dataset_dir, temporary_file
            )
        for _, _, path in staged:
            os.replace(path, path.parent / PART_FILE)
            for stale in path.parent.iterdir():
                if stale.name != PART_FILE and stale.suffix == ".parquet":
                    stale.unlink()
    except BaseException:
        for _, _, path in staged:
            path.unlink(missing_ok=True)
        raise
    written = {(date, country) for date, country, _ in staged}
    size = sum((path.parent / PART_FILE).stat().st_size for _, _, path in staged)
    removed = 0
    for date in dates:
        for country in countries:
            if (date, country) not in written and (
                dataset_dir / f"date={date}" / f"country={country}"
            ).exists():
                remove_partition(dataset_dir, date, country)
                removed += 1
    return {
        "partitions_written": len(written),
        "partitions_removed": removed,
        "rows": frame.height,
        "bytes": size,
    }


def read_partitions(
    dataset_dir: Path, date: str, countries: list[str], columns: list[str]
) -> pl.DataFrame | None:
    """The given columns of a day's partitions for the countries; None when there are none."""
    files = [
        path
        for country in countries
        if (path := dataset_dir / f"date={date}" / f"country={country}" / PART_FILE).is_file()
    ]
    if not files:
        return None
    return pl.read_parquet(files, columns=columns, hive_partitioning=False)

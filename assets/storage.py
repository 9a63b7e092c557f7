"""Atomic, idempotent writes for everything Chartwatch stores under data/.

Every file is written to a temporary name in its final folder and renamed into
place, so a reader never sees half a file and a crash leaves the old file whole.
A lake partition (``date=YYYY-MM-DD/country=cc``) is replaced as a unit: its new
file is renamed in, then any other files the partition held are removed.

Writers of the same place take turns: a write holds an exclusive lock (``flock``)
on the folder it writes (a lake day: its ``date=`` folder), which the system
releases when the process ends, however it ends. So a temporary file found under
the lock is a leftover of a writer that died, and the write removes it: crashes
leave no litter behind the next write of the same file or day.

On an object store (CHARTWATCH_DATA_DIR=s3://..., ``assets/objects.py``) there are
no temporary files, renames or locks: one PUT replaces an object atomically, so a
file or a lake partition is written in one request, a reader sees the old object or
the new one, and a writer that dies leaves nothing behind. Two writers of the same
lake day write the same rows (a day is derived from the append-only archive), so the
last PUT of each partition wins without harm.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

from warehouse.errors import DiskFull, is_disk_full
from warehouse.failpoints import failpoint
from warehouse.objects import (
    DAY_SNAPSHOTS,
    files_under,
    is_remote,
    read_parquet_files,
    write_all,
)

PART_FILE = "part-0.parquet"
# The temporary file of a lake partition: .part-0.parquet.<token>.tmp
_PART_TEMP_PREFIX = f".{PART_FILE}."
TEMP_SUFFIX = ".tmp"


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (created if missing) until the block ends.

    The lock is on the folder's own descriptor: no lock file to leave behind, and
    the system drops it when the holder dies. An object store has no locks (nor needs
    them: see the module's docstring).
    """
    if is_remote(folder):
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def folder_locks(folders: Iterable[Path]) -> Iterator[None]:
    """Locks on several folders, taken in sorted order (two writers never deadlock)."""
    with contextlib.ExitStack() as stack:
        for folder in sorted(set(folders)):
            stack.enter_context(folder_lock(folder))
        yield


def remove_leftovers(folder: Path, prefix: str) -> int:
    """Delete the temporary files ``<prefix>*.tmp`` in ``folder``: call it holding the
    folder's lock, when no live writer can own them. Returns how many were removed."""
    removed = 0
    if is_remote(folder):
        return removed  # an object store has no temporary files
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX):
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
    return removed


def atomic_write_bytes(path: Path, data: bytes, failpoint_name: str | None = None) -> None:
    """Write ``path`` whole or not at all (a temporary file, then a rename), taking
    the folder's lock and removing the leftovers of earlier interrupted writes of it."""
    with folder_lock(path.parent):
        remove_leftovers(path.parent, f".{path.name}.")
        write_new_file(path, data, failpoint_name)


def write_new_file(path: Path, data: bytes, failpoint_name: str | None = None) -> None:
    """The rename half of ``atomic_write_bytes``, for a caller that holds the lock."""
    if is_remote(path):
        if failpoint_name:
            failpoint(failpoint_name)
        write_all({path: data})
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except OSError as error:
            if is_disk_full(error):
                raise DiskFull(path, len(data)) from error
            raise
        os.chmod(tmp, 0o644)  # mkstemp makes it private; an archive is for reading
        if failpoint_name:
            failpoint(failpoint_name)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_partition(dataset_dir: Path, date: str, country: str) -> None:
    """Drop a partition that no longer has rows (its source files are gone)."""
    folder = dataset_dir / f"date={date}" / f"country={country}"
    if is_remote(folder):
        for path in files_under(folder):
            path.unlink()
        return
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
    never touched. On an object store each partition is one PUT of its file.
    """
    if is_remote(dataset_dir):
        return _replace_remote(dataset_dir, frame, dates, countries, sort_by)
    with_rows = {str(day) for day in frame["date"].unique().to_list()} if frame.height else set()
    # A day of the window without rows has only partitions to remove, if it has a
    # folder at all: a day that never had rows gets no (empty) folder.
    days = with_rows | {day for day in dates if (dataset_dir / f"date={day}").is_dir()}
    # One writer per day of a dataset at a time; under the lock, any temporary file
    # in the day's partitions is a dead writer's.
    with folder_locks(dataset_dir / f"date={day}" for day in days):
        for day in days:
            for country_dir in (dataset_dir / f"date={day}").glob("country=*"):
                remove_leftovers(country_dir, _PART_TEMP_PREFIX)
        return _write_and_swap(dataset_dir, frame, dates, countries, sort_by)


def _write_and_swap(
    dataset_dir: Path,
    frame: pl.DataFrame,
    dates: list[str],
    countries: list[str],
    sort_by: list[str],
) -> dict[str, int]:
    """replace_partitions' work, holding the locks of the days it writes."""
    token = uuid.uuid4().hex
    staged: list[tuple[str, str, Path]] = []

    def temporary_file(args: pl.io.partition.FileProviderArgs) -> Path:
        date, country = args.partition_keys.row(0)
        if args.index_in_partition:
            raise RuntimeError(f"partition date={date}/country={country} split into several files")
        # Relative to the dataset folder: Polars joins it to its base path.
        relative = Path(
            f"date={date}", f"country={country}", f"{_PART_TEMP_PREFIX}{token}{TEMP_SUFFIX}"
        )
        staged.append((str(date), country, dataset_dir / relative))
        return relative

    try:
        if frame.height:
            try:
                sink_partitions(
                    frame.sort(["date", "country", *sort_by]).lazy(), dataset_dir, temporary_file
                )
            except Exception as error:
                if is_disk_full(error):
                    raise DiskFull(
                        dataset_dir,
                        what=f"{frame.height:,} rows of {dataset_dir.name} ({', '.join(dates)})",
                    ) from error
                raise
        failpoint("lake.before_rename")
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


def _replace_remote(
    dataset_dir: Path,
    frame: pl.DataFrame,
    dates: list[str],
    countries: list[str],
    sort_by: list[str],
) -> dict[str, int]:
    """replace_partitions on an object store: each partition's file is encoded in
    memory and PUT whole (concurrently); the window's other partitions are deleted.
    Then each day written gets its snapshot (``DAY_SNAPSHOTS``): one object holding
    every storefront of the day, PUT last, so a reader of snapshots sees a day's
    publish whole or not at all, in one request rather than one per storefront."""
    ordered = frame.sort(["date", "country", *sort_by])
    blobs: dict[Path, bytes] = {
        _partition_file(dataset_dir, str(date), country): _parquet_bytes(part)
        for (date, country), part in ordered.partition_by(
            ["date", "country"], as_dict=True, maintain_order=True
        ).items()
    }
    failpoint("lake.before_rename")
    write_all(blobs)
    removed = 0
    wanted = set(countries)
    by_day = {str(d): part for (d,), part in ordered.partition_by("date", as_dict=True).items()}
    kept: dict[str, list[Path]] = {}  # a day's partitions of storefronts outside the window
    for date in sorted(set(dates) | set(by_day)):
        for path in files_under(dataset_dir / f"date={date}"):
            if path in blobs or path.suffix != ".parquet":
                continue
            if path.parent.name.removeprefix("country=") not in wanted:
                kept.setdefault(date, []).append(path)
            elif date in dates:
                path.unlink()
                removed += 1
    _write_day_snapshots(dataset_dir, by_day, kept, sorted(set(dates) | set(by_day)), sort_by)
    return {
        "partitions_written": len(blobs),
        "partitions_removed": removed,
        "rows": frame.height,
        "bytes": sum(map(len, blobs.values())),
    }


def _write_day_snapshots(
    dataset_dir: Path,
    by_day: dict[str, pl.DataFrame],
    kept: dict[str, list[Path]],
    days: list[str],
    sort_by: list[str],
) -> None:
    """Each day's snapshot: the rows written plus those of the day's other storefronts;
    a day left without rows loses its snapshot."""
    snapshots: dict[Path, bytes] = {}
    for day in days:
        parts = [by_day[day]] if day in by_day else []
        if day in kept:
            parts.append(read_parquet_files(kept[day]))
        path = day_snapshot(dataset_dir, day)
        if parts:
            whole = pl.concat(parts, how="diagonal_relaxed")
            snapshots[path] = _parquet_bytes(whole.sort(["date", "country", *sort_by]))
        elif path.exists():
            path.unlink()
    write_all(snapshots)


def day_snapshot(dataset_dir: Path, day: str) -> Path:
    """Where an object store's lake keeps a day's snapshot (see DAY_SNAPSHOTS)."""
    return dataset_dir / DAY_SNAPSHOTS / f"date={day}.parquet"


def _parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", statistics=True)
    return buffer.getvalue()


def _partition_file(dataset_dir: Path, date: str, country: str) -> Path:
    return dataset_dir / f"date={date}" / f"country={country}" / PART_FILE


def day_files(dataset_dir: Path, date: str, countries: Iterable[str] | None = None) -> list[Path]:
    """The partition files of a day (of the given countries), sorted by country. On an
    object store: one listing of the day, not a request per country."""
    folder = dataset_dir / f"date={date}"
    if is_remote(folder):
        files = [path for path in files_under(folder) if path.name == PART_FILE]
    else:
        files = sorted(folder.glob(f"country=*/{PART_FILE}"))
    if countries is None:
        return files
    wanted = set(countries)
    return [path for path in files if path.parent.name.removeprefix("country=") in wanted]


def read_partitions(
    dataset_dir: Path, date: str, countries: list[str], columns: list[str]
) -> pl.DataFrame | None:
    """The given columns of a day's partitions for the countries; None when there are none."""
    if is_remote(dataset_dir):
        held = {path.parent.name: path for path in day_files(dataset_dir, date, countries)}
        files = [held[name] for country in countries if (name := f"country={country}") in held]
    else:
        files = [
            path
            for country in countries
            if (path := _partition_file(dataset_dir, date, country)).is_file()
        ]
    if not files:
        return None
    return read_parquet_files(files, columns)

"""Lake partition writes: exactly the window's partitions change, atomically."""

import datetime as dt
from pathlib import Path

import polars as pl

from assets.storage import PART_FILE, replace_partitions


def _frame(rows):
    return pl.DataFrame(
        rows, schema={"date": pl.Date, "country": pl.String, "x": pl.Int64}, orient="row"
    )


def test_replace_partitions_with_a_relative_data_dir(tmp_path, monkeypatch):
    # `make demo` runs with CHARTWATCH_DATA_DIR=data, a path relative to the checkout.
    monkeypatch.chdir(tmp_path)
    dataset = Path("data/lake/things")
    day = dt.date(2025, 1, 27)
    replace_partitions(
        dataset, _frame([(day, "us", 1), (day, "gb", 2)]), [str(day)], ["us", "gb"], ["x"]
    )

    files = sorted(p.relative_to(dataset).as_posix() for p in dataset.rglob("*") if p.is_file())
    assert files == [
        f"date=2025-01-27/country=gb/{PART_FILE}",
        f"date=2025-01-27/country=us/{PART_FILE}",
    ]
    assert pl.read_parquet(dataset / "date=2025-01-27/country=us" / PART_FILE).rows() == [
        (day, "us", 1)
    ]


def test_replace_partitions_replaces_the_window_only(tmp_path):
    dataset = tmp_path / "things"
    d1, d2 = dt.date(2025, 1, 26), dt.date(2025, 1, 27)
    replace_partitions(
        dataset,
        _frame([(d1, "us", 1), (d2, "us", 2), (d2, "gb", 3)]),
        [str(d1), str(d2)],
        ["us", "gb"],
        ["x"],
    )
    other_day = (dataset / "date=2025-01-26/country=us" / PART_FILE).stat().st_mtime_ns

    # gb has no rows on the 27th any more: its partition goes; us is replaced.
    stats = replace_partitions(dataset, _frame([(d2, "us", 20)]), [str(d2)], ["us", "gb"], ["x"])

    assert (
        stats["bytes"] == (dataset / f"date={d2}" / "country=us" / "part-0.parquet").stat().st_size
    )
    del stats["bytes"]
    assert stats == {"partitions_written": 1, "partitions_removed": 1, "rows": 1}
    assert not (dataset / "date=2025-01-27/country=gb").exists()
    assert pl.read_parquet(dataset / "date=2025-01-27/country=us" / PART_FILE)["x"].to_list() == [
        20
    ]
    assert (dataset / "date=2025-01-26/country=us" / PART_FILE).stat().st_mtime_ns == other_day
    assert not [p for p in dataset.rglob("*.tmp")]


def test_the_next_write_of_a_day_removes_a_dead_writers_temporary_files(tmp_path):
    dataset = tmp_path / "things"
    day, other = dt.date(2025, 1, 27), dt.date(2025, 1, 28)
    # What a writer killed between its temporary write and its rename leaves behind.
    leftover = dataset / f"date={day}" / "country=us" / f".{PART_FILE}.dead0writer.tmp"
    elsewhere = dataset / f"date={other}" / "country=us" / f".{PART_FILE}.dead0writer.tmp"
    for path in (leftover, elsewhere):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"half a parquet file")

    replace_partitions(dataset, _frame([(day, "us", 1)]), [str(day)], ["us"], ["x"])

    assert not leftover.exists()
    assert elsewhere.exists()  # another day's: its own next write removes it
    assert sorted(p.name for p in leftover.parent.iterdir()) == [PART_FILE]


def test_the_next_archive_of_a_response_removes_a_dead_writers_temporary_file(tmp_path):
    from assets.raw import RawResponse, archive, partition_dir

    response = RawResponse("apple_rss", dt.date(2025, 1, 27), "us", "top-free.json", b"{}")
    folder = partition_dir(tmp_path, "apple_rss", response.date, "us")
    folder.mkdir(parents=True)
    (folder / ".top-free.json.dead0writer.tmp").write_bytes(b"{")
    (folder / ".top-paid.json.dead0writer.tmp").write_bytes(b"{")

    assert archive(tmp_path, response)

    assert sorted(p.name for p in folder.iterdir()) == [
        ".top-paid.json.dead0writer.tmp",  # another file's: its next archive removes it
        "top-free.json",
    ]


def test_a_full_disk_while_writing_a_file_says_where_and_how_much(tmp_path, monkeypatch):
    import errno
    import os

    import pytest

    from assets.storage import atomic_write_bytes
    from warehouse.errors import DiskFull

    class FullDevice:
        """A file on a device with no space left."""

        def __init__(self, fd: int, mode: str) -> None:
            self.fd = fd

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            os.close(self.fd)

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", FullDevice)
    with pytest.raises(DiskFull) as caught:
        atomic_write_bytes(tmp_path / "raw" / "top-free.json", b"x" * 2_500_000)
    monkeypatch.undo()

    message = str(caught.value)
    assert message.startswith(
        f"no space left on the device of {tmp_path / 'raw' / 'top-free.json'}"
    )
    assert "it needed about 2.5 MB" in message
    assert list((tmp_path / "raw").iterdir()) == []  # no temporary file stays


def test_a_day_that_never_had_rows_gets_no_folder(tmp_path):
    """A dataset a source did not feed that day (no Appfigures token, a sample without
    vendor ranks) leaves the lake as it was: no empty date= folders to list."""
    dataset = tmp_path / "lake" / "things"
    replace_partitions(dataset, _frame([]), ["2025-01-27"], ["us"], ["x"])
    assert not dataset.exists()

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

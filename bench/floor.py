"""The floor: the smallest vectorised Polars program that turns the chart files of
a raw archive into the Parquet files the pipeline writes for ``lake/chart_entries``.

Per chunk of days: list the files, read their bytes, decode every body at once as
JSON lines (current RSS ``feed.results`` and legacy RSS ``feed.entry`` to one
entry shape), one explode, derive the columns as assets/sources/apple_charts/parse.py does, sort
as assets/storage.py does and write every partition with one partitioned sink
(``chart_entries/date=YYYY-MM-DD/country=cc/part-0.parquet``, zstd). No checks, no
orchestration: the speed of the work itself on this machine, which the pipeline
is measured against.

It reads what bench.generate writes: one-line JSON bodies, legacy feeds of more
than one entry. Google Play charts are not read (the bench archive has none).

    python -m bench.floor --raw DIR/raw --out DIR/floor_lake [--start YYYY-MM-DD] [--end YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from assets.schemas import CHART_ENTRIES
from assets.sources.apple_charts.parse import CURRENT_RSS, LEGACY_FEED_NAME, LEGACY_RSS
from assets.storage import PART_FILE, sink_partitions

DATASET = "chart_entries"
SORT = ["date", "country", "store", "device", "chart", "genre_id", "rank"]
# Days per partitioned sink: a day of 175 storefronts is ~30 MB of JSON.
CHUNK_DAYS = 2
WORKERS = 2

_ENTRY = pl.Struct({"id": pl.String, "name": pl.String, "artistName": pl.String})
_CURRENT = {"feed": pl.Struct({"results": pl.List(_ENTRY)})}
_LEGACY = {
    "feed": pl.Struct(
        {
            "entry": pl.List(
                pl.Struct(
                    {
                        "id": pl.Struct({"attributes": pl.Struct({"im:id": pl.String})}),
                        "im:name": pl.Struct({"label": pl.String}),
                        "im:artist": pl.Struct({"label": pl.String}),
                    }
                )
            )
        }
    )
}
_PATH = r"date=(?<date>[^/]+)/country=(?<country>[^/]+)/(?<item>[^/]+)\.json$"


def _read(files: list[Path], schema: dict) -> pl.DataFrame:
    """Every file's body as one JSON line, decoded; with its path."""
    if not files:
        return pl.DataFrame(schema={**schema, "path": pl.String})
    body = b"\n".join([path.read_bytes() for path in files])
    return pl.read_ndjson(body, schema=schema).with_columns(
        path=pl.Series([os.fspath(path) for path in files], dtype=pl.String)
    )


def _listed(raw_dir: Path, source: str, dates: list[dt.date]) -> list[Path]:
    return sorted(
        path
        for date in dates
        for path in (raw_dir / source / f"date={date}").glob("country=*/*.json")
    )


def _chart_entries(current_files: list[Path], legacy_files: list[Path]) -> pl.LazyFrame:
    feed = pl.col("feed")
    current = _read(current_files, _CURRENT).lazy()
    legacy = _read(legacy_files, _LEGACY).lazy()
    file = pl.col("path").str.extract_groups(_PATH)
    name = pl.col("item").str.extract_groups(LEGACY_FEED_NAME)
    entry = pl.element()
    feeds = pl.concat(
        [
            current.select(
                file.struct.unnest(),
                entries=feed.struct.field("results"),
                source=pl.lit(CURRENT_RSS),
            ).with_columns(
                device=pl.lit("iphone"),
                chart=pl.col("item").str.replace("-", "_", literal=True),
                genre_id=pl.lit(None, pl.String),
            ),
            legacy.select(
                file.struct.unnest(),
                entries=feed.struct.field("entry").list.eval(
                    pl.struct(
                        id=entry.struct.field("id")
                        .struct.field("attributes")
                        .struct.field("im:id"),
                        name=entry.struct.field("im:name").struct.field("label"),
                        artistName=entry.struct.field("im:artist").struct.field("label"),
                    )
                ),
                source=pl.lit(LEGACY_RSS),
            ).with_columns(
                device=pl.when(name.struct.field("ipad").is_null())
                .then(pl.lit("iphone"))
                .otherwise(pl.lit("ipad")),
                chart=pl.concat_str(pl.lit("top_"), name.struct.field("chart")),
                genre_id=name.struct.field("genre"),
            ),
        ]
    )
    return (
        feeds.with_columns(rank=pl.int_ranges(1, pl.col("entries").list.len() + 1, dtype=pl.Int32))
        .explode("entries", "rank")
        .select(
            pl.col("date").str.to_date("%Y-%m-%d"),
            "country",
            store=pl.lit("app_store"),
            device="device",
            chart="chart",
            genre_id="genre_id",
            rank="rank",
            app_id=pl.col("entries").struct.field("id"),
            app_name=pl.col("entries").struct.field("name"),
            developer=pl.col("entries").struct.field("artistName"),
            source="source",
        )
        .sort(SORT)
    )


def raw_dates(raw_dir: Path) -> list[dt.date]:
    """Every day with chart files in the archive."""
    return sorted(
        {
            dt.date.fromisoformat(folder.name.removeprefix("date="))
            for source in (CURRENT_RSS, LEGACY_RSS)
            for folder in (raw_dir / source).glob("date=*")
        }
    )


def _part_file(args: pl.io.partition.FileProviderArgs) -> str:
    date, country = args.partition_keys.row(0)
    return f"date={date}/country={country}/{PART_FILE}"


def _write_chunk(raw_dir: Path, lake_dir: Path, dates: list[dt.date]) -> tuple[int, int, int]:
    """Read, parse and write the days; (rows, files read, partitions written)."""
    current = _listed(raw_dir, CURRENT_RSS, dates)
    legacy = _listed(raw_dir, LEGACY_RSS, dates)
    frame = _chart_entries(current, legacy).collect()
    sink_partitions(frame.lazy(), lake_dir / DATASET, _part_file)
    partitions = frame.select(pl.struct("date", "country").n_unique()).item()
    return frame.height, len(current) + len(legacy), partitions


def floor(raw_dir: Path, lake_dir: Path, dates: list[dt.date] | None = None) -> dict:
    """Write ``lake_dir/chart_entries`` from ``raw_dir`` (all its days, or ``dates``);
    rows, files (read), partitions (written), days and seconds.

    Chunks of CHUNK_DAYS days, WORKERS of them in flight (Polars and file reads
    release the GIL), as the pipeline runs two days at once (assets/partitions.py).
    """
    began = time.perf_counter()
    raw_dir, lake_dir = Path(raw_dir), Path(lake_dir)
    dates = sorted(dates) if dates is not None else raw_dates(raw_dir)
    chunks = [dates[k : k + CHUNK_DAYS] for k in range(0, len(dates), CHUNK_DAYS)]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        done = list(pool.map(lambda chunk: _write_chunk(raw_dir, lake_dir, chunk), chunks))
    rows, files, partitions = (
        (sum(column) for column in zip(*done, strict=True)) if done else (0, 0, 0)
    )
    return {
        "rows": rows,
        "files": files,
        "partitions": partitions,
        "days": len(dates),
        "seconds": round(time.perf_counter() - began, 3),
    }


def _partition_files(lake_dir: Path, dates: list[dt.date]) -> list[str]:
    root = Path(lake_dir) / DATASET
    return sorted(
        os.fspath(path.relative_to(root))
        for date in dates
        for path in (root / f"date={date}").glob("country=*/*.parquet")
    )


def same_as_lake(floor_dir: Path, lake_dir: Path, dates: list[dt.date]) -> None:
    """AssertionError unless ``floor_dir`` and ``lake_dir`` (lake roots) hold the same
    chart_entries for ``dates``: the same partition files, each with the same rows
    in the same order, of the same columns and types."""
    ours, theirs = _partition_files(floor_dir, dates), _partition_files(lake_dir, dates)
    if ours != theirs:
        raise AssertionError(
            f"chart_entries partitions differ: only in the floor {sorted(set(ours) - set(theirs))[:5]},"
            f" only in the lake {sorted(set(theirs) - set(ours))[:5]}"
            f" ({len(ours)} vs {len(theirs)} files)"
        )
    if not ours:
        raise AssertionError(f"no chart_entries partitions for the dates {dates[:3]}...")

    def read(root: Path) -> pl.DataFrame:
        return pl.read_parquet(
            [Path(root) / DATASET / name for name in ours], hive_partitioning=False
        )

    floor_rows, lake_rows = read(floor_dir), read(lake_dir)
    if floor_rows.schema != CHART_ENTRIES or lake_rows.schema != CHART_ENTRIES:
        raise AssertionError(
            f"chart_entries schemas: floor {floor_rows.schema}, lake {lake_rows.schema},"
            f" expected {CHART_ENTRIES}"
        )
    try:
        assert_frame_equal(floor_rows.sort(SORT), lake_rows.sort(SORT))
    except AssertionError as error:
        raise AssertionError(
            f"the floor's chart_entries rows differ from the lake's: {error}"
        ) from None
    # Same rows; each file must also hold them in the same order.
    try:
        assert_frame_equal(floor_rows, lake_rows)
    except AssertionError as error:
        raise AssertionError(
            f"the floor's chart_entries hold the lake's rows in another order: {error}"
        ) from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, required=True, help="the raw archive (DIR/raw)")
    parser.add_argument("--out", type=Path, required=True, help="lake root for chart_entries")
    parser.add_argument("--start", type=dt.date.fromisoformat)
    parser.add_argument("--end", type=dt.date.fromisoformat)
    args = parser.parse_args(argv)
    dates = [
        d
        for d in raw_dates(args.raw)
        if (args.start is None or d >= args.start) and (args.end is None or d <= args.end)
    ]
    # A fresh output, outside the measured time: the floor only writes.
    shutil.rmtree(args.out / DATASET, ignore_errors=True)
    print(json.dumps(floor(args.raw, args.out, dates)))


if __name__ == "__main__":
    main()

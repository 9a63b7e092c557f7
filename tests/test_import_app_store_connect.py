"""A user's own App Store Connect reports imported (``make import`` without DATE or
COUNTRY: the reports say them), then a live day of raw and lake assets that brings
their rows into the lake's app_estimates, sales before analytics downloads."""

from __future__ import annotations

import gzip
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.imports import import_files
from assets.raw import RawFileError, list_files, read_batch
from assets.resources import ChartwatchConfig
from assets.sources.app_store_connect_downloads.parse import parse_downloads
from pipelines.definitions import build_definitions
from tests.test_parse_app_store_connect import (
    CHATGPT,
    CURRENT,
    D1,
    D2,
    D3,
    DAY,
    DEEPSEEK,
    DOWNLOADS,
    FIRST,
    SALES,
    SECOND,
    downloads_report,
    sales_report,
)
from warehouse.errors import InvalidSetting

SALES_FILE = "S_D_85012345_20250127.txt.gz"


def _write(folder: Path, name: str, text: str, gzipped: bool = True) -> Path:
    path = folder / name
    path.write_bytes(gzip.compress(text.encode(), mtime=0) if gzipped else text.encode())
    return path


def _archived(raw: Path, source: str) -> list[str]:
    return sorted(p.relative_to(raw / source).as_posix() for p in (raw / source).rglob("*.*"))


def test_a_report_is_archived_once_under_its_last_day_and_read_on_each(tmp_path):
    raw = tmp_path / "raw"
    sales = _write(tmp_path, SALES_FILE, CURRENT)
    (done,) = import_files(SALES, None, None, [sales], raw)
    assert done.written and done.days == (DAY,)
    assert done.path == raw / SALES / f"date={DAY}" / "country=ww" / SALES_FILE
    assert done.path.read_bytes() == sales.read_bytes()  # unchanged, gzipped

    first = _write(tmp_path, "seg-0.csv.gz", FIRST)
    second = _write(tmp_path, "seg-1.csv.gz", SECOND)
    import_files(DOWNLOADS, None, None, [first], raw)
    # DATE and COUNTRY, when given, are ones the file holds.
    (done,) = import_files(DOWNLOADS, D3, "us", [second], raw)
    assert done.days == (D1, D3)
    assert _archived(raw, DOWNLOADS) == [
        f"date={D1}/country=ww/seg-0.csv.gz.ref",
        f"date={D1}/country=ww/seg-1.csv.gz.ref",
        f"date={D2}/country=ww/seg-0.csv.gz",
        f"date={D3}/country=ww/seg-1.csv.gz",
    ]
    # The 27th reads both segments: the correction of the later one counts.
    day = parse_downloads(read_batch(DOWNLOADS, list_files(raw, DOWNLOADS, [D1], "")))
    assert day.filter(date=D1, country="us")["downloads"].to_list() == [169]


@pytest.mark.parametrize(
    ("source", "name", "text", "date", "country", "error", "message"),
    [
        (SALES, SALES_FILE, CURRENT, D2, None, RawFileError, "holds 2025-01-27, not 2025-01-28"),
        (SALES, SALES_FILE, CURRENT, None, "fr", RawFileError, "no rows for country fr"),
        (
            SALES,
            "S_W_85012345_20250126.txt",
            sales_report([{"Begin Date": "01/20/2025", "End Date": "01/26/2025"}]),
            None,
            None,
            RawFileError,
            "weekly",
        ),
        (SALES, "S_D_85012345_20250127.csv", CURRENT, None, None, InvalidSetting, r"\.txt\.gz"),
        (
            DOWNLOADS,
            "seg.csv.gz",
            downloads_report([{"Date": "2025-01-27", "Counts": "x"}]),
            None,
            None,
            RawFileError,
            "Counts is 'x' on line 2",
        ),
    ],
    ids=["date", "country", "weekly", "suffix", "counts"],
)
def test_a_file_that_does_not_fit_is_refused_and_nothing_archived(
    tmp_path, source, name, text, date, country, error, message
):
    path = _write(tmp_path, name, text, gzipped=name.endswith(".gz"))
    with pytest.raises(error, match=message):
        import_files(source, date, country, [path], tmp_path / "raw")
    assert not (tmp_path / "raw").exists()


PRODUCTS = """
[products.deepseek]
name = "DeepSeek"
app_store = ["6737597349"]
competitors = ["chatgpt"]

[products.chatgpt]
name = "ChatGPT"
app_store = ["6448311069"]
"""


def test_a_live_day_brings_the_imported_reports_into_the_lake(tmp_path):
    products = tmp_path / "products.toml"
    products.write_text(PRODUCTS, encoding="utf-8")
    config = ChartwatchConfig(
        source="live",
        countries="us,gb,de",
        data_dir=str(tmp_path / "data"),
        products_file=str(products),
        contact="tests@example.org",
    )
    # The analytics segment gives the 27th for DeepSeek in the US (the sales report's
    # figure wins there) and for ChatGPT in Great Britain (which only it has).
    segment = downloads_report(
        [
            {"Date": "2025-01-27", "Counts": "150"},
            {
                "Date": "2025-01-27",
                "Counts": "3",
                "Territory": "GB",
                "App Name": "ChatGPT",
                "App Apple Identifier": CHATGPT,
            },
        ]
    )
    raw = Path(config.raw_dir)
    import_files(SALES, None, None, [_write(tmp_path, SALES_FILE, CURRENT)], raw)
    import_files(DOWNLOADS, None, None, [_write(tmp_path, "seg-0.csv.gz", segment)], raw)

    keys = [f"raw/{SALES}", f"raw/{DOWNLOADS}", "lake/app_estimates"]
    job = build_definitions(config).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        partition_key=DAY.isoformat(),
        asset_selection=[dg.AssetKey.from_user_string(k) for k in keys],
        raise_on_error=False,
    )

    assert result.success
    lake = pl.read_parquet(
        Path(config.lake_dir) / "app_estimates" / f"date={DAY}", hive_partitioning=False
    )
    # Japan is in the sales report but is no configured storefront.
    assert lake.sort("country", "app_id").select(
        "country", "app_id", "downloads", "source"
    ).rows() == [
        ("de", DEEPSEEK, 0, SALES),
        ("gb", CHATGPT, 3, DOWNLOADS),
        ("gb", DEEPSEEK, 15, SALES),
        ("us", CHATGPT, 7, SALES),
        ("us", DEEPSEEK, 148, SALES),
    ]

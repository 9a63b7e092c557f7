"""CHARTWATCH_DATA_DIR=s3://bucket/prefix: the archive, the lake, the quarantine and the
reports on an S3-compatible store (moto on 127.0.0.1), with the local folder's
guarantees, and the same warehouse as from a local folder."""

from __future__ import annotations

import datetime as dt

import boto3
import polars as pl
import pytest

from assets.raw import (
    RawArchiveConflict,
    RawResponse,
    archive,
    archive_span,
    list_files,
    read_batch,
)
from assets.resources import ChartwatchConfig
from assets.storage import PART_FILE, read_partitions, replace_partitions
from warehouse.errors import InvalidSetting
from warehouse.objects import data_root

DAY = dt.date(2025, 1, 27)


def _keys(uri: str, prefix: str = "") -> list[str]:
    bucket, _, root = uri.removeprefix("s3://").partition("/")
    pages = boto3.client("s3").get_paginator("list_objects_v2")
    full = f"{root}/{prefix}".strip("/") if root else prefix
    return sorted(
        item["Key"]
        for page in pages.paginate(Bucket=bucket, Prefix=full)
        for item in page.get("Contents", [])
    )


def test_the_archive_on_s3_is_create_only(s3_bucket):
    raw = data_root(s3_bucket) / "raw"
    response = RawResponse("apple_charts", DAY, "us", "top-free.json", b'{"feed": 1}')

    assert archive(raw, response) is True
    assert archive(raw, response) is False  # the same bytes again: nothing written
    with pytest.raises(RawArchiveConflict, match="never rewritten"):
        archive(raw, RawResponse("apple_charts", DAY, "us", "top-free.json", b'{"feed": 2}'))

    assert _keys(s3_bucket) == ["raw/apple_charts/date=2025-01-27/country=us/top-free.json"]
    files = list_files(raw, "apple_charts", [DAY], ".json")
    assert [(d, c, p.name) for d, c, p in files] == [(DAY, "us", "top-free.json")]
    assert read_batch("apple_charts", files)["body"].to_list() == ['{"feed": 1}']


def test_a_file_of_many_days_on_s3_is_read_through_its_refs(s3_bucket):
    raw = data_root(s3_bucket) / "raw"
    month = RawResponse("play_console_installs", DAY, "ww", "installs.csv", b"Date,Installs\n")
    written, days = archive_span(raw, month, [DAY - dt.timedelta(days=1), DAY])

    assert written and days == [DAY - dt.timedelta(days=1), DAY]
    earlier = list_files(raw, "play_console_installs", [DAY - dt.timedelta(days=1)], ".csv")
    assert [str(p) for _, _, p in earlier] == [
        f"{s3_bucket}/raw/play_console_installs/date=2025-01-27/country=ww/installs.csv"
    ]


def _frame(rows):
    return pl.DataFrame(
        rows, schema={"date": pl.Date, "country": pl.String, "x": pl.Int64}, orient="row"
    )


def test_a_lake_partition_on_s3_is_one_object_replaced_whole(s3_bucket):
    dataset = data_root(s3_bucket) / "lake" / "things"
    d1, d2 = DAY - dt.timedelta(days=1), DAY
    replace_partitions(
        dataset,
        _frame([(d1, "us", 1), (d2, "us", 2), (d2, "gb", 3)]),
        [str(d1), str(d2)],
        ["us", "gb"],
        ["x"],
    )
    before = boto3.client("s3").head_object(
        Bucket=s3_bucket.removeprefix("s3://"), Key=f"lake/things/date={d1}/country=us/{PART_FILE}"
    )["ETag"]

    # gb has no rows on the 27th any more: its object goes; us is replaced; the 26th stays.
    stats = replace_partitions(dataset, _frame([(d2, "us", 20)]), [str(d2)], ["us", "gb"], ["x"])

    assert {k: stats[k] for k in ("partitions_written", "partitions_removed", "rows")} == {
        "partitions_written": 1,
        "partitions_removed": 1,
        "rows": 1,
    }
    assert _keys(s3_bucket) == [
        f"lake/things/_days/date={d1}.parquet",
        f"lake/things/_days/date={d2}.parquet",
        f"lake/things/date={d1}/country=us/{PART_FILE}",
        f"lake/things/date={d2}/country=us/{PART_FILE}",
    ]
    assert (
        boto3.client("s3").head_object(
            Bucket=s3_bucket.removeprefix("s3://"),
            Key=f"lake/things/date={d1}/country=us/{PART_FILE}",
        )["ETag"]
        == before
    )
    day = read_partitions(dataset, str(d2), ["gb", "us"], ["country", "x"])
    assert day.rows() == [("us", 20)]


def test_each_day_on_s3_has_one_snapshot_of_every_storefront(s3_bucket):
    dataset = data_root(s3_bucket) / "lake" / "things"
    replace_partitions(
        dataset, _frame([(DAY, "us", 1), (DAY, "gb", 2)]), [str(DAY)], ["us", "gb"], ["x"]
    )
    snapshot = dataset / "_days" / f"date={DAY}.parquet"
    assert pl.read_parquet(snapshot.read_bytes()).rows() == [(DAY, "gb", 2), (DAY, "us", 1)]

    # A run of one storefront (CHARTWATCH_COUNTRIES=us) keeps the others in the snapshot.
    replace_partitions(dataset, _frame([(DAY, "us", 10)]), [str(DAY)], ["us"], ["x"])
    assert pl.read_parquet(snapshot.read_bytes()).rows() == [(DAY, "gb", 2), (DAY, "us", 10)]

    # A day left without rows loses its partitions and its snapshot.
    replace_partitions(dataset, _frame([]), [str(DAY)], ["us", "gb"], ["x"])
    assert _keys(s3_bucket) == []


def test_a_bad_data_dir_says_what_to_do(s3_server):
    with pytest.raises(InvalidSetting, match="not supported; give a local folder or s3://"):
        ChartwatchConfig(data_dir="gs://bucket/x").check()
    with pytest.raises(InvalidSetting, match="not an S3 bucket name"):
        ChartwatchConfig(data_dir="s3://ab/x").check()
    with pytest.raises(InvalidSetting, match="the bucket 'no-such-bucket' does not exist"):
        ChartwatchConfig(data_dir="s3://no-such-bucket/x").check()
    with (
        pytest.raises(InvalidSetting, match=r"EndpointConnectionError.*check AWS_ENDPOINT_URL"),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")  # nothing listens there
        ChartwatchConfig(data_dir="s3://some-bucket/x").check()
    with pytest.raises(InvalidSetting, match="a file on a local disk"):
        ChartwatchConfig(warehouse="s3://bucket/w.duckdb").check()


def test_the_warehouse_builds_from_an_s3_lake_as_from_a_local_one(s3_bucket, tmp_path):
    from tests.test_warehouse_incremental import assert_same_warehouse
    from tests.test_warehouse_models import make_lake, products_file
    from warehouse.build import build_warehouse

    products = products_file(tmp_path)
    local = make_lake(tmp_path / "local")
    remote = make_lake(data_root(s3_bucket))
    assert _keys(s3_bucket, "lake/chart_entries")  # written to the bucket

    build_warehouse(tmp_path / "local.duckdb", local, products)
    # A full build, then a window rebuilt: both read the lake from S3.
    build_warehouse(tmp_path / "s3.duckdb", remote, products)
    build_warehouse(tmp_path / "s3.duckdb", remote, products, dates=(dt.date(2025, 1, 5),) * 2)
    assert_same_warehouse(tmp_path / "s3.duckdb", tmp_path / "local.duckdb")

    # The build reads a day's snapshot, not its partitions: a snapshot is the day's
    # publish (one object). Removing the partitions of a day changes nothing.
    day = next(p for p in (remote / "chart_entries").iterdir() if p.name.startswith("date="))
    for path in list(day.rglob("*.parquet")):
        path.unlink()
    (tmp_path / "s3.duckdb").unlink()
    build_warehouse(tmp_path / "s3.duckdb", remote, products)
    assert_same_warehouse(tmp_path / "s3.duckdb", tmp_path / "local.duckdb")


def test_make_coverage_reads_an_s3_lake_from_its_listing_and_snapshots(s3_bucket, tmp_path):
    from pipelines.explore import lake_coverage
    from tests.test_warehouse_models import make_lake

    local = lake_coverage(make_lake(tmp_path))
    remote = lake_coverage(make_lake(data_root(s3_bucket)))
    assert remote == local
    assert any(row[0] == "chart_entries" and row[6] != "0" for row in remote)


def test_make_backtest_on_s3_says_it_needs_a_local_folder(s3_bucket, monkeypatch, capsys):
    from pipelines import backtest

    monkeypatch.setenv("CHARTWATCH_DATA_DIR", f"{s3_bucket}/data")
    assert backtest.main([]) == 2
    assert "make backtest works on a local data folder" in capsys.readouterr().err
    assert _keys(s3_bucket) == []  # nothing was written

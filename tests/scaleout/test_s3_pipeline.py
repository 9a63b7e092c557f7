"""The whole pipeline with CHARTWATCH_DATA_DIR=s3://... (moto on 127.0.0.1): the
archive, the lake and the reports land in the bucket, and the warehouse equals the
one a local folder gives."""

from __future__ import annotations

import datetime as dt

from assets.storage import PART_FILE
from tests.conftest import failures, run_pipeline
from tests.test_object_store import _keys
from warehouse.fingerprint import table_fingerprints


def test_the_pipeline_on_s3_builds_the_warehouse_a_local_folder_builds(s3_bucket, tmp_path):
    start, end, countries = dt.date(2025, 1, 20), dt.date(2025, 1, 22), "us,gb,jp"
    local = tmp_path / "local"
    result = run_pipeline(local, start, end, countries)
    assert result.success, failures(result)
    remote = f"{s3_bucket}/chartwatch"
    warehouse = tmp_path / "from-s3" / "warehouse.duckdb"
    result = run_pipeline(remote, start, end, countries, warehouse=str(warehouse))
    assert result.success, failures(result)

    keys = _keys(s3_bucket)
    assert any(k.startswith("chartwatch/raw/apple_rss/date=2025-01-22/country=jp/") for k in keys)
    assert f"chartwatch/lake/chart_entries/date=2025-01-22/country=jp/{PART_FILE}" in keys
    assert any(k.startswith("chartwatch/reports/date=2025-01-22/launch-") for k in keys)
    assert warehouse.is_file()
    assert table_fingerprints(warehouse) == table_fingerprints(local / "warehouse.duckdb")

"""One writer for the warehouse: a person's SQL session never corrupts a build; the
build waits for it, then fails saying what to do."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

from warehouse.build import WarehouseBusy, connect_for_writing

HOLD = (
    "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True);"
    " print('open', flush=True); time.sleep(float(sys.argv[2]))"
)


def _reader(path, seconds: float) -> subprocess.Popen:
    """Another process with the warehouse open read-only, as a SQL session would."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "open"
    return process


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    return path


def test_a_writer_waits_for_a_reader_to_close(db):
    reader = _reader(db, 1.5)
    waits: list[str] = []
    began = time.monotonic()
    con = connect_for_writing(db, wait_seconds=30, on_wait=waits.append)
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    reader.wait()
    assert time.monotonic() - began >= 1.0  # it waited for the reader
    assert len(waits) == 1 and "waiting up to 30s" in waits[0]


def test_a_reader_that_stays_fails_the_writer_with_what_to_do(db):
    reader = _reader(db, 30)
    try:
        with pytest.raises(WarehouseBusy) as caught:
            connect_for_writing(db, wait_seconds=0.5)
    finally:
        reader.kill()
        reader.wait()
    message = str(caught.value)
    assert f"PID {reader.pid}" in message and "CHARTWATCH_WAREHOUSE_WAIT" in message
    assert "Close that session" in message

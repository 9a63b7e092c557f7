"""The Dagster UI end to end: `dagster dev` (webserver and daemon) on a free
loopback port with a temporary DAGSTER_HOME, a three-day backfill launched over
the GraphQL API (what the UI's Launch backfill button sends), then the lake and
warehouse it produced.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import requests

REPO = Path(__file__).resolve().parents[1]
DAYS = ["2025-01-25", "2025-01-26", "2025-01-27"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(url: str, query: str, variables: dict | None = None) -> dict:
    response = requests.post(url, json={"query": query, "variables": variables or {}}, timeout=30)
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture()
def ui(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "CHARTWATCH_DATA_DIR": str(tmp_path / "data"),
        "CHARTWATCH_COUNTRIES": "us,gb,eg",
    }
    log = (tmp_path / "dagster-dev.log").open("wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-w", "workspace.yaml",
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                data = _graphql(
                    url,
                    "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }",
                )
                entries = data["workspaceOrError"]["locationEntries"]
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    break
            except (requests.ConnectionError, requests.HTTPError, AssertionError):
                pass
            assert process.poll() is None, (tmp_path / "dagster-dev.log").read_text()
            assert time.monotonic() < deadline, "dagster dev did not start in 120 s"
            time.sleep(1)
        yield url, tmp_path / "data"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


LAUNCH = """
mutation Launch($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on InvalidStepError { invalidStepKey }
    ... on UnauthorizedError { message }
  }
}
"""

STATUS = """
query Status($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    ... on PartitionBackfill { status numPartitions }
  }
  runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
    ... on Runs { results { runId status } }
  }
}
"""


def test_a_backfill_launched_like_the_ui_button_runs_once_and_fills_the_warehouse(ui):
    url, data_dir = ui
    keys = _graphql(url, "{ assetNodes { assetKey { path } } }")["assetNodes"]
    launched = _graphql(
        url,
        LAUNCH,
        {"params": {"partitionNames": DAYS, "assetSelection": [n["assetKey"] for n in keys]}},
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched

    # Wait for the backfill's runs, not for the daemon's next pass that marks it done.
    deadline = time.monotonic() + 240
    while True:
        status = _graphql(url, STATUS, {"id": launched["backfillId"]})
        runs = status["runsOrError"]["results"]
        backfill = status["partitionBackfillOrError"]["status"]
        if runs and all(r["status"] in ("SUCCESS", "FAILURE", "CANCELED") for r in runs):
            break
        assert backfill not in ("FAILED", "COMPLETED_FAILED", "CANCELED"), (backfill, runs)
        assert time.monotonic() < deadline, f"backfill still {backfill} after 240 s: {runs}"
        time.sleep(1)

    # One run for the whole range: every asset has a single-run backfill policy.
    assert [r["status"] for r in runs] == ["SUCCESS"]
    lake = data_dir / "lake" / "chart_entries"
    assert sorted(p.name for p in lake.iterdir()) == [f"date={d}" for d in DAYS]
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    dates = con.execute(
        "SELECT DISTINCT CAST(date AS VARCHAR) FROM chart_entries ORDER BY 1"
    ).fetchall()
    assert [d for (d,) in dates] == DAYS
    assert con.execute("SELECT count(DISTINCT country) FROM chart_entries").fetchone()[0] == 3

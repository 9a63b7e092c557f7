"""The Dagster UI end to end: `dagster dev` (webserver and daemon) on a free
loopback port with a temporary DAGSTER_HOME. A three-day backfill launched over the
GraphQL API (what the UI's Launch backfill button sends) runs as one run and fails
on its one broken day; after the fix, "Re-execute from failure" (the backfill page's
button) re-runs only that day in the lake, then the warehouse and the reports. Then
what a person sees: headless Chromium's screenshots of the asset graph, of the
pictures' asset page and of the headline product's launch report that the reports
asset wrote (pipelines/screenshot.py); that last one also on a page of its own.
"""

from __future__ import annotations

import json
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

from pipelines import screenshot
from pipelines.screenshot import (
    ScreenshotError,
    chromium_executable,
    headline_launch_report,
    screenshot_page,
    take_screenshots,
)
from tests.graphql import LAUNCH_BACKFILL, REEXECUTE_BACKFILL, graphql

REPO = Path(__file__).resolve().parents[1]
DAYS = ["2025-01-25", "2025-01-26", "2025-01-27"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        [sys.executable, "-m", "pipelines.ui", "-w", "workspace.yaml",
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                data = graphql(
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


STATUS = """
query Status($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    ... on PartitionBackfill { status numPartitions }
  }
  runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
    ... on Runs { results { runId status assetSelection { path } tags { key value } } }
  }
}
"""

MATERIALIZED = """
query Materialized($path: [String!]!) {
  assetOrError(assetKey: {path: $path}) {
    ... on Asset { assetMaterializations(limit: 1) { runId } }
  }
}
"""

BROKEN_DAY = "2025-01-26"


def _wait(url: str, backfill_id: str, seconds: int = 300) -> tuple[str, list[dict]]:
    """Wait for a backfill to end (the daemon passes every 30 s): its status and runs,
    each run with its assets and partition range."""
    deadline = time.monotonic() + seconds
    while True:
        status = graphql(url, STATUS, {"id": backfill_id})
        backfill = status["partitionBackfillOrError"]["status"]
        runs = status["runsOrError"]["results"]
        if backfill != "REQUESTED":
            break
        assert time.monotonic() < deadline, f"backfill still {backfill} after {seconds} s: {runs}"
        time.sleep(1)
    for run in runs:
        tags = {t["key"]: t["value"] for t in run["tags"]}
        run["assets"] = sorted("/".join(a["path"]) for a in run["assetSelection"] or [])
        run["days"] = (
            tags.get("dagster/asset_partition_range_start"),
            tags.get("dagster/asset_partition_range_end"),
        )
    return backfill, runs


def _plant_a_duplicate_chart(data_dir: Path) -> Path:
    """A second top free iPhone feed for gb on the broken day (a legacy feed of two apps),
    in the archive before the backfill: ranks 1 and 2 of that chart appear twice."""
    entry = {
        "id": {"attributes": {"im:id": "6737597349", "im:bundleId": "com.deepseek.chat"}},
        "im:name": {"label": "DeepSeek"},
        "im:artist": {"label": "DeepSeek"},
        "category": {"attributes": {"im:id": "6007", "label": "Productivity"}},
    }
    feed = {"feed": {"entry": [entry, {**entry, "id": {"attributes": {"im:id": "284882215"}}}]}}
    path = (
        data_dir / "raw" / "itunes_rss" / f"date={BROKEN_DAY}" / "country=gb"
        / "topfreeapplications.json"
    )  # fmt: skip
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(feed))
    return path


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG (its IHDR chunk), after checking its signature."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def test_a_ui_backfill_fails_only_its_bad_day_reruns_it_from_failure_and_shows_the_pictures(
    ui, tmp_path
):
    url, data_dir = ui
    try:  # CI installs it (.ci/run): fail now, not after the backfill.
        chromium_executable()
    except ScreenshotError as error:
        pytest.fail(str(error))
    planted = _plant_a_duplicate_chart(data_dir)
    nodes = graphql(url, "{ assetNodes { assetKey { path } isExecutable partitionKeys } }")[
        "assetNodes"
    ]
    # The table pages (warehouse/tables/...) are documentation, not materialisable.
    keys = [node for node in nodes if node["isExecutable"]]
    # What the materialize dialog offers: exactly the sample's 40 days.
    partitioned = [node["partitionKeys"] for node in keys if node["partitionKeys"]]
    assert partitioned and all(
        (p[0], p[-1], len(p)) == ("2025-01-01", "2025-02-09", 40) for p in partitioned
    )
    # And nobody is told to use another command than the one `make ui` runs.
    assert "dg dev" not in (tmp_path / "dagster-dev.log").read_text()

    # 1. The backfill button over three days, one of them broken.
    launched = graphql(
        url,
        LAUNCH_BACKFILL,
        {"params": {"partitionNames": DAYS, "assetSelection": [n["assetKey"] for n in keys]}},
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    status, runs = _wait(url, launched["backfillId"])

    # One run for the whole range (single-run backfill policy); it fails on the bad day,
    # publishes the two good ones, keeps the bad rows, and builds no warehouse.
    assert status == "COMPLETED_FAILED"
    assert [(r["status"], r["days"]) for r in runs] == [("FAILURE", (DAYS[0], DAYS[-1]))]
    lake = data_dir / "lake" / "chart_entries"
    assert sorted(p.name for p in lake.iterdir()) == [f"date={DAYS[0]}", f"date={DAYS[2]}"]
    quarantined = data_dir / "quarantine" / "lake" / "chart_entries" / f"date={BROKEN_DAY}"
    assert (quarantined / "invalid.parquet").is_file()
    assert not (data_dir / "warehouse.duckdb").exists()

    # 2. The fix, then "Re-execute > From failure" on the backfill's page.
    planted.unlink()
    retried = graphql(
        url,
        REEXECUTE_BACKFILL,
        {"params": {"parentRunId": launched["backfillId"], "strategy": "FROM_FAILURE"}},
    )["reexecutePartitionBackfill"]
    assert retried["__typename"] == "LaunchBackfillSuccess", retried
    status, runs = _wait(url, retried["backfillId"])

    assert status == "COMPLETED_SUCCESS", runs
    assert all(r["status"] == "SUCCESS" for r in runs) and len(runs) <= 4, runs
    by_assets = {tuple(r["assets"]): r["days"] for r in runs}
    # The lake re-parses only the failed day; the charts' coverage, the rank model's fit
    # and the warehouse, which waited for the charts, all three.
    assert by_assets[("lake/chart_entries",)] == (BROKEN_DAY, BROKEN_DAY)
    waited = ("lake/chart_coverage", "lake/model_parameters", "warehouse/duckdb")
    assert by_assets[waited] == (DAYS[0], DAYS[-1])
    assert ("reports/launch_pictures",) in by_assets
    assert not any(a.startswith("raw/") for r in runs for a in r["assets"])
    assert sorted(p.name for p in lake.iterdir()) == [f"date={d}" for d in DAYS]
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    dates = con.execute(
        "SELECT DISTINCT CAST(date AS VARCHAR) FROM chart_entries ORDER BY 1"
    ).fetchall()
    assert [d for (d,) in dates] == DAYS
    assert con.execute("SELECT count(DISTINCT country) FROM chart_entries").fetchone()[0] == 3
    con.close()

    # 3. What a person sees: the asset graph with every group, and the page of the
    # launch pictures with the metadata of their materialization, pictures loaded.
    asset = "reports/launch_pictures"
    assert graphql(url, MATERIALIZED, {"path": asset.split("/")})["assetOrError"][
        "assetMaterializations"
    ]
    base_url = url.removesuffix("/graphql")
    shots = take_screenshots(base_url, tmp_path / "screenshots", asset, timeout=60)
    graph, page = shots.files["graph"], shots.files["asset"]
    assert graph.name == "asset-graph.png"
    assert page.name == f"asset-{asset.replace('/', '-')}.png"
    for png in shots.files.values():
        width, height = _png_size(png)
        assert width >= 1000 and height >= 600, (png, width, height)
        assert png.stat().st_size > 20_000, png
    assert {"ingest", "lake", "warehouse", "reports"} <= set(shots.groups), shots.groups
    assert {"chart_entries", "duckdb", "launch_pictures"} <= set(shots.assets), shots.assets
    assert {"day", "pictures"} <= set(shots.metadata), shots.metadata
    assert shots.pictures and all(shots.pictures.values()), shots

    # The launch report the reports asset wrote for the headline product, whole.
    product, page = headline_launch_report(data_dir, REPO / "products.toml")
    assert (product, page.name, page.parent.name) == (
        "deepseek",
        "launch-deepseek.html",
        f"date={DAYS[-1]}",
    )
    report = screenshot_page(page, tmp_path / "screenshots" / "launch-report-deepseek.png")
    width, height = _png_size(report)
    assert width == screenshot.PAGE_VIEWPORT["width"] and height > 2000, (width, height)


def test_a_launch_report_file_is_screenshot_whole_without_the_ui(tmp_path, capsys):
    """The page's full height (past the window's), once its inline picture has loaded."""
    try:
        chromium_executable()
    except ScreenshotError as error:
        pytest.fail(str(error))
    # A 1x1 PNG, drawn 400 pixels tall, below 3,000 pixels of text.
    pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    page = tmp_path / "reports" / "date=2025-01-27" / "launch-deepseek.html"
    page.parent.mkdir(parents=True)
    page.write_text(
        "<!doctype html><html><body><div style='height:3000px'>DeepSeek's launch</div>"
        f"<img style='width:600px;height:400px' src='data:image/png;base64,{pixel}'>"
        "</body></html>"
    )
    older = tmp_path / "reports" / "date=2025-01-26" / "launch-deepseek.html"
    older.parent.mkdir(parents=True)
    older.write_text("<p>the day before</p>")
    products = REPO / "products.toml"

    # The headline product's page of the latest day.
    assert headline_launch_report(tmp_path, products) == ("deepseek", page)
    png = screenshot_page(page, tmp_path / "shots" / "launch-report-deepseek.png")
    width, height = _png_size(png)
    assert width == screenshot.PAGE_VIEWPORT["width"] and height >= 3400, (width, height)

    # The command: --page, no UI.
    assert screenshot.main(["--page", str(page), "--out", str(tmp_path / "cli")]) == 0
    assert (tmp_path / "cli" / "launch-deepseek.png").is_file()
    assert str(tmp_path / "cli" / "launch-deepseek.png") in capsys.readouterr().out

    with pytest.raises(ScreenshotError, match="materialize reports/launch_pictures"):
        headline_launch_report(tmp_path / "empty", products)
    with pytest.raises(ScreenshotError, match="no page at"):
        screenshot_page(tmp_path / "missing.html", tmp_path / "missing.png")

"""A team deployment on one machine, on loopback: PostgreSQL (Dagster's storage),
Redis (the Celery broker), an S3 server (moto: the archive, the lake, the reports and
the step logs), two Celery workers, the webserver and the daemon, configured by the
files of deploy/ exactly as docs/deploy.md says.

A backfill launched over GraphQL, as the UI's button launches one, must spread its
steps over both workers, put the archive and the lake in the bucket, and build the
warehouse a local run builds; a worker killed in the middle of a step must be
recovered by re-executing the backfill from failure. Every process started is stopped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import psutil
import pytest

from tests.conftest import REPO, failures, run_pipeline
from tests.graphql import LAUNCH_BACKFILL, REEXECUTE_BACKFILL, graphql
from tests.scaleout.servers import (
    Processes,
    free_port,
    log_tail,
    missing_servers,
    start_postgres,
    start_redis,
    start_s3,
    started,
    wait_until,
)
from warehouse.fingerprint import table_fingerprints

BUCKET = "chartwatch-team"
PREFIX = "team"
COUNTRIES = "us,gb,jp"
FIRST_DAYS = ["2025-01-20", "2025-01-21", "2025-01-22", "2025-01-23"]
LATER_DAYS = ["2025-01-24", "2025-01-25"]
BIN = Path(sys.executable).parent


@dataclass
class Cluster:
    url: str
    env: dict[str, str]
    processes: Processes
    root: Path

    def worker(self, name: str, queues: list[str], extra_env: dict[str, str] | None = None) -> None:
        argv = [str(BIN / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app"]
        argv += ["-n", name, "-y", str(REPO / "deploy" / "celery.yaml")]
        for queue in queues:
            argv += ["-q", queue]
        argv += ["--", "--concurrency=1", "--without-gossip", "--without-mingle"]
        self.processes.start(name, argv, env={**self.env, **(extra_env or {})}, cwd=REPO)
        wait_until(
            lambda: "ready." in self.processes.log(name).read_text(errors="replace"),
            f"the Celery worker {name}",
            self.processes.log(name),
            timeout=120,
        )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Cluster:
    missing = missing_servers()
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run `make scaleout-servers` (apt-get)")
    root = tmp_path_factory.mktemp("cluster")
    with started(root / "logs") as processes:
        postgres = start_postgres(processes)
        redis = start_redis(processes)
        endpoint = start_s3(processes, sys.executable, BUCKET)
        home = root / "dagster_home"
        home.mkdir()
        shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",  # celery, dagster
            "DAGSTER_HOME": str(home),
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(postgres.port),
            "DAGSTER_PG_USERNAME": postgres.user,
            "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_DB": postgres.database,
            "DAGSTER_CELERY_BROKER_URL": redis,
            "DAGSTER_CELERY_BACKEND_URL": redis,
            "DAGSTER_COMPUTE_LOGS_BUCKET": BUCKET,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "chartwatch",
            "AWS_SECRET_ACCESS_KEY": "chartwatch",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "CHARTWATCH_DATA_DIR": f"s3://{BUCKET}/{PREFIX}",
            "CHARTWATCH_WAREHOUSE": str(root / "warehouse" / "warehouse.duckdb"),
            "CHARTWATCH_EXECUTOR": "celery",
            "CHARTWATCH_BACKFILL_DAYS": "2",
            "CHARTWATCH_COUNTRIES": COUNTRIES,
            "CHARTWATCH_PRODUCTS": str(REPO / "products.toml"),
        }
        env.pop("CHARTWATCH_FAILPOINT", None)
        cluster = Cluster("", env, processes, root)
        cluster.worker("w1", ["dagster"])
        cluster.worker("w2", ["warehouse,dagster"])
        port = free_port()
        processes.start(
            "webserver",
            [
                str(BIN / "dagster-webserver"),
                "-w",
                "workspace.yaml",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            env=env,
            cwd=REPO,
        )
        processes.start(
            "daemon",
            [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
            env=env,
            cwd=REPO,
        )
        cluster.url = f"http://127.0.0.1:{port}/graphql"

        def loaded() -> bool:
            data = graphql(
                cluster.url,
                "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus"
                " locationOrLoadError { __typename ... on PythonError { message } } } } } }",
            )
            entries = data["workspaceOrError"]["locationEntries"]
            errors = [e["locationOrLoadError"] for e in entries]
            assert not any(e and e["__typename"] == "PythonError" for e in errors), errors
            return bool(entries) and all(e["loadStatus"] == "LOADED" for e in entries)

        wait_until(loaded, "the webserver", processes.log("webserver"), timeout=180)
        yield cluster
        pids = []
        for _, process in processes.started:
            pids.append(process.pid)
            with contextlib.suppress(psutil.NoSuchProcess):
                pids += [
                    child.pid for child in psutil.Process(process.pid).children(recursive=True)
                ]
    # Every process the suite started is gone, with what it started.
    survivors = [pid for pid in pids if _alive(pid)]
    assert not survivors, f"processes left running: {survivors}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


STATUS = """
query Status($id: String!) {
  partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill { status } }
  runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
    ... on Runs { results { runId status tags { key value } } }
  }
}
"""

LOGS = """
query Logs($runId: ID!) {
  logsForRun(runId: $runId) {
    ... on EventConnection {
      events {
        __typename
        ... on EngineEvent { stepKey message metadataEntries { label ... on TextMetadataEntry { text } } }
      }
    }
  }
}
"""

TERMINATE = """
mutation Terminate($runId: String!) {
  terminateRun(runId: $runId) { __typename ... on PythonError { message } }
}
"""


def _launch(cluster: Cluster, days: list[str]) -> str:
    nodes = graphql(cluster.url, "{ assetNodes { assetKey { path } isExecutable } }")["assetNodes"]
    keys = [node["assetKey"] for node in nodes if node["isExecutable"]]
    launched = graphql(
        cluster.url, LAUNCH_BACKFILL, {"params": {"partitionNames": days, "assetSelection": keys}}
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    return launched["backfillId"]


def _status(cluster: Cluster, backfill: str) -> tuple[str, list[dict]]:
    data = graphql(cluster.url, STATUS, {"id": backfill})
    return data["partitionBackfillOrError"]["status"], data["runsOrError"]["results"]


def _wait(cluster: Cluster, backfill: str, seconds: float = 300) -> tuple[str, list[dict]]:
    deadline = time.monotonic() + seconds
    while True:
        status, runs = _status(cluster, backfill)
        if status != "REQUESTED" and all(
            r["status"] not in ("QUEUED", "STARTING", "STARTED", "CANCELING") for r in runs
        ):
            return status, runs
        if time.monotonic() > deadline:
            logs = "\n".join(
                f"--- {name}\n{log_tail(cluster.processes.log(name), 1500)}"
                for name in ("daemon", "w1", "w2")
            )
            pytest.fail(f"backfill {backfill} still {status} after {seconds:.0f} s: {runs}\n{logs}")
        time.sleep(2)


def _days_of(run: dict) -> tuple[str, str]:
    """A run's first and last day ('' for a run of unpartitioned assets)."""
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    return (
        tags.get("dagster/asset_partition_range_start", ""),
        tags.get("dagster/asset_partition_range_end", ""),
    )


def _workers_of(cluster: Cluster, run_id: str) -> dict[str, str]:
    """Which Celery worker executed each step of a run (its engine events say)."""
    events = graphql(cluster.url, LOGS, {"runId": run_id})["logsForRun"]["events"]
    found = {}
    for event in events:
        for entry in event.get("metadataEntries") or []:
            if entry["label"] == "Celery worker":
                found[event["stepKey"]] = entry["text"].split("@")[0]
    return found


def _local_warehouse(tmp_path: Path, days: list[str]) -> Path:
    """The warehouse a local folder gives for the same days and storefronts."""
    first, last = dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[-1])
    result = run_pipeline(tmp_path / "local", first, last, COUNTRIES)
    assert result.success, failures(result)
    return tmp_path / "local" / "warehouse.duckdb"


def _bucket(cluster: Cluster):
    env = cluster.env
    return boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )


def _listed(cluster: Cluster, prefix: str) -> list[str]:
    pages = _bucket(cluster).get_paginator("list_objects_v2")
    return [
        item["Key"]
        for page in pages.paginate(Bucket=BUCKET, Prefix=prefix)
        for item in page.get("Contents", [])
    ]


def test_a_backfill_from_the_ui_spreads_over_two_workers_into_the_bucket(cluster, tmp_path):
    backfill = _launch(cluster, FIRST_DAYS)
    status, runs = _wait(cluster, backfill)

    assert status == "COMPLETED_SUCCESS", runs
    # CHARTWATCH_BACKFILL_DAYS=2: two runs of two days (and one of the reports, which
    # are not partitioned), their steps on both workers.
    assert all(r["status"] == "SUCCESS" for r in runs), runs
    assert sorted(_days_of(run) for run in runs) == [
        ("", ""),
        tuple(FIRST_DAYS[:2]),
        tuple(FIRST_DAYS[2:]),
    ]
    placed = {}
    for run in runs:
        placed.update(
            {f"{run['runId']}:{k}": w for k, w in _workers_of(cluster, run["runId"]).items()}
        )
    assert set(placed.values()) == {"w1", "w2"}, placed
    # The warehouse's steps only on the worker beside the warehouse file.
    assert {
        w
        for k, w in placed.items()
        if k.endswith(("warehouse__duckdb", "reports__launch_pictures"))
    } == {"w2"}

    keys = _listed(cluster, f"{PREFIX}/")
    for day in FIRST_DAYS:
        assert any(k.startswith(f"{PREFIX}/raw/apple_rss/date={day}/country=jp/") for k in keys)
        assert f"{PREFIX}/lake/chart_entries/date={day}/country=jp/part-0.parquet" in keys
    assert _listed(cluster, "dagster-compute-logs/")  # step logs, whichever worker ran them

    warehouse = Path(cluster.env["CHARTWATCH_WAREHOUSE"])
    assert table_fingerprints(warehouse) == table_fingerprints(
        _local_warehouse(tmp_path, FIRST_DAYS)
    )


def test_a_worker_killed_mid_step_is_recovered_by_re_executing_from_failure(cluster, tmp_path):
    processes = cluster.processes
    for name in ("w1", "w2"):
        processes.stop(name)
    # A worker that stops in the middle of its first lake step (before the step writes
    # anything), so the test can kill it there.
    marker = cluster.root / "w3-paused"
    cluster.worker(
        "w3",
        ["warehouse,dagster"],
        {"CHARTWATCH_FAILPOINT": "lake.before_rename", "CHARTWATCH_FAILPOINT_MARKER": str(marker)},
    )
    backfill = _launch(cluster, LATER_DAYS)
    wait_until(marker.exists, "a lake step on w3", processes.log("w3"), timeout=300)
    processes.stop("w3", signal.SIGKILL)  # the worker dies mid-step, with its task

    # Nothing answers for the lost task: the operator stops the run (the UI's Terminate).
    _, runs = _status(cluster, backfill)
    for run in runs:
        if run["status"] in ("STARTED", "STARTING", "QUEUED"):
            done = graphql(cluster.url, TERMINATE, {"runId": run["runId"]})["terminateRun"]
            assert done["__typename"] == "TerminateRunSuccess", done
    status, runs = _wait(cluster, backfill)
    assert status != "COMPLETED_SUCCESS" and any(r["status"] != "SUCCESS" for r in runs), runs

    # A healthy worker, then "Re-execute from failure" on the backfill's page.
    cluster.worker("w4", ["warehouse,dagster"])
    retried = graphql(
        cluster.url,
        REEXECUTE_BACKFILL,
        {"params": {"parentRunId": backfill, "strategy": "FROM_FAILURE"}},
    )["reexecutePartitionBackfill"]
    assert retried["__typename"] == "LaunchBackfillSuccess", retried
    status, runs = _wait(cluster, retried["backfillId"])
    assert status == "COMPLETED_SUCCESS", runs

    days = FIRST_DAYS + LATER_DAYS
    warehouse = Path(cluster.env["CHARTWATCH_WAREHOUSE"])
    assert table_fingerprints(warehouse) == table_fingerprints(_local_warehouse(tmp_path, days))

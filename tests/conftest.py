"""Shared fixtures: the sample market and pipeline runs through Dagster into
temporary data directories."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.resources import ChartwatchConfig
from assets.storage import replace_partitions
from pipelines.cli import materialize
from pipelines.definitions import build_definitions

REPO = Path(__file__).resolve().parents[1]
warnings.filterwarnings("ignore", category=dg.BetaWarning)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--faults",
        action="store_true",
        help="run the fault suite in tests/faults (make faults); make test leaves it out",
    )
    parser.addoption(
        "--scaleout",
        action="store_true",
        help="run the scale-out suite in tests/scaleout (make scaleout-test); make test"
        " leaves it out",
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    for suite in ("faults", "scaleout"):
        if collection_path.name == suite and not config.getoption(f"--{suite}"):
            return True
    return None


def run_pipeline(
    data_dir: Path | str,
    start: dt.date,
    end: dt.date,
    countries: str = "",
    warehouse: str = "",
) -> dg.ExecuteInProcessResult:
    config = ChartwatchConfig(
        data_dir=str(data_dir),
        countries=countries,
        products_file=str(REPO / "products.toml"),
        warehouse=warehouse,
    )
    with dg.DagsterInstance.ephemeral() as instance:
        return materialize(start, end, instance=instance, definitions=build_definitions(config))


def failures(result: dg.ExecuteInProcessResult) -> str:
    """What each failed step raised, for an assertion message: a fixture's failure in
    CI is otherwise only "did not materialise"."""
    return "\n".join(
        f"{event.step_key}: {event.step_failure_data.error.to_string()}"
        for event in result.get_step_failure_events()
        if event.step_failure_data.error is not None
    )


def write_lake(lake: Path, dataset: str, frame: pl.DataFrame) -> None:
    """Write a hand-made frame as the lake does: one partition per date and country."""
    replace_partitions(lake / dataset, frame, dates=[], countries=[], sort_by=[])


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """pytest-httpserver's one server of the session listens on 127.0.0.1: the HTTP
    client's per-host settings in tests/test_http.py are keyed by that host, whichever
    module starts the server first."""
    return ("127.0.0.1", 0)


@pytest.fixture(scope="session")
def s3_server():
    """An S3 server (moto) on 127.0.0.1 for the session, and the standard AWS variables
    pointing at it (as a user sets them for MinIO or any S3-compatible store)."""
    import logging
    import os

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    variables = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "chartwatch-test",
        "AWS_SECRET_ACCESS_KEY": "chartwatch-test",
        "AWS_REGION": "us-east-1",
    }
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    yield f"http://{host}:{port}"
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    server.stop()


@pytest.fixture
def s3_bucket(s3_server, request) -> str:
    """A new, empty bucket of the session's S3 server: its s3:// URI."""
    import re

    import boto3

    name = re.sub(r"[^a-z0-9-]", "-", request.node.name.lower())[:40].strip("-")
    bucket = f"cw-{name}-{len(_BUCKETS)}"
    _BUCKETS.append(bucket)
    boto3.client("s3").create_bucket(Bucket=bucket)
    return f"s3://{bucket}"


_BUCKETS: list[str] = []


@pytest.fixture(scope="session")
def sample_window(tmp_path_factory) -> Path:
    """The whole sample window materialised once, through Dagster, for every storefront."""
    from assets.sample_market.calibration import WINDOW_END, WINDOW_START

    data_dir = tmp_path_factory.mktemp("sample-window")
    result = run_pipeline(data_dir, WINDOW_START, WINDOW_END)
    assert result.success, f"the sample window did not materialise:\n{failures(result)}"
    return data_dir


@pytest.fixture(scope="session")
def short_window(tmp_path_factory) -> Path:
    """Three days for three countries."""
    data_dir = tmp_path_factory.mktemp("short-window")
    result = run_pipeline(
        data_dir, dt.date(2025, 1, 25), dt.date(2025, 1, 27), countries="us,gb,eg"
    )
    assert result.success, failures(result)
    return data_dir

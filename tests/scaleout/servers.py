"""The servers of a team deployment, started on 127.0.0.1 for the scale-out suite:
PostgreSQL, Redis and an S3 server (moto), and any other process the suite starts.

Every process runs in its own process group (a new session) and is stopped by its
group id, SIGTERM then SIGKILL; its descendants are collected first, because the
``dagster api grpc`` code servers a webserver or daemon spawns can leave its group.
A process that fails to come up raises with the tail of its log.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.is_file() else "(no log)"


@dataclass
class Processes:
    """The processes a suite started, stopped together (``stop_all``), newest first."""

    logs: Path
    started: list[tuple[str, subprocess.Popen]] = field(default_factory=list)
    cleanups: list[Callable[[], object]] = field(default_factory=list)

    def start(
        self, name: str, argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self.started.append((name, process))
        return process

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def stop(self, name: str, sig: int = signal.SIGTERM, wait: float = 20.0) -> None:
        """Stop one process and everything it started."""
        for label, process in self.started:
            if label == name:
                _stop_group(process, sig, wait)

    def stop_all(self) -> None:
        for _, process in reversed(self.started):
            _stop_group(process, signal.SIGTERM, 20.0)
        for cleanup in self.cleanups:
            cleanup()

    def alive(self) -> list[str]:
        """The started processes (and their descendants) still running."""
        found = []
        for name, process in self.started:
            with contextlib.suppress(psutil.NoSuchProcess):
                if process.poll() is None:
                    found.append(name)
        return found


def _stop_group(process: subprocess.Popen, sig: int, wait: float) -> None:
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
    for child in descendants:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.send_signal(sig)
    deadline = time.monotonic() + wait
    everyone = (
        [psutil.Process(process.pid), *descendants] if process.poll() is None else descendants
    )
    _, still = psutil.wait_procs(everyone, timeout=max(0.0, deadline - time.monotonic()))
    for straggler in still:
        with contextlib.suppress(psutil.NoSuchProcess):
            straggler.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def wait_until(ready: Callable[[], bool], what: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not come up in {timeout:.0f} s; its log ends:\n{log_tail(log)}")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- the servers ------------------------------------------------------------------


def missing_servers() -> list[str]:
    """The Debian packages the suite needs and this machine lacks."""
    missing = []
    if not postgres_bin():
        missing.append("postgresql")
    if not shutil.which("redis-server"):
        missing.append("redis-server")
    return missing


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@dataclass(frozen=True)
class Postgres:
    port: int
    user: str = "postgres"
    database: str = "dagster"

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.database}"


def start_postgres(processes: Processes) -> Postgres:
    """A PostgreSQL cluster in a new folder of /tmp (deleted by ``stop_all``), trust auth
    on 127.0.0.1 only, fsync off. initdb refuses to run as root: as root, the cluster
    belongs to the postgres user (so its folder is not under a private test folder)."""
    bin_dir = postgres_bin()
    assert bin_dir, "PostgreSQL is not installed (apt-get install -y postgresql)"
    root = Path(tempfile.mkdtemp(prefix="chartwatch-pg-"))
    processes.cleanups.append(lambda: shutil.rmtree(root, ignore_errors=True))
    data = root / "pgdata"
    data.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        root.chmod(0o755)
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    init = subprocess.run(
        [
            *as_user,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
        ],
        capture_output=True,
        text=True,
    )
    if init.returncode:
        raise RuntimeError(f"initdb failed: {init.stdout[-2000:]}{init.stderr[-2000:]}")
    port = free_port()
    processes.start(
        "postgres",
        [
            *as_user,
            str(bin_dir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(data),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
        ],
    )
    server = Postgres(port)
    wait_until(
        lambda: (
            subprocess.run(
                [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                capture_output=True,
            ).returncode
            == 0
        ),
        "PostgreSQL",
        processes.log("postgres"),
    )
    subprocess.run(
        [
            str(bin_dir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            server.database,
        ],
        check=True,
        capture_output=True,
    )
    return server


def start_redis(processes: Processes) -> str:
    port = free_port()
    processes.start(
        "redis",
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
    )
    wait_until(lambda: _port_open(port), "Redis", processes.log("redis"))
    return f"redis://127.0.0.1:{port}/0"


def start_s3(processes: Processes, python: str, bucket: str) -> str:
    """moto's S3 server and a bucket; its endpoint URL."""
    port = free_port()
    moto = str(Path(python).parent / "moto_server")
    processes.start("s3", [moto, "-H", "127.0.0.1", "-p", str(port)])
    endpoint = f"http://127.0.0.1:{port}"
    wait_until(lambda: _port_open(port), "the S3 server (moto)", processes.log("s3"))
    import boto3

    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="chartwatch",
        aws_secret_access_key="chartwatch",
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)
    return endpoint


@contextlib.contextmanager
def started(logs: Path) -> Iterator[Processes]:
    """Processes stopped however the block ends."""
    processes = Processes(logs)
    try:
        yield processes
    finally:
        processes.stop_all()

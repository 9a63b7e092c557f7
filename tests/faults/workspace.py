"""A Chartwatch installation for the fault suite: a data folder and a Dagster instance
of its own, driven the way an operator drives it (``make backfill`` in a process
group of its own, so a SIGKILL of the group kills the run as an OOM kill or a reboot
would), and the fingerprints a run leaves (raw bytes, lake rows, warehouse tables).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import psutil

REPO = Path(__file__).resolve().parents[2]
START, END = "2025-01-20", "2025-01-23"
COUNTRIES = "us,gb,eg"


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Started:
    """A command running in a process group of its own."""

    def __init__(self, process: subprocess.Popen, marker: Path | None, began: float) -> None:
        self.process = process
        self.marker = marker
        self.began = began

    def wait_for_failpoint(self, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        while not (self.marker and self.marker.exists()):
            if self.process.poll() is not None:
                out, err = self.process.communicate()
                raise AssertionError(f"the run ended before its failpoint:\n{out}\n{err}")
            assert time.monotonic() < deadline, "the failpoint was never reached"
            time.sleep(0.05)
        return self.marker.read_text()

    def wait_for_output(self, text: str, log: Path, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while text not in log.read_text(errors="replace"):
            assert self.process.poll() is None, f"ended before saying {text!r}"
            assert time.monotonic() < deadline, f"never said {text!r}"
            time.sleep(0.1)

    def kill_group(self) -> None:
        """SIGKILL the command's process group (make and the command line), as an OOM
        kill or a reboot would; the run dies with the command line. Returns once every
        process of the command is gone (their file locks with them)."""
        processes = psutil.Process(self.process.pid).children(recursive=True)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        _, alive = psutil.wait_procs(processes, timeout=30)
        assert not alive, f"still alive after the kill: {alive}"

    def finish(self, timeout: float = 600) -> Finished:
        out, err = self.process.communicate(timeout=timeout)
        return Finished(self.process.returncode, out, err, time.monotonic() - self.began)


class Workspace:
    def __init__(self, root: Path, data: Path | None = None) -> None:
        self.root = root
        self.data = data or root / "data"
        self.home = root / "dagster_home"
        self.home.mkdir(parents=True, exist_ok=True)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHARTWATCH_")}
        for name in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS"):
            env.pop(name, None)
        env.update(
            {
                "CHARTWATCH_DATA_DIR": str(self.data),
                "CHARTWATCH_COUNTRIES": COUNTRIES,
                "DAGSTER_HOME": str(self.home),
                **extra,
            }
        )
        return env

    def start(
        self, target: str, *variables: str, failpoint: str | None = None, log: Path | None = None,
        **env: str,
    ) -> Started:  # fmt: skip
        marker = None
        if failpoint:
            marker = self.root / f"failpoint-{time.monotonic_ns()}"
            env = {
                **env,
                "CHARTWATCH_FAILPOINT": failpoint,
                "CHARTWATCH_FAILPOINT_MARKER": str(marker),
            }
        out = log.open("w") if log else subprocess.PIPE
        process = subprocess.Popen(
            ["make", "-s", "--no-print-directory", "-C", str(REPO), target, *variables],
            env=self.env(**env),
            stdout=out,
            stderr=subprocess.STDOUT if log else subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        return Started(process, marker, time.monotonic())

    def make(self, target: str, *variables: str, timeout: float = 600, **env: str) -> Finished:
        return self.start(target, *variables, **env).finish(timeout)

    def backfill(self, *variables: str, **env: str) -> Finished:
        return self.make("backfill", f"START={START}", f"END={END}", *variables, **env)

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.home))

    def runs(self) -> list[dg.DagsterRun]:
        with self.instance() as instance:
            return list(instance.get_runs())

    def pool_holders(self) -> set[str]:
        """The runs holding a slot of the duckdb pool or waiting for one."""
        with self.instance() as instance:
            info = instance.event_log_storage.get_concurrency_info("duckdb")
            return {slot.run_id for slot in info.claimed_slots} | {
                step.run_id for step in info.pending_steps
            }

    def clear(self) -> None:
        """Empty the data folder and the instance (a mount point itself stays)."""
        for folder in (self.data, self.home):
            if folder.is_dir():
                for entry in folder.iterdir():
                    if entry.is_dir():
                        shutil.rmtree(entry)
                    else:
                        entry.unlink()


def _digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()[:16]


def raw_files(data: Path) -> dict[str, str]:
    """Every visible file of the raw archive and the hash of its bytes."""
    return {
        path.relative_to(data).as_posix(): _digest(path.read_bytes())
        for path in sorted((data / "raw").rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def lake_files(data: Path) -> dict[str, str]:
    """Every visible lake file and the hash of its rows (it must read whole)."""
    return {
        path.relative_to(data).as_posix(): _rows_digest(pl.read_parquet(path))
        for path in sorted((data / "lake").rglob("*.parquet"))
        if not path.name.startswith(".")
    }


def _rows_digest(frame: pl.DataFrame) -> str:
    return _digest(frame.sort(frame.columns, nulls_last=True).write_csv())


def lake_rows(data: Path) -> dict[str, str]:
    """Each lake dataset's rows (sorted), hashed."""
    found = {}
    for dataset in sorted(p for p in (data / "lake").iterdir() if p.is_dir()):
        files = sorted(dataset.glob("date=*/country=*/*.parquet"))
        frame = pl.read_parquet(files, hive_partitioning=False)
        found[dataset.name] = _rows_digest(frame)
    return found


def warehouse_tables(data: Path) -> dict[str, str]:
    """Each warehouse table's rows (sorted), hashed."""
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1"
            ).fetchall()
        ]
        return {name: _rows_digest(con.sql(f"FROM {name}").pl()) for name in tables}


def leftovers(data: Path) -> list[str]:
    """Files an interrupted write left behind: temporary files, aside builds, logs."""
    return sorted(
        path.relative_to(data).as_posix()
        for path in data.rglob("*")
        if path.is_file() and (path.name.startswith(".") or path.suffix in (".tmp", ".wal"))
    )


def fingerprints(data: Path) -> dict[str, object]:
    return {
        "raw": raw_files(data),
        "lake": lake_rows(data),
        "warehouse": warehouse_tables(data),
        "leftovers": leftovers(data),
    }


def differences(got: dict, want: dict) -> list[str]:
    """What differs between two fingerprints, for an assertion message."""
    found = []
    for part in want:
        if got[part] == want[part]:
            continue
        if isinstance(want[part], dict):
            keys = sorted(set(got[part]) | set(want[part]))
            diff = [k for k in keys if got[part].get(k) != want[part].get(k)]
            found.append(f"{part}: {len(diff)} differ, e.g. {diff[:5]}")
        else:
            found.append(f"{part}: {got[part]!r} (want {want[part]!r})")
    return found

"""The run launcher of the shipped Dagster instance (``pipelines/dagster.yaml``).

Dagster's default launcher, plus what run monitoring needs and the default lacks: a
way to tell whether a run's process is still alive. With it, the daemon (``make
ui``) marks a run whose process died as failed, and then frees the pool slots it
held, so a crashed run never blocks the ``duckdb`` pool. How a run's process is
found is in ``pipelines/runs.py``.
"""

from __future__ import annotations

from dagster import DefaultRunLauncher
from dagster._core.launcher.base import CheckRunHealthResult, WorkerStatus

from pipelines.runs import run_worker


class ChartwatchRunLauncher(DefaultRunLauncher):
    """DefaultRunLauncher whose runs' health run monitoring can check."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run) -> CheckRunHealthResult:
        worker = run_worker(self._instance, run)
        if worker.status == "dead":
            return CheckRunHealthResult(WorkerStatus.FAILED, f"its {worker.detail} is gone")
        # Alive, or unknown (another host, nothing recorded): never fail a run on a guess.
        return CheckRunHealthResult(WorkerStatus.RUNNING, worker.detail)

"""How a run's steps execute: ``CHARTWATCH_EXECUTOR`` picks the executor of the code
location (``pipelines/definitions.py``).

- ``in_process`` (the default): every step in the run's own process. Each step is
  already multi-threaded (Polars, DuckDB), and the steps share the simulated sample
  market instead of building it once per process.
- ``multiprocess``: a process per step, on the run's machine.
- ``celery``: each step is a task on a Celery broker, executed by whichever
  ``dagster-celery`` worker takes it (``deploy/celery.yaml``, docs/deploy.md). The
  steps that open the DuckDB warehouse (the ``duckdb`` pool) carry the
  ``warehouse`` queue, so one worker, the one beside the warehouse file, runs them.

The broker and result backend URLs may hold a password, so the executor's config
names the environment variables (``DAGSTER_CELERY_BROKER_URL``,
``DAGSTER_CELERY_BACKEND_URL``), which Dagster reads as the run starts: the URLs
never appear in the run's config or in the UI. The Celery workers read the same
variables (``deploy/celery.yaml``).

``make demo`` and ``make backfill`` execute in their own process whatever this says;
it applies to runs launched from the UI, by a schedule or by the daemon.
"""

from __future__ import annotations

import dagster as dg

from warehouse.errors import InvalidSetting

BROKER_URL_VARIABLE = "DAGSTER_CELERY_BROKER_URL"
BACKEND_URL_VARIABLE = "DAGSTER_CELERY_BACKEND_URL"


def executor_for(name: str) -> dg.ExecutorDefinition:
    """The executor that ``CHARTWATCH_EXECUTOR=name`` stands for (a name the resource's
    check has accepted)."""
    if name == "celery":
        return _celery_executor()
    return {"in_process": dg.in_process_executor, "multiprocess": dg.multiprocess_executor}[name]


def _celery_executor() -> dg.ExecutorDefinition:
    try:
        from dagster_celery import celery_executor
    except ImportError as error:
        raise InvalidSetting(
            "CHARTWATCH_EXECUTOR=celery needs dagster-celery, which the `deploy` extra"
            " installs: `uv sync --extra deploy` (make install does), or"
            " `pip install 'chartwatch[deploy]'`"
        ) from error
    return celery_executor.configured(
        {
            "broker": {"env": BROKER_URL_VARIABLE},
            "backend": {"env": BACKEND_URL_VARIABLE},
        },
        name="celery",
    )

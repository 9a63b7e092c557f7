"""The console logger of Chartwatch's runs (replacing Dagster's ``console`` logger).

One line per message: the time, the level, the step and the message. A step that
fails with an error Chartwatch raised on purpose (a bad raw file, a busy warehouse,
a full disk: ``warehouse.errors.ChartwatchError``) prints its message and root cause,
not a traceback: the traceback says nothing the user can act on. An unexpected error
keeps its full traceback, which is what a bug report needs. The UI's run logs are
not affected: they come from the run's event log.
"""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg
from dagster._core.events import DagsterEventType

from pipelines.errors import explain, is_expected


class ConsoleFormat(logging.Formatter):
    """``HH:MM:SS LEVEL step: message`` from the metadata Dagster attaches to a record."""

    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None)
        if not meta:
            return super().format(record)
        when = time.strftime("%H:%M:%S", time.localtime(record.created))
        where = meta.get("step_key") or meta.get("job_name") or "run"
        event = meta.get("dagster_event")
        message = meta.get("orig_message") or record.getMessage()
        error = _error_of(event)
        if error is not None:
            if is_expected(error):
                message = f"{message} {explain(error)}"
            else:
                message = f"{message}\n{error.to_string()}"
        return f"{when} {record.levelname:<7} {where}: {message}"


def _error_of(event):
    """The error a step's failure event carries, if any."""
    if event is None:
        return None
    if event.event_type == DagsterEventType.STEP_FAILURE:
        return event.step_failure_data.error
    # A run's failure repeats its failed step's error: the step's line has said it.
    return None


@dg.logger(
    config_schema={
        "log_level": dg.Field(str, is_required=False, default_value="INFO"),
        "name": dg.Field(str, is_required=False, default_value="chartwatch"),
    },
    description="Chartwatch's console: one line per message, no traceback for an expected"
    " failure (pipelines/logs.py).",
)
def console(init_context: dg.InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config
    logger = logging.Logger(config["name"], level=config["log_level"].upper())
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ConsoleFormat())
    logger.addHandler(handler)
    return logger

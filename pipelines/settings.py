"""Every Chartwatch setting the environment can give, read here and nowhere else.

``from_environment()`` returns the settings that are set, typed and checked, by the
name of the ``ChartwatchConfig`` field they fill (``assets/resources.py``, where the
defaults and descriptions live and which the Dagster UI shows); a variable that is
not set leaves its field's default. ``pipelines/resources.py`` builds the resource
from it, once per process, and everything else is handed that resource.

Standard library only: ``pipelines/home.py`` (``make clean``) uses it before
anything is installed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from warehouse.errors import InvalidSetting


@dataclass(frozen=True)
class Setting:
    variable: str
    field: str
    kind: type = str
    minimum: float | None = None  # for numbers: the smallest value allowed
    expected: str = ""  # for numbers and booleans: what is allowed, for the error
    secret: bool = False  # never shown: the UI shows the variable's name instead


SETTINGS: tuple[Setting, ...] = (
    Setting("CHARTWATCH_SOURCE", "source"),
    Setting("CHARTWATCH_FIRST_DAY", "first_day"),
    Setting("CHARTWATCH_COUNTRIES", "countries"),
    Setting("CHARTWATCH_DATA_DIR", "data_dir"),
    Setting("CHARTWATCH_WAREHOUSE", "warehouse"),
    Setting("CHARTWATCH_PRODUCTS", "products_file"),
    Setting("CHARTWATCH_DAY_WORKERS", "day_workers", int, 1, "a whole number >= 1"),
    Setting("CHARTWATCH_BACKFILL_DAYS", "backfill_days", int, 0, "a whole number >= 0"),
    Setting("CHARTWATCH_APPLE_RSS_URL", "apple_rss_url"),
    Setting("CHARTWATCH_ITUNES_URL", "itunes_url"),
    Setting("CHARTWATCH_WIKIMEDIA_URL", "wikimedia_url"),
    Setting("CHARTWATCH_APPFIGURES_URL", "appfigures_url"),
    Setting("APPFIGURES_TOKEN", "appfigures_token", secret=True),
    Setting("CHARTWATCH_CONTACT", "contact"),
    Setting("CHARTWATCH_LEGACY_FEEDS", "legacy_feeds"),
    Setting("CHARTWATCH_GENRES", "genres"),
    Setting("CHARTWATCH_DEEP_CHARTS", "deep_charts", bool, expected="true or false (1 or 0)"),
    Setting("CHARTWATCH_HTTP_TIMEOUT", "http_timeout", float, 1e-9, "a number of seconds > 0"),
    Setting("CHARTWATCH_HTTP_RETRIES", "http_retries", int, 0, "a whole number >= 0"),
    Setting("CHARTWATCH_WAREHOUSE_WAIT", "warehouse_wait", float, 0, "a number of seconds >= 0"),
    Setting("CHARTWATCH_DUCKDB_MEMORY", "duckdb_memory"),
    Setting("CHARTWATCH_ESTIMATES", "estimates"),
    Setting("CHARTWATCH_PANEL", "panel"),
    Setting("CHARTWATCH_EXECUTOR", "executor"),
)


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """The settings the environment sets, by field, typed; InvalidSetting names a bad one."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.variable)
        if raw is None or (setting.kind is not str and not raw.strip()):
            continue
        values[setting.field] = _typed(setting, raw)
    return values


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _typed(setting: Setting, raw: str) -> object:
    if setting.kind is str:
        return raw
    if setting.kind is bool:
        word = raw.strip().lower()
        if word not in _TRUE + _FALSE:
            raise InvalidSetting(
                f"{setting.variable}={raw!r} is not {setting.expected}; fix it, or unset it"
                " for the default"
            )
        return word in _TRUE
    try:
        value = setting.kind(raw.strip())
    except ValueError:
        value = None
    if value is None or not setting.minimum <= value < float("inf"):
        raise InvalidSetting(
            f"{setting.variable}={raw!r} is not {setting.expected}; fix it, or unset it for"
            " the default"
        )
    return value

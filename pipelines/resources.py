"""The one Chartwatch resource of a process, from the environment
(``pipelines/settings.py`` reads it). The UI and the command line run with the same
configuration: the UI's resource page shows every value in force, and a secret
(``APPFIGURES_TOKEN``) as the name of the variable it comes from, never its value."""

from __future__ import annotations

import dagster as dg

from assets.resources import ChartwatchConfig
from pipelines.settings import SETTINGS, from_environment


def chartwatch_from_env() -> ChartwatchConfig:
    values: dict[str, object] = from_environment()
    for setting in SETTINGS:
        if setting.secret and setting.field in values:
            values[setting.field] = dg.EnvVar(setting.variable)
    return ChartwatchConfig(**values)

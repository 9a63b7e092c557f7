"""The Makefile's housekeeping of DAGSTER_HOME and the data folder (standard library
only, so it runs before anything is installed).

    python -m pipelines.home instance   # give $DAGSTER_HOME the shipped dagster.yaml
    python -m pipelines.home clean      # delete the data folder and the default instance

``instance``: a DAGSTER_HOME without a dagster.yaml gets the shipped one
(``pipelines/dagster.yaml``); the Makefile's own ``.dagster_home`` is kept in step
with it; a dagster.yaml of yours (DAGSTER_HOME set by you) is never overwritten.

``clean``: deletes ``$CHARTWATCH_DATA_DIR`` only when it holds nothing but what
Chartwatch writes there, and the Dagster instance only when it is the Makefile's
own ``.dagster_home``: a typo or a shared folder is refused, not emptied.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from pipelines.settings import from_environment

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "pipelines" / "dagster.yaml"
DEFAULT_HOME = REPO / ".dagster_home"
# What Chartwatch writes in its data folder (anything else there is not ours).
DATA_ENTRIES = {"raw", "lake", "quarantine", "reports", "bench", "backtest"}
DATA_PREFIXES = ("warehouse.duckdb", ".warehouse.duckdb")


def _home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or DEFAULT_HOME).expanduser().absolute()


def instance() -> int:
    home = _home()
    target = home / "dagster.yaml"
    shipped = SHIPPED.read_text(encoding="utf-8")
    if target.is_file():
        current = target.read_text(encoding="utf-8")
        if current == shipped:
            return 0
        if home != DEFAULT_HOME.absolute():
            if "run_monitoring" not in current:
                print(
                    f"note: {target} is yours and is left as it is; it has no run_monitoring"
                    f" section: see {SHIPPED} for the one Chartwatch ships (dead runs are"
                    " failed and their pool slots freed)",
                    file=sys.stderr,
                )
            return 0
    home.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".dagster.yaml.{os.getpid()}.tmp")  # two makes at once
    tmp.write_text(shipped, encoding="utf-8")
    os.replace(tmp, target)
    print(f"{target}: the shipped Dagster instance settings ({SHIPPED.relative_to(REPO)})")
    return 0


def clean() -> int:
    # The resource's default data folder (assets/resources.py), which needs what is not
    # installed yet to import.
    named = str(from_environment().get("data_dir") or "data")
    if "://" in named:
        print(
            f"left CHARTWATCH_DATA_DIR={named} alone: make clean deletes local folders only;"
            " delete an object store's archive and lake with its own tools if you mean to"
            " (e.g. aws s3 rm --recursive)"
        )
        # The warehouses of s3:// data folders (assets/resources.py): Chartwatch's own.
        warehouses = Path(".chartwatch").absolute()
        if warehouses.is_dir():
            shutil.rmtree(warehouses)
            print(f"deleted {warehouses}")
        return _clean_home()
    data = Path(named).expanduser().absolute()
    refused = [Path("/"), Path.home(), REPO, *REPO.parents]
    if data in refused:
        print(
            f"refusing to delete {data}: CHARTWATCH_DATA_DIR names a folder that is not a"
            " data folder",
            file=sys.stderr,
        )
        return 2
    if data.is_dir():
        strangers = sorted(
            entry.name
            for entry in data.iterdir()
            if entry.name not in DATA_ENTRIES and not entry.name.startswith(DATA_PREFIXES)
        )
        if strangers:
            print(
                f"refusing to delete {data}: it holds {', '.join(strangers[:5])}"
                f"{' ...' if len(strangers) > 5 else ''}, which Chartwatch did not write."
                " Delete it yourself if you mean to.",
                file=sys.stderr,
            )
            return 2
        shutil.rmtree(data)
        print(f"deleted {data}")
    return _clean_home()


def _clean_home() -> int:
    home = _home()
    if home == DEFAULT_HOME.absolute():
        if home.is_dir():
            shutil.rmtree(home)
            print(f"deleted {home}")
    elif home.is_dir():
        print(
            f"left DAGSTER_HOME={home} alone (it is yours); delete it yourself to forget its runs"
        )
    return 0


if __name__ == "__main__":
    commands = {"instance": instance, "clean": clean}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(f"usage: python -m pipelines.home {{{','.join(commands)}}}", file=sys.stderr)
        sys.exit(2)
    sys.exit(commands[sys.argv[1]]())

"""The errors Chartwatch raises on purpose, and the one every layer shares for a full disk.

Every error a person is meant to read (a bad raw file, a busy warehouse, a full
disk, an invalid setting) is a ``ChartwatchError``: its message says what failed,
where, and what to do. The command line shows such a message first and without a
traceback (``pipelines/errors.py``); any other exception is a bug and keeps its
traceback. This module sits in the bottom layer (``warehouse``) because the raw
archive, the lake and the warehouse all write files.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from warehouse.units import human_bytes


class ChartwatchError(Exception):
    """An expected failure, with a message that says what failed, where and what to do."""


class InvalidSetting(ChartwatchError, ValueError):
    """A value a person gave (an environment variable, an option, a file of settings)
    that cannot be used; the message names it and says what is allowed."""


class WarehouseBuildError(ChartwatchError, RuntimeError):
    """A build that failed; the warehouse was left as it was before the build."""


class DiskFull(ChartwatchError, OSError):
    """A write that found no space left on its device."""

    def __init__(self, path: Path | str, needed: int | None = None, what: str = "") -> None:
        self.path = Path(path)
        self.needed = needed
        self.free = free_bytes(self.path)
        doing = f" while writing {what}" if what else ""
        need = f"; it needed about {human_bytes(needed)}" if needed else ""
        free = f" ({human_bytes(self.free)} free there now)" if self.free is not None else ""
        super().__init__(
            errno.ENOSPC,
            f"no space left on the device of {self.path}{doing}{free}{need}. Nothing half-written was"
            " kept: free some space (or point CHARTWATCH_DATA_DIR at a larger disk), then run"
            " the same command again; it carries on from what is already written",
        )

    def __str__(self) -> str:
        return self.strerror


def is_disk_full(error: BaseException) -> bool:
    """Whether an error (an OSError, or a Polars or DuckDB error wrapping one) is ENOSPC."""
    for link in _chain(error):
        if isinstance(link, OSError) and link.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "no space left on device" in str(link).lower():
            return True
    return False


def _chain(error: BaseException):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def free_bytes(path: Path) -> int | None:
    """Free space on the device of ``path`` (or of its nearest existing parent)."""
    for folder in (path, *path.parents):
        try:
            return shutil.disk_usage(folder).free
        except OSError:
            continue
    return None

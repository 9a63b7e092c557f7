"""Named moments where the fault suite (``make faults``) stops Chartwatch, to prove
what a crash at that moment leaves behind.

Each ``failpoint(name)`` call marks a moment: a raw response written to its
temporary file but not yet renamed, a lake day staged but not renamed, the
warehouse mid-build, the warehouse just before COMMIT. Unless the environment
names it, a failpoint does nothing (one dictionary lookup). With

    CHARTWATCH_FAILPOINT=<name>[@<n>]        (n: the n-th passage, default 1)

the process, on reaching that passage, writes the file named by
``CHARTWATCH_FAILPOINT_MARKER`` (if set) and then, by ``CHARTWATCH_FAILPOINT_ACTION``:
``pause`` (the default) waits for the test to kill it, so the test can first look
at what readers see, or carries on once the file ``CHARTWATCH_FAILPOINT_RESUME``
appears (the test changed the world meanwhile: filled the disk); ``kill`` sends
SIGKILL to its own process group at once.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

# Every failpoint in the code, with the moment it marks (docs/reliability.md).
FAILPOINTS = {
    "raw.before_rename": "a raw response is in its temporary file, not yet renamed into the archive",
    "lake.before_rename": "a lake day is written to temporary files, none renamed into place yet",
    "warehouse.build": "the warehouse transaction has loaded the base tables, derived none yet",
    "warehouse.before_commit": "every model has run, the transaction is not yet committed",
}

_passages: dict[str, int] = {}
_lock = threading.Lock()


def failpoint(name: str) -> None:
    """Stop here if the environment asks for this moment (see the module docstring)."""
    wanted = os.environ.get("CHARTWATCH_FAILPOINT")
    if not wanted:
        return
    target, _, nth = wanted.partition("@")
    if target != name:
        return
    if name not in FAILPOINTS:
        raise ValueError(f"unknown failpoint {name!r}; known: {', '.join(FAILPOINTS)}")
    with _lock:
        _passages[name] = _passages.get(name, 0) + 1
        if _passages[name] != int(nth or 1):
            return
        marker = os.environ.get("CHARTWATCH_FAILPOINT_MARKER")
        if marker:
            Path(marker).write_text(f"{name} {os.getpid()}\n")
        if os.environ.get("CHARTWATCH_FAILPOINT_ACTION", "pause") == "kill":
            os.killpg(os.getpgrp(), signal.SIGKILL)
        # Hold the lock: no other thread of the process gets past a failpoint either.
        resume = os.environ.get("CHARTWATCH_FAILPOINT_RESUME")
        while not (resume and Path(resume).exists()):
            time.sleep(0.05)

"""Values a person types (make variables, command-line options), checked before anything
runs or is written: each check names the value, says what was wrong and what is allowed.

The Makefile hands every variable to the command line as one quoted argument
(``"$$START"``), never pasted into a shell command, so a value is only ever data;
these are the checks it then meets. They raise ``argparse.ArgumentTypeError``, which
argparse prints as ``argument --start: ...`` with the usage line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import shlex
from pathlib import Path

from warehouse.keys import check_product_reference

_TRUE = ("1", "yes", "true", "on")
_FALSE = ("", "0", "no", "false", "off")


def iso_date(text: str) -> dt.date:
    """A calendar day, YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-01-27"
        ) from exc


def flag(text: str) -> bool:
    """A yes/no make variable: FAILED=1 (also yes, true, on), or empty / 0 / no."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not a yes/no value; use 1 or leave it empty")


def product_key(text: str) -> str:
    """A product key (products.toml) or an untracked app's slug."""
    try:
        return check_product_reference(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def file_list(text: str) -> list[Path]:
    """FILES: one or more files, separated by spaces; quote a name that holds a space
    (FILES='"my chart.json" other.json'); a pattern (``*.json``) is expanded. Every
    file must exist."""
    if Path(text).is_file():  # one file whose name holds spaces, unquoted
        return [Path(text)]
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"cannot read the file list {text!r}: {exc}") from exc
    if not words:
        raise argparse.ArgumentTypeError('no files given: FILES="a.json b.json"')
    files: list[Path] = []
    for word in words:
        matches = sorted(glob.glob(word)) if glob.has_magic(word) else [word]
        if not matches:
            raise argparse.ArgumentTypeError(f"no file matches {word!r}")
        for name in matches:
            path = Path(name)
            if not path.is_file():
                raise argparse.ArgumentTypeError(
                    f"{name!r} is not a file (quote a name that holds a space:"
                    " FILES='\"my chart.json\"')"
                )
            files.append(path)
    return files

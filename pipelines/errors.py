"""What a failed step tells a person: Chartwatch's own message first, then the root cause.

Dagster wraps an asset's exception in its own ("Error occurred while executing op
..."), and the exception Chartwatch raised often wraps another (DuckDB's lock error
inside WarehouseBusy, ENOSPC inside DiskFull). The useful line is the outermost
Chartwatch error (``warehouse.errors.ChartwatchError``): it says what failed, where
and what to do. The root cause's own words follow it when they add something
("No space left on device"). Only an unexpected error keeps its traceback.
"""

from __future__ import annotations

from dagster._utils.error import SerializableErrorInfo

from warehouse.errors import ChartwatchError


def project_error_names() -> set[str]:
    """Class names of every ChartwatchError (of the modules imported so far)."""
    names, pending = set(), [ChartwatchError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def chain(error: SerializableErrorInfo | None) -> list[SerializableErrorInfo]:
    """An error and the errors behind it (its cause, else its context), outermost first."""
    found: list[SerializableErrorInfo] = []
    while error is not None and len(found) < 50:
        found.append(error)
        error = error.cause or error.context
    return found


def message_of(error: SerializableErrorInfo) -> str:
    """An error's message without the ``module.Class: `` Python puts in front of it."""
    text = error.message.strip()
    head, sep, rest = text.partition(": ")
    if sep and error.cls_name and head.rsplit(".", 1)[-1] == error.cls_name:
        return rest.strip()
    return text


# A stop asked for with Ctrl-C or SIGTERM.
INTERRUPTS = {"DagsterExecutionInterruptedError", "KeyboardInterrupt"}
INTERRUPTED = (
    "interrupted (Ctrl-C or SIGTERM): the step stopped; whatever it published is whole,"
    " and running the same command again does the rest"
)


def is_expected(error: SerializableErrorInfo | None) -> bool:
    """Whether Chartwatch raised it on purpose, or a person stopped the run (no
    traceback is needed to act on it)."""
    names = project_error_names() | INTERRUPTS
    return any(link.cls_name in names for link in chain(error))


def explain(error: SerializableErrorInfo | None) -> str:
    """The project's message (or, for an unexpected error, the innermost one), then the
    root cause's message when it says something the first line does not."""
    links = chain(error)
    if not links:
        return ""
    if any(link.cls_name in INTERRUPTS for link in links):
        return INTERRUPTED
    names = project_error_names()
    ours = next((link for link in links if link.cls_name in names), None)
    root = links[-1]
    first = ours or root
    text = message_of(first)
    cause = message_of(root)
    if root is not first and cause and cause not in text:
        text += f"\n  cause: {cause}"
    return text

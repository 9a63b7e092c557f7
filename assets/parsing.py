"""What every raw-format parser shares: numbering the files of a batch, decoding
a whole batch of JSON bodies at once, explaining why a body cannot be decoded,
collecting problems per file and raising RawFileError for the first offending
file, and conforming the result to its lake schema.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable

import polars as pl

from assets.raw import RawFileError
from assets.schemas import RAW_BATCH

FILE = "file"  # position of a file in its batch: the key from a problem back to its path
PROBLEM = "problem"
HINT = "hint"


def number_files(batch: pl.DataFrame) -> pl.DataFrame:
    """The batch with each file's position in column ``file``; refuses other frames."""
    if dict(batch.schema) != dict(RAW_BATCH):
        raise TypeError(f"expected a RAW_BATCH frame {dict(RAW_BATCH)}, got {dict(batch.schema)}")
    # A missing body is treated as an empty file, so that it is reported, not skipped.
    return (
        batch.select(RAW_BATCH.names())
        .with_columns(pl.col("body").fill_null(""))
        .with_row_index(FILE)
    )


def decode_json(
    files: pl.DataFrame,
    dtype: pl.Struct,
    explain: Callable[[str], str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Decode every file's body, a JSON object, with an explicit dtype.

    Returns (file, doc) in the order of ``files`` with ``doc`` null for a file that
    could not be decoded, and the (file, problem) of those files. The happy path is
    one decode of all bodies as JSON lines (several times faster than
    ``str.json_decode``); only when it fails is each file tried alone, to find the
    bad ones, and ``explain(body)`` says what is wrong with each.
    """
    explain = explain or (lambda body: json_problem(body, dtype) or UNDECODABLE)
    # A raw line break is whitespace between JSON tokens (inside strings it must be
    # escaped), so replacing it makes each body one JSON line; a BOM is encoding.
    lines = files.select(
        FILE,
        line=pl.col("body").str.strip_prefix("\ufeff").str.replace_all("\n", " ", literal=True),
    )
    present = lines.filter(pl.col("line").str.strip_chars() != "")
    decoded = _read_json_lines(present["line"], dtype)
    problems = no_problems()
    if decoded is None or present.height != lines.height:
        bad = [
            file
            for file, line in lines.iter_rows()
            if not line.strip() or _read_json_lines(pl.Series([line]), dtype) is None
        ]
        bodies = dict(files.select(FILE, "body").iter_rows())
        problems = pl.DataFrame(
            {FILE: bad, PROBLEM: [explain(bodies[file]) for file in bad]},
            schema={FILE: pl.UInt32, PROBLEM: pl.String},
        )
        present = present.filter(~pl.col(FILE).is_in(bad))
        decoded = _read_json_lines(present["line"], dtype)
        if decoded is None:  # each file decodes alone, so this is a Polars bug
            raise RuntimeError("JSON bodies decode one by one but not together")
    docs = present.select(FILE).with_columns(doc=decoded.to_struct())
    if present.height == lines.height:  # every file decoded: already in order
        return docs, problems
    return lines.select(FILE).join(docs, on=FILE, how="left", maintain_order="left"), problems


UNDECODABLE = "JSON that cannot be decoded"


def _read_json_lines(lines: pl.Series, dtype: pl.Struct) -> pl.DataFrame | None:
    """One JSON object per line, decoded; None if any line is not one such object."""
    schema = {field.name: field.dtype for field in dtype.fields}
    if lines.is_empty():
        return pl.DataFrame(schema=schema)
    try:
        # Joining bytes, not str, spares Python re-encoding non-ASCII text.
        frame = pl.read_ndjson(b"\n".join(lines.cast(pl.Binary).to_list()), schema=schema)
    except pl.exceptions.PolarsError:
        return None
    # A line holding "{...} {...}" must not pass for two files.
    return frame if frame.height == lines.len() else None


def json_problem(text: str, dtype: pl.DataType) -> str | None:
    """What is wrong with a JSON text that should decode as ``dtype``, in a user's words.

    None when the text is JSON of that shape.
    """
    text = text.removeprefix("\ufeff")
    stripped = text.strip()
    if not stripped:
        return "empty file: no content"
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except _NotJson as exc:
        return f"invalid JSON: {exc}"
    except RecursionError:
        return (
            "JSON nested too deeply to read (hundreds of levels of lists or objects): not a chart"
        )
    except json.JSONDecodeError as exc:
        if stripped.startswith("<"):
            first_line = stripped.splitlines()[0][:40]
            return f"an HTML page, not JSON (starts with {first_line!r})"
        # Some messages end in "at" already ("Unterminated string starting at").
        message = f"{exc.msg.removesuffix(' at')} at line {exc.lineno} column {exc.colno}"
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            return f"invalid JSON: {message} (the file is cut short: truncated?)"
        return f"invalid JSON: {message}"
    if value is None:
        return "the document is JSON null, expected an object"
    problem = shape_problem(value, dtype)
    return f"unexpected JSON shape: {problem}" if problem else None


class _NotJson(ValueError):
    """A text Python's json module accepts but JSON (and Polars) do not."""


def _refuse_constant(name: str) -> None:
    raise _NotJson(f"{name} is not a JSON value")


def shape_problem(value: object, dtype: pl.DataType, where: str = "") -> str | None:
    """The first place where a decoded JSON value does not fit ``dtype``, or None.

    Mirrors what Polars' JSON-lines reader accepts: null anywhere, extra fields,
    any value as text (objects as their JSON), integers as floats.
    """
    place = where or "the document"
    if value is None or dtype == pl.String:
        return None
    if isinstance(dtype, pl.Struct):
        if not isinstance(value, dict):
            return f"{place} is {kind_of(value)}, expected an object"
        for field in dtype.fields:
            inner = f"{where}.{field.name}" if where else field.name
            problem = shape_problem(value.get(field.name), field.dtype, inner)
            if problem:
                return problem
        return None
    if isinstance(dtype, pl.List):
        if not isinstance(value, list):
            return f"{place} is {kind_of(value)}, expected a list"
        for i, item in enumerate(value):
            problem = shape_problem(item, dtype.inner, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if dtype.is_integer():
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{place} is {kind_of(value)}, expected a whole number"
        if not -(2**63) <= value < 2**63:
            return f"{place} is {kind_of(value)}, too large"
    elif dtype.is_float() and (
        not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value)
    ):
        return f"{place} is {kind_of(value)}, expected a number"
    return None


def kind_of(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text ({value[:40]!r})"
    if isinstance(value, bool):
        return str(value).lower()
    return f"the number {value}"


def no_problems() -> pl.DataFrame:
    return pl.DataFrame(schema={FILE: pl.UInt32, PROBLEM: pl.String, HINT: pl.String})


def failing(
    frame: pl.DataFrame, condition: pl.Expr, problem: pl.Expr, hint: str | None = None
) -> pl.DataFrame:
    """The rows of ``frame`` where ``condition`` holds, as (file, problem, hint) rows.

    ``hint`` replaces RawFileError's default advice when the fix is not in the file.
    """
    return frame.filter(condition.fill_null(False)).select(
        pl.col(FILE).cast(pl.UInt32),
        problem.fill_null("(unreadable value)").alias(PROBLEM),
        pl.lit(hint, pl.String).alias(HINT),
    )


def raise_first_problem(source: str, files: pl.DataFrame, problems: Iterable[pl.DataFrame]) -> None:
    """Raise RawFileError for the first file in the batch that has any problem.

    ``problems`` are checked in priority order: for the first offending file, the
    problem of the earliest check wins (a missing chart before a missing app id).
    """
    found = pl.concat([no_problems(), *problems], how="diagonal")
    if found.is_empty():
        return
    first = found.sort(FILE, maintain_order=True).row(0, named=True)
    offending = files.row(first[FILE], named=True)
    advice = {"hint": first[HINT]} if first[HINT] else {}
    raise RawFileError(
        source=source,
        date=offending["date"],
        country=offending["country"],
        path=offending["path"],
        problem=first[PROBLEM],
        **advice,
    )


def conform(frame: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    """Exactly the columns and types of a lake schema, in its order."""
    return frame.select(pl.col(name).cast(dtype) for name, dtype in schema.items())


def rank_in_list(values: pl.Expr) -> pl.Expr:
    """1..N alongside a list column, to explode together with it."""
    return pl.int_ranges(1, values.list.len() + 1, dtype=pl.Int32)


# --- tab-separated reports, read by header name ---------------------------------------

LINE = "line"  # a line's number in its file, the header being line 1
FIELDS = "fields"  # a line's fields, as text
NAMES = "names"  # a file's column names, from its header


def tab_separated_rows(
    files: pl.DataFrame, required: Iterable[str], what: str
) -> tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]:
    """Every line of every tab-separated report of a batch, its columns found by the
    names in its file's header (a report's columns differ between its versions).

    ``files``: ``number_files``' frame with each body's text, a byte-order mark
    removed, in column ``text``. A field is what lies between two tabs (these reports
    quote nothing); lines end in LF or CRLF; blank lines are skipped but counted.
    Returns:

    - rows: ``file``, ``line``, ``fields`` and a text column per required name
      (stripped; null where empty), of the files whose header has every one;
    - headers: ``file`` and ``names``, each file's column names (stripped);
    - problems, in priority order: an empty file; a header without a required
      column (``what`` names the report expected); a line with another number of
      fields than its header.
    """
    required = list(required)
    text = pl.col("line_text")
    lines = (
        files.select(FILE, text=pl.col("text").str.split("\n"))
        .with_columns(pl.int_ranges(1, pl.col("text").list.len() + 1, dtype=pl.UInt32).alias(LINE))
        .explode("text", LINE)
        .select(FILE, LINE, line_text=pl.col("text").str.strip_chars_end("\r"))
    )
    names = pl.col(NAMES)
    at = {name: f"at {name}" for name in required}
    headers = (
        lines.filter(pl.col(LINE) == 1)
        .select(FILE, text.str.split("\t").list.eval(pl.element().str.strip_chars()).alias(NAMES))
        .with_columns(
            names.list.eval(pl.element().eq(name).arg_true().first()).list.first().alias(at[name])
            for name in required
        )
    )
    missing = pl.concat_list(
        pl.when(pl.col(at[name]).is_null()).then(pl.lit(name)) for name in required
    ).list.drop_nulls()
    headers = headers.with_columns(missing=missing)
    empty = failing(files, pl.col("text").str.strip_chars() == "", pl.lit("empty file: no header"))
    lacking = failing(
        headers.join(empty.select(FILE), on=FILE, how="anti"),
        pl.col("missing").list.len() > 0,
        pl.format(
            "the header lacks {}: not {} (its columns: {})",
            pl.col("missing").list.eval(pl.format("'{}'", pl.element())).list.join(", "),
            pl.lit(what),
            names.list.join(", ").str.head(300),
        ),
    )
    rows = (
        lines.filter(pl.col(LINE) > 1, text.str.strip_chars() != "")
        .join(headers.filter(pl.col("missing").list.len() == 0), on=FILE)
        .with_columns(text.str.split("\t").alias(FIELDS))
    )
    ragged = failing(
        rows,
        pl.col(FIELDS).list.len() != names.list.len(),
        pl.format(
            "line {} has {} fields, but the header has {} columns",
            LINE,
            pl.col(FIELDS).list.len(),
            names.list.len(),
        ),
    )
    value = {
        name: pl.col(FIELDS).list.get(pl.col(at[name]), null_on_oob=True).str.strip_chars()
        for name in required
    }
    rows = rows.select(
        FILE,
        LINE,
        FIELDS,
        *(pl.when(v != "").then(v).alias(name) for name, v in value.items()),
    )
    return rows, headers.select(FILE, NAMES), [empty, lacking, ragged]


ORDER = "order"  # a file's place in the archive's history, the latest largest


def archive_order(files: pl.DataFrame) -> pl.DataFrame:
    """Each file's ``order``, for reports whose later copies correct earlier ones: by
    the day it is archived under (its path's last ``date=`` folder; a file being
    imported, which has none, comes first), then its item name, then its place in the
    batch."""
    archived = pl.col("path").str.extract(r".*date=(\d{4}-\d{2}-\d{2})")
    return (
        files.select(FILE, "item", archived=archived)
        .sort("archived", "item", FILE, nulls_last=False)
        .select(FILE, pl.int_range(pl.len(), dtype=pl.UInt32).alias(ORDER))
    )


# --- current RSS generator ---------------------------------------------------------

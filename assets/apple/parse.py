"""Parse archived Apple chart feeds into chart entries. Two generations of Apple's
public feeds reach the raw archive: the current RSS generator (``apple_rss``: top
free and top paid iPhone apps, up to 100 each) and the legacy iTunes RSS
(``itunes_rss``: iPhone and iPad, free, paid and grossing, optionally per genre, up
to 200). A whole batch of archived files is decoded at once and returned as
CHART_ENTRIES rows ranked by position in the feed; a file that cannot be read
completely raises RawFileError naming it, and nothing partial is returned. The
JSON decoding and error-reporting helpers at the top of this module are shared by
the other JSON parsers (Google Play, Wikimedia).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable

import polars as pl

from assets.raw import RawFileError
from assets.schemas import CHART_ENTRIES, RAW_BATCH

FILE = "file"  # position of a file in its batch: the key from a problem back to its path
PROBLEM = "problem"
HINT = "hint"


# --- shared by the JSON parsers ----------------------------------------------------


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
    explain = explain or (lambda body: json_problem(body, dtype) or _UNDECODABLE)
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
    return lines.select(FILE).join(docs, on=FILE, how="left", maintain_order="left"), problems


_UNDECODABLE = "JSON that cannot be decoded"


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
            return f"{place} is {_kind(value)}, expected an object"
        for field in dtype.fields:
            inner = f"{where}.{field.name}" if where else field.name
            problem = shape_problem(value.get(field.name), field.dtype, inner)
            if problem:
                return problem
        return None
    if isinstance(dtype, pl.List):
        if not isinstance(value, list):
            return f"{place} is {_kind(value)}, expected a list"
        for i, item in enumerate(value):
            problem = shape_problem(item, dtype.inner, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if dtype.is_integer():
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{place} is {_kind(value)}, expected a whole number"
        if not -(2**63) <= value < 2**63:
            return f"{place} is {_kind(value)}, too large"
    elif dtype.is_float() and (
        not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value)
    ):
        return f"{place} is {_kind(value)}, expected a number"
    return None


def _kind(value: object) -> str:
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


# --- current RSS generator ---------------------------------------------------------

CURRENT_RSS_CHARTS = {"top-free": "top_free", "top-paid": "top_paid"}

_CURRENT_RSS = pl.Struct(
    {
        "feed": pl.Struct(
            {
                "results": pl.List(
                    pl.Struct({"id": pl.String, "name": pl.String, "artistName": pl.String})
                )
            }
        )
    }
)


def parse_current_rss(batch: pl.DataFrame) -> pl.DataFrame:
    """Chart entries of archived current-generation Apple RSS feeds (``apple_rss``).

    ``batch`` is a RAW_BATCH of ``top-free``/``top-paid`` files; rank is the
    position in ``feed.results`` plus one; charts are iPhone, all genres.
    """
    source = "apple_rss"
    files = number_files(batch)
    docs, undecodable = decode_json(files, _CURRENT_RSS)
    feeds = files.with_columns(
        feed=docs["doc"].struct.field("feed"),
        chart=pl.col("item").replace_strict(CURRENT_RSS_CHARTS, default=None),
    )
    results = pl.col("feed").struct.field("results")
    entries = (
        feeds.filter(results.list.len() > 0)
        .select(FILE, "date", "country", "chart", entry=results, rank=rank_in_list(results))
        .explode("entry", "rank")
    )
    app_id = pl.col("entry").struct.field("id")
    at = pl.format("feed.results[{}]", pl.col("rank") - 1)
    raise_first_problem(
        source,
        files,
        [
            failing(
                feeds,
                pl.col("chart").is_null(),
                pl.format(
                    "unexpected item '{}': apple_rss charts are top-free and top-paid", "item"
                ),
            ),
            undecodable,
            failing(feeds, pl.col("feed").is_null(), pl.lit("missing field feed")),
            failing(feeds, results.is_null(), pl.lit("missing field feed.results")),
            failing(
                feeds, results.list.len() == 0, pl.lit("empty chart: no entries in feed.results")
            ),
            *app_problems(entries, app_id, pl.col("entry").struct.field("name"), at, "id", "name"),
        ],
    )
    return conform(
        entries.select(
            "date",
            "country",
            "chart",
            "rank",
            store=pl.lit("app_store"),
            device=pl.lit("iphone"),
            genre_id=pl.lit(None, pl.String),
            app_id=app_id,
            app_name=pl.col("entry").struct.field("name"),
            developer=pl.col("entry").struct.field("artistName"),
            source=pl.lit(source),
        ),
        CHART_ENTRIES,
    )


def app_problems(
    entries: pl.DataFrame,
    app_id: pl.Expr,
    app_name: pl.Expr,
    at: pl.Expr,
    id_field: str,
    name_field: str,
) -> list[pl.DataFrame]:
    """Entries that do not name an App Store app: null, without a numeric id, or nameless."""
    return [
        failing(entries, pl.col("entry").is_null(), pl.format("{} is null", at)),
        failing(
            entries,
            app_id.is_null() | (app_id == ""),
            pl.format("missing app id at rank {} ({}.{})", "rank", at, pl.lit(id_field)),
        ),
        # Objects or text where the numeric id belongs are read as text: catch them here.
        failing(
            entries,
            ~app_id.str.contains(r"^\d+$"),
            pl.format("app id '{}' at rank {} is not a numeric App Store id", app_id, "rank"),
        ),
        failing(
            entries,
            app_name.is_null(),
            pl.format(
                "missing app name for app {} at rank {} ({}.{})",
                app_id,
                "rank",
                at,
                pl.lit(name_field),
            ),
        ),
    ]


# --- legacy iTunes RSS -------------------------------------------------------------

# top{free,paid,grossing}[ipad]applications, optionally "__genre-<id>" for a /genre= feed.
LEGACY_FEED_NAME = (
    r"^top(?P<chart>free|paid|grossing)(?P<ipad>ipad)?applications(?:__genre-(?P<genre>\d+))?$"
)

_LEGACY_ENTRY = pl.Struct(
    {
        "id": pl.Struct({"label": pl.String, "attributes": pl.Struct({"im:id": pl.String})}),
        "im:name": pl.Struct({"label": pl.String}),
        "im:artist": pl.Struct({"label": pl.String}),
    }
)
_LEGACY_ENTRIES = pl.List(_LEGACY_ENTRY)
_LEGACY_FEED = pl.Struct({"feed": pl.Struct({"entry": _LEGACY_ENTRIES})})
# A feed of exactly one entry carries it as an object, not a list of one.
_LEGACY_FEED_OF_ONE = pl.Struct({"feed": pl.Struct({"entry": _LEGACY_ENTRY})})
# An "entry" key whose value is an object. The quote before "entry" follows "{" or
# ",", never a backslash, so it cannot be inside a JSON string.
_ENTRY_OBJECT = r'[{,]\s*"entry"\s*:\s*\{'


def parse_legacy_rss(batch: pl.DataFrame) -> pl.DataFrame:
    """Chart entries of archived legacy iTunes RSS feeds (``itunes_rss``).

    ``batch`` is a RAW_BATCH whose items are feed names (``topfreeapplications``,
    ``topgrossingipadapplications__genre-6014``, ...); the name gives device, chart
    and genre; rank is the position in ``feed.entry`` plus one.
    """
    source = "itunes_rss"
    files = number_files(batch)
    # One scan of the bodies (the day's feeds are tens of megabytes), for both halves.
    one_entry = files["body"].str.contains(_ENTRY_OBJECT)
    many, many_problems = decode_json(files.filter(~one_entry), _LEGACY_FEED, _legacy_problem)
    one, one_problems = decode_json(files.filter(one_entry), _LEGACY_FEED_OF_ONE, _legacy_problem)
    feed = pl.col("doc").struct.field("feed")
    entry_of_one = feed.struct.field("entry")
    docs = pl.concat(
        [
            many.select(FILE, feed=feed.is_not_null(), entries=feed.struct.field("entry")),
            one.select(
                FILE,
                feed=feed.is_not_null(),
                entries=pl.when(entry_of_one.is_not_null()).then(pl.concat_list(entry_of_one)),
            ),
        ]
    ).sort(FILE)
    feeds = files.with_columns(
        feed=docs["feed"],
        entries=docs["entries"],
        name=pl.col("item").str.extract_groups(LEGACY_FEED_NAME),
    )
    entries = (
        feeds.filter(pl.col("entries").list.len() > 0)
        .select(
            FILE, "date", "country", "name", entry="entries", rank=rank_in_list(pl.col("entries"))
        )
        .explode("entry", "rank")
    )
    entry = pl.col("entry")
    app_id = entry.struct.field("id").struct.field("attributes").struct.field("im:id")
    app_name = entry.struct.field("im:name").struct.field("label")
    at = pl.format("feed.entry[{}]", pl.col("rank") - 1)
    raise_first_problem(
        source,
        files,
        [
            failing(
                feeds,
                pl.col("name").struct.field("chart").is_null(),
                pl.concat_str(
                    pl.format("unexpected item '{}': not a legacy chart feed name", "item"),
                    # A literal, not a format string: the braces are part of the message.
                    pl.lit(" (top{free,paid,grossing}[ipad]applications[__genre-<id>])"),
                ),
            ),
            many_problems,
            one_problems,
            failing(feeds, ~pl.col("feed"), pl.lit("missing field feed")),
            failing(
                feeds,
                pl.col("entries").list.len().fill_null(0) == 0,
                pl.lit("empty chart: the feed has no entry"),
            ),
            *app_problems(entries, app_id, app_name, at, "id.attributes.im:id", "im:name.label"),
        ],
    )
    name = pl.col("name")
    return conform(
        entries.select(
            "date",
            "country",
            "rank",
            store=pl.lit("app_store"),
            device=pl.when(name.struct.field("ipad").is_null())
            .then(pl.lit("iphone"))
            .otherwise(pl.lit("ipad")),
            chart=pl.concat_str(pl.lit("top_"), name.struct.field("chart")),
            genre_id=name.struct.field("genre"),
            app_id=app_id,
            app_name=app_name,
            developer=entry.struct.field("im:artist").struct.field("label"),
            source=pl.lit(source),
        ),
        CHART_ENTRIES,
    )


def _legacy_problem(body: str) -> str:
    """Why a legacy feed does not decode, whether its entry is a list or a single object."""
    problem = json_problem(body, pl.Struct({"feed": pl.Struct({})}))
    if problem:
        return problem
    entry = (json.loads(body.removeprefix("\ufeff")).get("feed") or {}).get("entry")
    if isinstance(entry, dict):
        problem = shape_problem(entry, _LEGACY_ENTRY, "feed.entry")
    elif isinstance(entry, list):
        problem = shape_problem(entry, _LEGACY_ENTRIES, "feed.entry")
    elif entry is not None:
        problem = f"feed.entry is {_kind(entry)}, expected an entry or a list of entries"
    return f"unexpected JSON shape: {problem}" if problem else _UNDECODABLE

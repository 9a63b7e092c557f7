"""Parse archived Apple chart feeds into chart entries. Two generations of Apple's
public feeds reach the raw archive: the current RSS generator (``apple_rss``: top
free and top paid iPhone apps, up to 100 each) and the legacy iTunes RSS
(``itunes_rss``: iPhone and iPad, free, paid and grossing, optionally per genre, up
to 200). A whole batch of archived files is decoded at once and returned as
CHART_ENTRIES rows ranked by position in the feed; a file that cannot be read
completely raises RawFileError naming it, and nothing partial is returned.
"""

from __future__ import annotations

import json

import polars as pl

from assets.parsing import (
    FILE,
    UNDECODABLE,
    conform,
    decode_json,
    failing,
    json_problem,
    kind_of,
    number_files,
    raise_first_problem,
    rank_in_list,
    shape_problem,
)
from assets.schemas import CHART_COVERAGE, CHART_ENTRIES

# The two folders of the raw archive: the current RSS generator's feeds, and the
# legacy iTunes RSS feeds.
CURRENT_RSS = "apple_rss"
LEGACY_RSS = "itunes_rss"
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
    source = CURRENT_RSS
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
        "id": pl.Struct({"attributes": pl.Struct({"im:id": pl.String})}),
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
    source = LEGACY_RSS
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
        problem = f"feed.entry is {kind_of(entry)}, expected an entry or a list of entries"
    return f"unexpected JSON shape: {problem}" if problem else UNDECODABLE


def parse_unavailable(batch: pl.DataFrame, source: str) -> pl.DataFrame:
    """CHART_COVERAGE rows of the charts the archive records as unavailable
    (``<item>.unavailable``: the status and URL of a 403 or 404)."""
    feed = pl.col("item").str.strip_suffix(".json")
    legacy = feed.str.extract_groups(LEGACY_FEED_NAME)
    current = feed.replace_strict(CURRENT_RSS_CHARTS, default=None)
    rows = batch.select(
        "date",
        "country",
        store=pl.lit("app_store"),
        device=pl.when(legacy.struct.field("ipad").is_not_null())
        .then(pl.lit("ipad"))
        .otherwise(pl.lit("iphone")),
        chart=pl.coalesce(current, pl.concat_str(pl.lit("top_"), legacy.struct.field("chart"))),
        genre_id=legacy.struct.field("genre"),
        status=pl.lit("unavailable"),
        depth=pl.lit(None, pl.Int32),
        http_status=pl.col("body").str.json_path_match("$.status").cast(pl.Int32, strict=False),
        source=pl.lit(source),
    )
    return conform(rows.filter(pl.col("chart").is_not_null()), CHART_COVERAGE)

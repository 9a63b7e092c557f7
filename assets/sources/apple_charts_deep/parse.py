"""Parse archived answers of Apple's undocumented iTunes charts endpoint
(``itunes_charts``) into chart entries: ``{"resultIds": [...]}``, the App Store ids of
one chart in rank order, up to 200. A whole batch of files is decoded at once; a file
that cannot be read completely raises RawFileError naming it, and nothing partial is
returned. The body names no chart, storefront or day: the archived item names the
chart (``FreeApplications``, ``PaidApplications``, ``AppsByRevenue``, and
``__genre-<id>`` for a genre's), the partition the storefront and day.
"""

from __future__ import annotations

import polars as pl

from assets.parsing import (
    FILE,
    conform,
    decode_json,
    failing,
    number_files,
    raise_first_problem,
    rank_in_list,
)
from assets.schemas import CHART_COVERAGE, CHART_ENTRIES

RAW_SOURCE = "itunes_charts"
# The endpoint's chart names (its ``name`` parameter) -> the contract's charts.
CHARTS = {
    "FreeApplications": "top_free",
    "PaidApplications": "top_paid",
    "AppsByRevenue": "top_grossing",
}
# The App Store's root genre: the overall chart, archived without a genre suffix.
OVERALL_GENRE = "36"
ITEM_NAME = (
    r"^(?P<name>FreeApplications|PaidApplications|AppsByRevenue)(?:__genre-(?P<genre>\d+))?$"
)

_CHART = pl.Struct({"resultIds": pl.List(pl.String)})  # a numeric id is read as its text


def _chart_of(item: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(chart, genre_id) of an item name; both null for a name that is not a chart's.
    Genre 36, the App Store's root, is the overall chart (genre_id null)."""
    name = item.str.extract_groups(ITEM_NAME)
    genre = name.struct.field("genre")
    chart = name.struct.field("name").replace_strict(CHARTS, default=None)
    return chart, pl.when(genre != OVERALL_GENRE).then(genre)


def parse_charts(batch: pl.DataFrame) -> pl.DataFrame:
    """Chart entries of archived ``ws/charts`` answers (``itunes_charts``).

    ``batch`` is a RAW_BATCH of ``<name>`` / ``<name>__genre-<id>`` files; rank is the
    position in ``resultIds`` plus one; charts are iPhone charts. Ids may be JSON
    strings or numbers; each must be an App Store id (digits). Names and developers
    are not in the body (the Lookup API gives them: ``itunes_lookup``).
    """
    source = RAW_SOURCE
    files = number_files(batch)
    docs, undecodable = decode_json(files, _CHART)
    chart, genre_id = _chart_of(pl.col("item"))
    charts = files.with_columns(
        decoded=docs["doc"].is_not_null(),
        ids=docs["doc"].struct.field("resultIds"),
        chart=chart,
        genre_id=genre_id,
    )
    ids = pl.col("ids")
    entries = (
        charts.filter(ids.list.len() > 0)
        .select(FILE, "date", "country", "chart", "genre_id", app_id=ids, rank=rank_in_list(ids))
        .explode("app_id", "rank")
    )
    app_id = pl.col("app_id")
    at = pl.format("resultIds[{}]", pl.col("rank") - 1)
    raise_first_problem(
        source,
        files,
        [
            failing(
                charts,
                pl.col("chart").is_null(),
                pl.format(
                    "unexpected item '{}': itunes_charts items are FreeApplications,"
                    " PaidApplications or AppsByRevenue, with __genre-<id> for a genre's chart",
                    "item",
                ),
            ),
            undecodable,
            failing(
                charts,
                pl.col("decoded") & ids.is_null(),
                pl.lit("missing field resultIds: not an answer of the iTunes charts endpoint"),
            ),
            failing(charts, ids.list.len() == 0, pl.lit("empty chart: resultIds is empty")),
            failing(entries, app_id.is_null(), pl.format("{} is null", at)),
            # Objects, booleans or decimals where an id belongs are read as text.
            failing(
                entries,
                ~app_id.str.contains(r"^\d+$"),
                pl.format("{} is '{}', not a numeric App Store id", at, app_id),
            ),
        ],
    )
    return conform(
        entries.select(
            "date",
            "country",
            "chart",
            "genre_id",
            "rank",
            "app_id",
            store=pl.lit("app_store"),
            device=pl.lit("iphone"),
            app_name=pl.lit(None, pl.String),
            developer=pl.lit(None, pl.String),
            source=pl.lit(source),
        ),
        CHART_ENTRIES,
    )


def parse_unavailable(batch: pl.DataFrame) -> pl.DataFrame:
    """CHART_COVERAGE rows of the charts the archive records as unavailable
    (``<item>.unavailable``: the status and URL of a 403 or 404)."""
    chart, genre_id = _chart_of(pl.col("item").str.strip_suffix(".json"))
    rows = batch.select(
        "date",
        "country",
        store=pl.lit("app_store"),
        device=pl.lit("iphone"),
        chart=chart,
        genre_id=genre_id,
        status=pl.lit("unavailable"),
        depth=pl.lit(None, pl.Int32),
        http_status=pl.col("body").str.json_path_match("$.status").cast(pl.Int32, strict=False),
        source=pl.lit(RAW_SOURCE),
    )
    return conform(rows.filter(pl.col("chart").is_not_null()), CHART_COVERAGE)

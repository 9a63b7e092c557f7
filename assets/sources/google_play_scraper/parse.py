"""Parse archived google-play-scraper lists into chart entries.

A file is the JSON array a google-play-scraper collection (list) call returns, saved
as it came (the Python package ``google_play_scraper`` or the JS ``google-play-scraper``):
one chart of one storefront and day, its apps in chart order. The items say no rank,
country, collection, category or date: rank is the position in the array (1..N), the
day and storefront are the partition the file is imported under, and the chart is
the archived item's name, one of Google Play's collections as google_play_charts
names them (``topselling_free``, ``topselling_paid``, ``topgrossing``, with
``__<CATEGORY>`` for a genre). Of each item, ``appId``, ``title`` and ``developer``
are read; prices are not (chart entries have no price, and the scraper's ``price``
can contradict its ``priceText``). A batch is decoded at once and returned as
CHART_ENTRIES rows; a file that is not such an array, is empty, lacks an app's id or
title, or lists an app twice raises RawFileError naming it, and nothing partial is
returned.
"""

from __future__ import annotations

import polars as pl

from assets.parsing import (
    FILE,
    conform,
    decode_json,
    failing,
    json_problem,
    number_files,
    raise_first_problem,
    rank_in_list,
)
from assets.schemas import CHART_ENTRIES
from assets.sources.google_play_charts.parse import ALL_GENRES, PLAY_CHARTS
from warehouse.datasets import PLAY_PACKAGE

RAW_SOURCE = "google_play_scraper"
LABEL = RAW_SOURCE  # the rows' ``source``

_ITEM = pl.Struct({"appId": pl.String, "title": pl.String, "developer": pl.String})
_LIST = pl.List(_ITEM)
# The array is decoded as the one field of an object (the JSON-lines reader reads objects).
_WRAPPED = pl.Struct({"results": _LIST})
_OPEN, _CLOSE = '{"results":', "}"
# An item name: <collection> or <collection>__<CATEGORY>.
ITEM_NAME = r"^(?P<collection>[a-z_]+?)(?:__(?P<category>[A-Z][A-Z0-9_]*))?$"


def parse_scraper_list(batch: pl.DataFrame) -> pl.DataFrame:
    """Chart entries of archived google-play-scraper lists (``google_play_scraper``).

    ``batch`` is a RAW_BATCH; each file's chart and genre come from its item
    (``topgrossing__GAME_ACTION``: the top grossing games of GAME_ACTION; no category
    or ``APPLICATION``: all genres, genre_id null).
    """
    files = number_files(batch)
    wrapped = files.with_columns(
        body=pl.concat_str(pl.lit(_OPEN), pl.col("body").str.strip_prefix("\ufeff"), pl.lit(_CLOSE))
    )
    docs, undecodable = decode_json(wrapped, _WRAPPED, _explain)
    named = pl.col("item").str.extract_groups(ITEM_NAME)
    charts = files.with_columns(
        collection=named.struct.field("collection"),
        category=named.struct.field("category"),
        results=docs["doc"].struct.field("results"),
    ).with_columns(
        chart=pl.col("collection").replace_strict(PLAY_CHARTS, default=None),
        genre_id=pl.when(pl.col("category") != ALL_GENRES).then(pl.col("category")),
        n=pl.col("results").list.len(),
    )
    # Two files holding the same chart would give every rank twice.
    charts = charts.with_columns(
        first_path=pl.col("path").first().over("date", "country", "chart", "genre_id")
    )
    results = pl.col("results")
    entries = (
        charts.filter(pl.col("n") > 0, pl.col("chart").is_not_null())
        .select(
            FILE,
            "date",
            "country",
            "chart",
            "genre_id",
            entry=results,
            rank=rank_in_list(results),
        )
        .explode("entry", "rank")
        .with_columns(
            app_id=pl.col("entry").struct.field("appId"),
            app_name=pl.col("entry").struct.field("title"),
            developer=pl.col("entry").struct.field("developer"),
        )
    )
    at = pl.format("item {} (rank {})", pl.col("rank") - 1, "rank")
    repeats = entries.filter(pl.struct(FILE, "app_id").is_duplicated()).with_columns(
        first_rank=pl.col("rank").first().over(FILE, "app_id")
    )
    undecoded = pl.col(FILE).is_in(undecodable[FILE].implode())
    raise_first_problem(
        RAW_SOURCE,
        files,
        [
            failing(
                charts,
                pl.col("chart").is_null(),
                pl.format(
                    "the file is archived as {}, which names no chart: expected"
                    " topselling_free, topselling_paid or topgrossing"
                    " (<collection>__<CATEGORY> for a genre)",
                    "item",
                ),
            ),
            undecodable,
            failing(
                charts,
                ~undecoded & results.is_null(),
                pl.lit("the document is JSON null, expected a list"),
            ),
            failing(
                charts,
                ~undecoded & (pl.col("n") == 0),
                pl.lit("empty chart: the list holds no apps"),
            ),
            failing(
                charts,
                pl.col("path") != pl.col("first_path"),
                pl.format(
                    "a second {} chart of this day and country (the first is {})",
                    "item",
                    "first_path",
                ),
            ),
            failing(entries, pl.col("entry").is_null(), pl.format("{} is null", at)),
            failing(
                entries,
                pl.col("app_id").is_null() | (pl.col("app_id") == ""),
                pl.format("{} has no appId", at),
            ),
            failing(
                entries,
                ~pl.col("app_id").str.contains(PLAY_PACKAGE),
                pl.format("{} has appId '{}', not a package name", at, "app_id"),
            ),
            failing(
                entries,
                pl.col("app_name").is_null(),
                pl.format("{} ({}) has no title", at, "app_id"),
            ),
            failing(
                repeats,
                pl.col("rank") != pl.col("first_rank"),
                pl.format("{} repeats {} of rank {}", at, "app_id", "first_rank"),
            ),
        ],
    )
    return conform(
        entries.with_columns(
            store=pl.lit("google_play"), device=pl.lit("android"), source=pl.lit(LABEL)
        ),
        CHART_ENTRIES,
    )


def _explain(wrapped: str) -> str:
    """What is wrong with a body (given wrapped as decoded), in the body's own terms."""
    body = wrapped.removeprefix(_OPEN).removesuffix(_CLOSE)
    problem = json_problem(body, _LIST)
    return problem or "JSON that cannot be decoded"

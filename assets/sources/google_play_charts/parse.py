"""Parse archived Google Play chart files into chart entries. Google publishes no
chart API, so Play charts arrive as files of Chartwatch's own shape (see
docs/raw-formats.md): one chart (collection and category) of one country and day
per file, each entry with an explicit rank. A whole batch is decoded at once and
returned as CHART_ENTRIES rows; a file that contradicts its partition, names an
unknown collection, is empty or does not rank its entries exactly 1..N raises
RawFileError naming it, and nothing partial is returned.
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
from assets.schemas import CHART_ENTRIES

SOURCE = "google_play"

PLAY_CHARTS = {
    "topselling_free": "top_free",
    "topselling_paid": "top_paid",
    "topgrossing": "top_grossing",
}
ALL_GENRES = "APPLICATION"  # the category of the overall charts

_PLAY_CHART = pl.Struct(
    {
        "store": pl.String,
        "country": pl.String,
        "collection": pl.String,
        "category": pl.String,
        "date": pl.String,
        "results": pl.List(
            pl.Struct(
                {
                    "rank": pl.Int64,
                    "package_name": pl.String,
                    "title": pl.String,
                    "developer": pl.String,
                }
            )
        ),
    }
)


def parse_google_play_charts(batch: pl.DataFrame) -> pl.DataFrame:
    """Chart entries of archived Google Play chart files (``google_play``).

    ``batch`` is a RAW_BATCH; chart and genre come from each file's ``collection``
    and ``category`` (``APPLICATION``: all genres, genre_id null), rank from each
    entry's ``rank``, which must run 1..N in order.
    """
    files = number_files(batch)
    docs, undecodable = decode_json(files, _PLAY_CHART)
    doc = docs["doc"]
    charts = files.with_columns(
        store=doc.struct.field("store"),
        file_country=doc.struct.field("country"),
        file_date=doc.struct.field("date"),
        collection=doc.struct.field("collection"),
        category=doc.struct.field("category"),
        results=doc.struct.field("results"),
    ).with_columns(
        chart=pl.col("collection").replace_strict(PLAY_CHARTS, default=None),
        genre_id=pl.when(pl.col("category") != ALL_GENRES).then(pl.col("category")),
        n=pl.col("results").list.len(),
    )
    # Two files holding the same chart would give every rank twice.
    charts = charts.with_columns(
        first_path=pl.col("path").first().over("date", "country", "chart", "genre_id")
    )
    first_path = pl.col("first_path")
    results = pl.col("results")
    entries = (
        charts.filter(pl.col("n") > 0)
        .select(
            FILE,
            "date",
            "country",
            "chart",
            "genre_id",
            "n",
            entry=results,
            position=rank_in_list(results),
        )
        .explode("entry", "position")
        .with_columns(
            rank=pl.col("entry").struct.field("rank"),
            app_id=pl.col("entry").struct.field("package_name"),
            app_name=pl.col("entry").struct.field("title"),
        )
    )
    rank = pl.col("rank")
    at = pl.format("results[{}]", pl.col("position") - 1)
    raise_first_problem(
        SOURCE,
        files,
        [
            undecodable,
            failing(
                charts,
                pl.col("store") != "google_play",
                pl.format("store is '{}', expected 'google_play'", "store"),
            ),
            failing(charts, pl.col("collection").is_null(), pl.lit("missing field collection")),
            failing(
                charts,
                pl.col("chart").is_null(),
                pl.format(
                    "unknown collection '{}' (expected topselling_free, topselling_paid or topgrossing)",
                    "collection",
                ),
            ),
            failing(charts, pl.col("category").is_null(), pl.lit("missing field category")),
            failing(charts, pl.col("file_country").is_null(), pl.lit("missing field country")),
            failing(
                charts,
                pl.col("file_country").str.to_lowercase() != pl.col("country"),
                pl.format(
                    "the file says country '{}' but is archived under country={}",
                    "file_country",
                    "country",
                ),
            ),
            failing(charts, pl.col("file_date").is_null(), pl.lit("missing field date")),
            failing(
                charts,
                pl.col("file_date") != pl.col("date").dt.to_string("%Y-%m-%d"),
                pl.format(
                    "the file says date '{}' but is archived under date={}", "file_date", "date"
                ),
            ),
            failing(charts, results.is_null(), pl.lit("missing field results")),
            failing(charts, pl.col("n") == 0, pl.lit("empty chart: no entries in results")),
            failing(
                charts,
                pl.col("path") != first_path,
                pl.format(
                    "a second {} chart for category {} of this day and country (the first is {})",
                    "collection",
                    "category",
                    first_path,
                ),
            ),
            failing(entries, pl.col("entry").is_null(), pl.format("{} is null", at)),
            failing(entries, rank.is_null(), pl.format("{} has no rank", at)),
            failing(
                entries,
                rank.is_duplicated().over(FILE),
                pl.format("rank {} is repeated", rank),
            ),
            failing(
                entries,
                (rank < 1) | (rank > pl.col("n")),
                pl.format("rank {} is outside 1..{} (the chart has {} entries)", rank, "n", "n"),
            ),
            failing(
                entries,
                rank != pl.col("position"),
                pl.format(
                    "ranks are not in order: {} has rank {}, expected {}", at, rank, "position"
                ),
            ),
            failing(
                entries,
                pl.col("app_id").is_null() | (pl.col("app_id") == ""),
                pl.format("missing package_name at rank {} ({}.package_name)", rank, at),
            ),
            failing(
                entries,
                pl.col("app_name").is_null(),
                pl.format("missing title for {} at rank {} ({}.title)", "app_id", rank, at),
            ),
        ],
    )
    return conform(
        entries.with_columns(
            store=pl.lit("google_play"),
            device=pl.lit("android"),
            developer=pl.col("entry").struct.field("developer"),
            source=pl.lit("google_play_import"),
        ),
        CHART_ENTRIES,
    )

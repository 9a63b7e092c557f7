"""Parse archived Appfigures responses (``appfigures``): download estimates into
APP_ESTIMATES rows (source ``appfigures``) and rank histories into VENDOR_RANKS
rows. Both files of a day live under ``appfigures/date=D/country=ww/``
(``estimates.json``, ``ranks.json``; see docs/raw-formats.md).

Appfigures identifies apps by its own product ids; ``products.toml`` maps them to
store ids (``appfigures = {"<store app id>" = <appfigures product id>}``), given
here as a frame of (appfigures_id, store, app_id). A product id no tracked product
claims, an unknown store or device, or a count that is not a non-negative whole
number raises RawFileError naming the file, and nothing partial is returned.
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
)
from assets.schemas import APP_ESTIMATES, VENDOR_RANKS

SOURCE = "appfigures"
STORE_IDS = {"1": "app_store", "2": "google_play"}  # Appfigures' store ids
# Appfigures' device ids per store: handheld, tablet.
DEVICES = {
    ("app_store", "1"): "iphone",
    ("app_store", "2"): "ipad",
    ("google_play", "1"): "android",
}
CHARTS = {
    "free": "top_free",
    "paid": "top_paid",
    "grossing": "top_grossing",
    "topgrossing": "top_grossing",
}

# One estimate: the leaves of the response nested by product, country and date.
_ESTIMATE = pl.Struct(
    {
        "product_id": pl.Int64,
        "country": pl.String,
        "date": pl.String,
        "downloads": pl.Float64,
    }
)
_LEAF = r'\{[^{}]*"downloads"[^{}]*\}'  # a leaf object: no nested object inside
_ANY_OBJECT = pl.Struct({"_": pl.String})  # any JSON object decodes: only validity matters
_UNMAPPED = pl.format(
    "Appfigures product {} is not mapped to an app; add it to the appfigures table of its"
    " product in products.toml",
    "product_id",
)

_RANKS = pl.Struct(
    {
        "dates": pl.List(pl.String),
        "data": pl.List(
            pl.Struct(
                {
                    "product_id": pl.Int64,
                    "country": pl.String,
                    "category": pl.Struct(
                        {
                            "store_id": pl.Int64,
                            "device_id": pl.Int64,
                            "id": pl.Int64,
                            "name": pl.String,
                            "subtype": pl.String,
                        }
                    ),
                    "positions": pl.List(pl.Int64),
                }
            )
        ),
    }
)


def _mapped(rows: pl.DataFrame, apps: pl.DataFrame) -> pl.DataFrame:
    return rows.join(
        apps.select(pl.col("appfigures_id").cast(pl.Int64), "store", "app_id"),
        left_on="product_id",
        right_on="appfigures_id",
        how="left",
    )


def parse_estimates(batch: pl.DataFrame, apps: pl.DataFrame) -> pl.DataFrame:
    """APP_ESTIMATES rows of archived ``estimates.json`` files (DAU unknown: null)."""
    files = number_files(batch)
    _, undecodable = decode_json(files, _ANY_OBJECT)
    raise_first_problem(SOURCE, files, [undecodable])
    leaves = (
        files.select(FILE, file_date="date", leaf=pl.col("body").str.extract_all(_LEAF))
        .explode("leaf")
        .filter(pl.col("leaf").is_not_null())
        .select(FILE, "file_date", estimate=pl.col("leaf").str.json_decode(_ESTIMATE))
        .unnest("estimate")
    )
    rows = _mapped(leaves, apps).with_columns(
        day=pl.col("date").str.to_date("%Y-%m-%d", strict=False)
    )
    raise_first_problem(
        SOURCE,
        files,
        [
            failing(rows, pl.col("app_id").is_null(), _UNMAPPED),
            failing(
                rows,
                pl.col("day").is_null() | (pl.col("day") != pl.col("file_date")),
                pl.format("an estimate dated '{}', not the file's day", "date"),
            ),
            failing(
                rows,
                pl.col("downloads").is_null()
                | (pl.col("downloads") < 0)
                | (pl.col("downloads") != pl.col("downloads").floor()),
                pl.format(
                    "downloads of product {} in {} is not a non-negative whole number",
                    "product_id",
                    "country",
                ),
            ),
        ],
    )
    return conform(
        rows.select(
            date="day",
            country=pl.col("country").str.to_lowercase(),
            store="store",
            app_id="app_id",
            app_name=pl.lit(None, pl.String),
            downloads=pl.col("downloads").cast(pl.Int64),
            dau=pl.lit(None, pl.Int64),
            source=pl.lit(SOURCE),
        ).unique(["date", "country", "store", "app_id"], keep="first", maintain_order=True),
        APP_ESTIMATES,
    )


def parse_ranks(batch: pl.DataFrame, apps: pl.DataFrame) -> pl.DataFrame:
    """VENDOR_RANKS rows of archived ``ranks.json`` files (a null position: not ranked)."""
    files = number_files(batch)
    docs, undecodable = decode_json(files, _RANKS)
    raise_first_problem(SOURCE, files, [undecodable])
    doc = docs["doc"]
    responses = files.with_columns(dates=doc.struct.field("dates"), data=doc.struct.field("data"))
    series = (
        responses.filter(pl.col("data").list.len() > 0)
        .select(FILE, "dates", series="data")
        .explode("series")
        .unnest("series")
        .unnest("category")
    )
    ranks = (
        series.with_columns(aligned=pl.col("dates").list.len() == pl.col("positions").list.len())
        .filter(pl.col("aligned"))
        .explode("dates", "positions")
        .rename({"dates": "day_text", "positions": "rank"})
    )
    ranks = _mapped(ranks, apps).with_columns(
        day=pl.col("day_text").str.to_date("%Y-%m-%d", strict=False),
        store_name=pl.col("store_id").cast(pl.String).replace_strict(STORE_IDS, default=None),
        chart=pl.col("subtype").str.to_lowercase().replace_strict(CHARTS, default=None),
    )
    ranks = ranks.with_columns(
        device=pl.concat_str(
            "store_name", pl.col("device_id").cast(pl.String), separator="|"
        ).replace_strict({f"{s}|{d}": v for (s, d), v in DEVICES.items()}, default=None)
    )
    raise_first_problem(
        SOURCE,
        files,
        [
            failing(responses, pl.col("data").is_null(), pl.lit("missing field data")),
            failing(
                series,
                pl.col("dates").list.len() != pl.col("positions").list.len(),
                pl.lit("positions and dates differ in length"),
            ),
            failing(ranks, pl.col("app_id").is_null(), _UNMAPPED),
            failing(
                ranks,
                pl.col("store_name").is_null(),
                pl.format("unknown Appfigures store_id {}", "store_id"),
            ),
            failing(
                ranks,
                pl.col("device").is_null(),
                pl.format("unknown Appfigures device_id {} for {}", "device_id", "store_name"),
            ),
            failing(
                ranks, pl.col("chart").is_null(), pl.format("unknown chart subtype '{}'", "subtype")
            ),
            failing(
                ranks, pl.col("day").is_null(), pl.format("date '{}' is not YYYY-MM-DD", "day_text")
            ),
        ],
    )
    return conform(
        ranks.filter(pl.col("rank").is_not_null()).select(
            date="day",
            country=pl.col("country").str.to_lowercase(),
            store="store_name",
            device="device",
            chart="chart",
            genre_id=pl.when(pl.col("name").str.to_lowercase() == "overall")
            .then(pl.lit(None, pl.String))
            .otherwise(pl.col("id").cast(pl.String)),
            app_id="app_id",
            rank=pl.col("rank").cast(pl.Int32),
            source=pl.lit(SOURCE),
        ),
        VENDOR_RANKS,
    )

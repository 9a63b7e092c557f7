"""Parse archived Wikimedia per-article pageviews into search interest. Each file
holds one article's daily views (agent ``user``) as served by the Pageviews API;
its views on the partition's day become one SEARCH_INTEREST row, country ``ww``
(Wikipedia has language editions, not countries), term ``<project>/<article>``,
product from the tracked articles of products.toml. A day without views is
absent from ``items`` and gives no row. A file for another day, a malformed
item or an article no product claims raises RawFileError naming the file, and
nothing partial is returned.
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
from assets.schemas import SEARCH_INTEREST

SOURCE = "wikimedia"
WORLDWIDE = "ww"

_PAGEVIEWS = pl.Struct(
    {
        "items": pl.List(
            pl.Struct(
                {
                    "project": pl.String,
                    "article": pl.String,
                    "timestamp": pl.String,
                    "views": pl.Int64,
                }
            )
        ),
        # Set instead of items when the API answered with an error.
        "title": pl.String,
        "detail": pl.String,
    }
)


def articles_frame(articles) -> pl.DataFrame:
    """Tracked articles (warehouse.products.Article) as the frame ``parse_pageviews`` takes."""
    return pl.DataFrame(
        [(a.project, a.article, a.product) for a in articles],
        schema=["project", "article", "product"],
        orient="row",
    )


def parse_pageviews(batch: pl.DataFrame, articles: pl.DataFrame) -> pl.DataFrame:
    """Search interest rows of archived Wikimedia pageviews files (``wikimedia``).

    ``articles`` maps the tracked articles to products: columns ``project``
    (``en.wikipedia``), ``article`` (``DeepSeek``, underscores as in URLs) and
    ``product`` (``deepseek``).
    """
    tracked = _tracked_articles(articles)
    files = number_files(batch)
    docs, undecodable = decode_json(files, _PAGEVIEWS)
    doc = docs["doc"]
    pages = files.with_columns(
        items=doc.struct.field("items"),
        api_error=pl.concat_str(
            doc.struct.field("title"), doc.struct.field("detail"), separator=": ", ignore_nulls=True
        ),
    )
    items = pl.col("items")
    pageview = pl.col("pageview")
    views = (
        pages.filter(items.list.len() > 0)
        .select(
            FILE,
            "date",
            "path",
            pageview=items,
            index=pl.int_ranges(items.list.len(), dtype=pl.Int32),
        )
        .explode("pageview", "index")
        .with_columns(
            project=pageview.struct.field("project"),
            # The API writes titles with underscores; a space would be the same article.
            article=pageview.struct.field("article").str.replace_all(" ", "_", literal=True),
            timestamp=pageview.struct.field("timestamp"),
            interest=pageview.struct.field("views"),
        )
        .with_columns(
            term=pl.concat_str("project", pl.lit("/"), "article"),
            day=pl.col("timestamp").str.slice(0, 8).str.to_date("%Y%m%d", strict=False),
        )
        .join(tracked, on=["project", "article"], how="left", maintain_order="left")
        .with_columns(first_path=pl.col("path").first().over("day", "term"))
    )
    at = pl.format("items[{}]", "index")
    first_path = pl.col("first_path")
    raise_first_problem(
        SOURCE,
        files,
        [
            failing(
                pages,
                pl.col("country") != WORLDWIDE,
                pl.format(
                    "Wikimedia pageviews have no country: the file belongs under country=ww,"
                    " not country={}",
                    "country",
                ),
            ),
            undecodable,
            failing(
                pages,
                items.is_null(),
                pl.concat_str(
                    pl.lit("missing field items"),
                    pl.format(" (the file is an API error: {})", "api_error"),
                    ignore_nulls=True,
                ),
            ),
            failing(views, pageview.is_null(), pl.format("{} is null", at)),
            failing(
                views,
                pl.col("project").is_null() | pl.col("article").is_null(),
                pl.format("{} has no project or no article", at),
            ),
            failing(
                views,
                ~pl.col("timestamp").str.contains(r"^\d{10}$") | pl.col("day").is_null(),
                pl.format("{} has timestamp '{}', expected YYYYMMDDHH", at, "timestamp"),
            ),
            failing(
                views,
                pl.col("day") != pl.col("date"),
                pl.format(
                    "{} ({}) is for {}, but the file is archived under date={}",
                    at,
                    "term",
                    "day",
                    "date",
                ),
            ),
            failing(views, pl.col("interest").is_null(), pl.format("{} has no views", at)),
            failing(
                views,
                pl.col("interest") < 0,
                pl.format("{} has negative views ({})", at, "interest"),
            ),
            failing(
                views,
                pl.col("path") != first_path,
                pl.format("views of {} on {} also come from {}", "term", "day", first_path),
            ),
            failing(
                views,
                (pl.col("index") > 0) & pl.col("day").is_duplicated().over(FILE),
                pl.format("{} repeats the views of {} on {}", at, "term", "day"),
            ),
            failing(
                views,
                pl.col("product").is_null(),
                pl.format(
                    "article {} is not tracked: add {} to the wikipedia list of its product"
                    " in products.toml",
                    "term",
                    _products_toml_entry(),
                ),
                hint="add the article to products.toml (or remove the file if it is not"
                " wanted), then materialise the partition again",
            ),
        ],
    )
    return conform(
        views.with_columns(country=pl.lit(WORLDWIDE), source=pl.lit(SOURCE)), SEARCH_INTEREST
    )


def _products_toml_entry() -> pl.Expr:
    """How products.toml names an article: "<language>:<Article>" for a Wikipedia edition."""
    language = pl.col("project").str.strip_suffix(".wikipedia")
    return (
        pl.when(pl.col("project").str.ends_with(".wikipedia"))
        .then(pl.format('"{}:{}"', language, "article"))
        .otherwise(pl.col("term"))
    )


def _tracked_articles(articles: pl.DataFrame) -> pl.DataFrame:
    """(project, article, product), one product per article, spaces as underscores."""
    missing = {"project", "article", "product"} - set(articles.columns)
    if missing:
        raise ValueError(f"articles lacks the columns {sorted(missing)}")
    tracked = articles.select(
        pl.col("project").cast(pl.String),
        pl.col("article").cast(pl.String).str.replace_all(" ", "_", literal=True),
        pl.col("product").cast(pl.String),
    ).unique(maintain_order=True)
    claimed_twice = tracked.filter(pl.struct("project", "article").is_duplicated())
    if not claimed_twice.is_empty():
        project, article, _ = claimed_twice.row(0)
        products = claimed_twice.filter(project=project, article=article)["product"].to_list()
        raise ValueError(
            f"article {project}/{article} is listed under several products {products}:"
            " list it under one product in products.toml"
        )
    return tracked

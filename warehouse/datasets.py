"""The lake's datasets, each declared once: its columns (type, description and the
rules of their values), its grain, the rules over its rows and its partitioning.

Everything else is derived from these declarations: the Polars schema every parser
returns and every writer checks (``assets/schemas.py``), the dataframely check a day
passes before it is published (``assets/checks.py``), the warehouse's base tables
(``warehouse/build.py``; their comments and docs/warehouse.md with the derived tables,
``warehouse/tables.py``), the column schema the Dagster UI shows, and
``docs/datasets.md`` (``python -m warehouse.datasets`` writes it; a test checks it is
current). ``tests/test_datasets.py`` checks every grain on the sample's
lake and warehouse.

Conventions of the contract (``docs/warehouse-contract``): ``country`` is a lower-case
ISO 3166-1 alpha-2 code (``ww`` for a source without one); dates are the chart's UTC
day; ``store``, ``device`` and ``chart`` take the values below.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

STORES = ("app_store", "google_play")
DEVICES = ("iphone", "ipad", "android")
CHARTS = ("top_free", "top_paid", "top_grossing")
# The country of rows from a source without one (Wikimedia's pageviews, Appfigures).
WORLDWIDE = "ww"

APP_STORE_ID = r"^\d+$"
PLAY_PACKAGE = r"^[A-Za-z][\w]*(\.[A-Za-z0-9_]+)+$"

# Which storefronts a dataset has partitions for: every configured country, only the
# App Store's among them, the one ``ww`` partition, or ``ww`` and every configured
# country (a dataset fed by worldwide and per-country sources).
CONFIGURED, APP_STORE_ONLY, WORLDWIDE_ONLY = "configured", "app_store", "worldwide"
WORLDWIDE_AND_CONFIGURED = "worldwide_and_configured"

_DUCKDB_TYPES = {
    pl.Boolean: "BOOLEAN",
    pl.Date: "DATE",
    pl.String: "VARCHAR",
    pl.Int32: "INTEGER",
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE",
}


@dataclass(frozen=True)
class Column:
    """One column: its type, what it means and the rules of its values."""

    name: str
    dtype: pl.DataType
    description: str
    nullable: bool = False
    regex: str | None = None
    values: tuple[str, ...] | None = None  # the values allowed
    min: int | None = None
    min_length: int | None = None

    @property
    def duckdb_type(self) -> str:
        return _DUCKDB_TYPES[self.dtype.base_type()]


@dataclass(frozen=True)
class Rule:
    """A rule over a day's rows: ``valid()`` is true for the rows that keep it."""

    name: str
    description: str
    valid: Callable[[], pl.Expr]


@dataclass(frozen=True)
class Dataset:
    """A lake dataset: ``data/lake/<name>/date=YYYY-MM-DD/country=<cc>/part-0.parquet``."""

    name: str
    row: str  # what one row is, after "One row per"
    grain: tuple[str, ...]  # the columns that identify a row
    columns: tuple[Column, ...]
    # Checked before a day is published (the rows_valid check); the grain is checked
    # too, as the rule named grain_rule.
    checked: bool = False
    grain_rule: str = "one_row_per_grain"
    rules: tuple[Rule, ...] = ()
    storefronts: str = CONFIGURED
    sort_by: tuple[str, ...] = ()  # the order of rows inside a partition file
    notes: tuple[str, ...] = field(default=())  # more on its meaning, for the docs
    # Where two sources give rows of one key, the rows of the lower precedence win
    # (``Feed.precedence``); the key is the grain, unless the rows of a key must come
    # whole from one source (a chart: never ranks of two feeds), which it names here.
    settle_by: tuple[str, ...] = ()

    @property
    def settled_by(self) -> tuple[str, ...]:
        """The key by which the rows of several sources are settled: by default the grain."""
        return self.settle_by or self.grain

    @property
    def schema(self) -> pl.Schema:
        return pl.Schema({c.name: c.dtype for c in self.columns})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def duckdb_table(self) -> str:
        """The warehouse's base table of this dataset (a copy of the lake's rows; the
        build comments it from ``warehouse/tables.py``)."""
        body = ",\n".join(f"    {c.name} {c.duckdb_type}" for c in self.columns)
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n{body}\n)"


def _date() -> Column:
    return Column("date", pl.Date(), "the day (UTC) the row describes")


def _country(what: str = "the storefront, a lower-case ISO 3166-1 alpha-2 code") -> Column:
    return Column("country", pl.String(), what, regex=r"^[a-z]{2}$")


def _store() -> Column:
    return Column("store", pl.String(), "app_store or google_play", values=STORES)


def _device() -> Column:
    return Column("device", pl.String(), "iphone, ipad or android", values=DEVICES)


def _chart() -> Column:
    return Column("chart", pl.String(), "top_free, top_paid or top_grossing", values=CHARTS)


def _genre_id() -> Column:
    return Column(
        "genre_id", pl.String(), "the store's genre id of the chart; null: all genres", True
    )


def _app_id(**rules) -> Column:
    return Column(
        "app_id",
        pl.String(),
        "the App Store's numeric id as text, or the Google Play package name",
        **rules,
    )


_CHART = ["date", "country", "store", "device", "chart", "genre_id"]


def _app_id_of_its_store() -> pl.Expr:
    return (
        pl.when(pl.col("store") == "app_store")
        .then(pl.col("app_id").str.contains(APP_STORE_ID))
        .otherwise(pl.col("app_id").str.contains(PLAY_PACKAGE))
    )


CHART_ENTRIES = Dataset(
    name="chart_entries",
    row="date, country, store, device, chart, genre_id and rank: every archived chart",
    grain=("date", "country", "store", "device", "chart", "genre_id", "rank"),
    columns=(
        _date(),
        _country(),
        _store(),
        _device(),
        _chart(),
        _genre_id(),
        Column("rank", pl.Int32(), "the position in the chart, from 1", min=1),
        _app_id(min_length=1),
        Column("app_name", pl.String(), "the app's name as the chart shows it", True),
        Column("developer", pl.String(), "the developer (artist) as the chart shows it", True),
        Column(
            "source",
            pl.String(),
            "where the chart came from: apple_rss, itunes_rss (Apple's feeds, 100 deep),"
            " itunes_charts (Apple's 200-deep chart endpoint, whose charts win whole),"
            " google_play_import (a Play chart file of Chartwatch's shape),"
            " google_play_scraper (a google-play-scraper list)",
        ),
    ),
    checked=True,
    grain_rule="rank_unique_in_chart",
    rules=(
        Rule(
            "app_id_of_its_store",
            "an App Store id is digits, a Google Play id a package name",
            _app_id_of_its_store,
        ),
        Rule(
            "ranks_contiguous_in_chart",
            "a chart's ranks run 1..N without gaps",
            lambda: pl.col("rank").max().over(_CHART) == pl.len().over(_CHART),
        ),
        Rule(
            "app_once_in_chart",
            "an app appears at most once in a chart (one app at ranks 1 and 2 is a broken"
            " feed, or two files merged)",
            lambda: pl.col("app_id").is_unique().over(_CHART),
        ),
    ),
    sort_by=("store", "device", "chart", "genre_id", "rank"),
    # A chart comes whole from one source: Apple's 200-deep charts before its RSS
    # feeds' 100, a Play chart file of Chartwatch's shape before a scraper's list.
    settle_by=tuple(_CHART),
)

CHART_COVERAGE = Dataset(
    name="chart_coverage",
    row="date, country, store, device, chart and genre_id: whether the chart was served,"
    " and how deep",
    grain=tuple(_CHART),
    columns=(
        _date(),
        _country(),
        _store(),
        _device(),
        _chart(),
        _genre_id(),
        Column(
            "status",
            pl.String(),
            "served: the archive holds the chart; unavailable: the source answered 403 or 404"
            " that day (recorded, not a failure)",
            values=("served", "unavailable"),
        ),
        Column(
            "depth",
            pl.Int32(),
            "how many entries the chart served (its last rank); null when unavailable. An"
            " app absent from a served chart is not charting; rank 87 of 100 is near its end",
            True,
            min=1,
        ),
        Column("http_status", pl.Int32(), "the status an unavailable chart answered", True),
        Column("source", pl.String(), "the raw archive the chart came from"),
    ),
    checked=True,
    sort_by=("store", "device", "chart", "genre_id"),
    notes=(
        "A configured chart that a day lacks altogether has no row; the raw asset's"
        " metadata (`lacking_charts`) and log name it.",
    ),
)

APP_ESTIMATES = Dataset(
    name="app_estimates",
    row="date, country, store and app: estimated downloads and DAU, with their source",
    grain=("date", "country", "store", "app_id"),
    columns=(
        _date(),
        _country(),
        _store(),
        _app_id(min_length=1),
        Column("app_name", pl.String(), "the app's name as the estimate names it", True),
        Column("downloads", pl.Int64(), "first-time downloads that day", min=0),
        Column("dau", pl.Int64(), "daily active users; null when unknown", True, min=0),
        Column(
            "source",
            pl.String(),
            "where the figure came from: sample, import (a vendor estimates CSV), appfigures,"
            " play_console_installs (a Play Console installs report's Daily User Installs),"
            " app_store_connect_sales and app_store_connect_downloads (your App Store Connect"
            " reports; in the warehouse also model, Chartwatch's rank model)",
        ),
    ),
    checked=True,
    grain_rule="one_estimate_per_app",
    sort_by=("store", "app_id"),
)

SEARCH_INTEREST = Dataset(
    name="search_interest",
    row="date, country, source and term: search interest (Wikipedia pageviews, worldwide"
    " and per country)",
    grain=("date", "country", "source", "term"),
    columns=(
        _date(),
        _country(
            "where the interest was counted: ww for a worldwide count (source wikimedia),"
            " else the readers' country, a lower-case ISO 3166-1 alpha-2 code (source"
            " wikimedia_country; only configured storefronts are kept)"
        ),
        Column(
            "source",
            pl.String(),
            "who counted the interest: wikimedia (Pageviews API, worldwide) or"
            " wikimedia_country (Wikimedia's differentially private pageviews per country)",
        ),
        Column(
            "term",
            pl.String(),
            "the term or article, <project>/<article>, e.g. en.wikipedia/DeepSeek (one"
            " language edition of the product's article)",
            min_length=1,
        ),
        Column(
            "product",
            pl.String(),
            "the tracked product the term belongs to (wikimedia: its wikipedia articles in"
            " products.toml; wikimedia_country: its wikidata item)",
            True,
        ),
        Column(
            "interest",
            pl.Int64(),
            "views or volume, as the source counts (wikimedia_country: a noisy count,"
            " published only above Wikimedia's release threshold, 90 views since 2023-02-06)",
            min=0,
        ),
    ),
    checked=True,
    sort_by=("source", "term"),
    storefronts=WORLDWIDE_AND_CONFIGURED,
    notes=(
        "A country's row of wikimedia_country exists only on days its count passed"
        " Wikimedia's release threshold, and countries on Wikimedia's protection list"
        " are never published: absent is not zero, and the countries' rows sum to less"
        " than the worldwide count.",
    ),
)

APP_METADATA = Dataset(
    name="app_metadata",
    row="date, country (the storefront asked), store and app: the App Store listing"
    " from the iTunes Lookup API",
    grain=("date", "country", "store", "app_id"),
    columns=(
        _date(),
        _country("the storefront asked"),
        _store(),
        _app_id(),
        Column("name", pl.String(), "the listing's name", True),
        Column("developer", pl.String(), "the seller, falling back to the artist", True),
        Column("bundle_id", pl.String(), "the app's bundle id", True),
        Column("genre", pl.String(), "the primary genre's name", True),
        Column("genre_id", pl.String(), "the primary genre's id", True),
        Column("price", pl.Float64(), "the price in the storefront's currency", True),
        Column("currency", pl.String(), "the storefront's currency", True),
        Column("rating_count", pl.Int64(), "the storefront's count of ratings", True),
        Column("average_rating", pl.Float64(), "the storefront's average rating", True),
        Column("release_date", pl.Date(), "the app's first release", True),
        Column("version", pl.String(), "the current version", True),
        Column("source", pl.String(), "the raw archive the listing came from"),
    ),
    sort_by=("store", "app_id"),
    storefronts=APP_STORE_ONLY,
    notes=("Apps the store does not know on that day have no row.",),
)

VENDOR_RANKS = Dataset(
    name="vendor_ranks",
    row="date, country, store, device, chart, genre_id and app: a vendor's rank history of"
    " the tracked products (Appfigures); positions only, not whole charts",
    grain=("date", "country", "store", "device", "chart", "genre_id", "app_id"),
    columns=(
        _date(),
        _country(),
        _store(),
        _device(),
        _chart(),
        _genre_id(),
        _app_id(),
        Column("rank", pl.Int32(), "the app's position in the chart"),
        Column("source", pl.String(), "the vendor"),
    ),
    sort_by=("store", "device", "chart", "genre_id", "app_id"),
    notes=(
        "The tracked products' positions only (not whole charts), so kept apart from"
        " chart_entries; they fill the days before Chartwatch captured any chart.",
    ),
)

MODEL_CALIBRATION = Dataset(
    name="model_calibration",
    row="date, country, store and app of the panel: the known downloads that calibrate the"
    " rank -> downloads model",
    grain=("date", "country", "store", "app_id"),
    columns=(
        _date(),
        _country(),
        _store(),
        _app_id(),
        Column("app_name", pl.String(), "the app's name", True),
        Column("downloads", pl.Int64(), "the known downloads of the day"),
        Column("truth_source", pl.String(), "where the known figure came from"),
        Column("window_start", pl.Date(), "the first day of the fit"),
        Column("window_end", pl.Date(), "the last day of the fit"),
    ),
    sort_by=("store", "app_id"),
    notes=(
        "The panel is a seeded 10% of the apps with estimates in the sample, or"
        " CHARTWATCH_PANEL; its apps that charted enter the fit (assets/rank_model/model.py).",
    ),
)

MODEL_PARAMETERS = Dataset(
    name="model_parameters",
    row="date, country, store, device, chart and rank band: the fitted power law"
    " d(r) = scale * r^(-exponent), its spread and how it was fitted",
    grain=("date", "country", "store", "device", "chart", "rank_from"),
    columns=(
        _date(),
        _country(),
        _store(),
        _device(),
        _chart(),
        Column("rank_from", pl.Int32(), "the band's first rank"),
        Column("rank_to", pl.Int32(), "the band's last rank"),
        Column("exponent", pl.Float64(), "the power law's exponent"),
        Column("log_scale", pl.Float64(), "ln scale"),
        Column("scale", pl.Float64(), "downloads at rank 1 of the band's curve"),
        Column("sigma", pl.Float64(), "the residual spread of ln downloads"),
        Column("scale_se", pl.Float64(), "the uncertainty of ln scale"),
        Column("n_obs", pl.Int64(), "the country's panel observations on the chart"),
        Column(
            "method",
            pl.String(),
            "country (the country's panel, shrunk to the prior), market_size or pooled"
            " (no panel app charted there)",
        ),
        Column("window_start", pl.Date(), "the first day of the fit"),
        Column("window_end", pl.Date(), "the last day of the fit"),
    ),
    sort_by=("store", "device", "chart", "rank_from"),
)

# In the order a run builds them and the warehouse loads them.
DATASETS: tuple[Dataset, ...] = (
    CHART_ENTRIES,
    CHART_COVERAGE,
    APP_ESTIMATES,
    SEARCH_INTEREST,
    APP_METADATA,
    VENDOR_RANKS,
    MODEL_CALIBRATION,
    MODEL_PARAMETERS,
)
BY_NAME: dict[str, Dataset] = {d.name: d for d in DATASETS}
DOCS = Path(__file__).resolve().parents[1] / "docs" / "datasets.md"


def markdown() -> str:
    """docs/datasets.md: every dataset, its grain, partitioning, columns and rules."""
    where = {
        CONFIGURED: "one partition per configured storefront",
        APP_STORE_ONLY: "one partition per configured App Store storefront",
        WORLDWIDE_ONLY: "one partition, country=ww",
        WORLDWIDE_AND_CONFIGURED: "one partition country=ww and one per configured storefront",
    }
    parts = [
        "# The lake's datasets",
        "",
        "Written by `python -m warehouse.datasets` from `warehouse/datasets.py`, where each"
        " dataset is declared once; do not edit by hand. Files:"
        " `data/lake/<dataset>/date=YYYY-MM-DD/country=<cc>/part-0.parquet`, each also"
        " holding `date` and `country` as columns. The warehouse's table of the same name"
        " is a copy.",
    ]
    for dataset in DATASETS:
        parts += [
            "",
            f"## {dataset.name}",
            "",
            f"One row per {dataset.row}.",
            "",
            f"- grain: {', '.join(dataset.grain)}",
            f"- partitions: {where[dataset.storefronts]}; rows ordered by"
            f" {', '.join(dataset.sort_by)}",
            *(
                [
                    f"- where two sources give rows of one {', '.join(dataset.settle_by)},"
                    " those of one source are kept whole (the source of lower precedence):"
                    " rows of two sources are never mixed"
                ]
                if dataset.settle_by
                else []
            ),
            *(f"- {note}" for note in dataset.notes),
            "",
            *column_table(dataset.columns),
        ]
        if dataset.checked:
            rules = [(dataset.grain_rule, f"one row per {', '.join(dataset.grain)}")]
            rules += [(rule.name, rule.description) for rule in dataset.rules]
            parts += [
                "",
                "Checked before a day is published (a day that breaks a rule is quarantined):",
                "",
                *(f"- `{name}`: {text}" for name, text in rules),
            ]
    return "\n".join(parts) + "\n"


def column_table(columns: tuple[Column, ...]) -> list[str]:
    """The lines of a markdown table of columns: name, type, null, meaning."""
    return [
        "| column | type | null | meaning |",
        "|---|---|---|---|",
        *(
            f"| {c.name} | {c.duckdb_type} | {'yes' if c.nullable else 'no'} |"
            f" {c.description}{_value_rules(c)} |"
            for c in columns
        ),
    ]


def _value_rules(column: Column) -> str:
    said = []
    if column.regex:
        said.append(f"matches `{column.regex}`")
    if column.min is not None:
        said.append(f">= {column.min}")
    if column.min_length:
        said.append("not empty")
    return f" ({'; '.join(said)})" if said else ""


if __name__ == "__main__":
    DOCS.write_text(markdown(), encoding="utf-8")
    print(f"wrote {DOCS}", file=sys.stderr)

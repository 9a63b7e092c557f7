"""The warehouse's tables, each described once: what the table holds and what each
of its columns means.

The lake's base tables are declared in ``warehouse/datasets.py`` (their columns, with
the rules of their values); this module declares the rest: the tables the SQL models
of ``warehouse/models`` create, the columns a model adds to a base table, the build's
own ``warehouse_state`` and the rows of the ``launch_report()`` macro. What one row is
stays in each model's header ("One row per ...", read by ``build.table_rows()``).

From these declarations come the ``COMMENT ON`` of every table and column, written by
every build in its transaction (``warehouse/build.py``; ``duckdb_columns()`` and SQL
clients show them), the page of each table in the Dagster UI
(``assets/warehouse_tables.py``) and ``docs/warehouse.md`` (``python -m
warehouse.tables`` writes it; a test checks it is current).
``tests/test_warehouse_tables.py`` builds a warehouse and checks the declarations
against it: a column a model creates without a description here fails it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from warehouse import datasets
from warehouse.datasets import (
    APP_ESTIMATES,
    CHART_ENTRIES,
    DATASETS,
    MODEL_PARAMETERS,
    SEARCH_INTEREST,
    Column,
    column_table,
)


@dataclass(frozen=True)
class Table:
    """A table of the warehouse (or the rows a table macro returns)."""

    name: str
    description: str  # what it holds, in a sentence or two
    columns: tuple[Column, ...]  # in the table's order
    row: str = ""  # what one row is, after "One row per" (a model's header says it)
    macro: bool = False  # a table macro: the columns are those of the rows it returns

    @property
    def comment(self) -> str:
        return f"{self.description} One row per {self.row}." if self.row else self.description

    def comments(self) -> dict[str | None, str]:
        """The table's comment (key None) and each column's (none for a macro: DuckDB
        comments a macro, not the columns it returns)."""
        columns = {} if self.macro else {c.name: c.description for c in self.columns}
        return {None: self.comment, **columns}

    def comment_statement(self, column: str | None, text: str) -> str:
        quoted = "'" + text.replace("'", "''") + "'"
        if self.macro:
            return f"COMMENT ON MACRO TABLE {self.name} IS {quoted}"
        if column is None:
            return f"COMMENT ON TABLE {self.name} IS {quoted}"
        return f'COMMENT ON COLUMN {self.name}."{column}" IS {quoted}'


# Columns with the meaning they have in the lake.
_COUNTRY = CHART_ENTRIES.column("country")
_STORE = CHART_ENTRIES.column("store")
_DEVICE = CHART_ENTRIES.column("device")
_APP_ID = CHART_ENTRIES.column("app_id")
_METHOD = MODEL_PARAMETERS.column("method")

_DAY = CHART_ENTRIES.column("date")
_OVERALL_CHART = Column(
    "chart", pl.String(), "top_free, top_paid or top_grossing: an overall chart (genre_id null)"
)
_PRODUCT_KEY = Column(
    "product", pl.String(), "the product's key in products.toml: stable, lower case (deepseek)"
)
_APPS_PRODUCT = Column(
    "product",
    pl.String(),
    "the app's product (apps.product): its products.toml key when tracked, else a slug of its name",
)
_PRODUCT_NAME = Column("name", pl.String(), "the product's display name (products.toml name)")
_CATEGORY = Column(
    "category",
    pl.String(),
    "free text grouping comparable products (products.toml category); null when not given",
    nullable=True,
)
_LISTING = (
    "from the app's latest listing in app_metadata (the latest date; on it the US"
    " storefront, then the highest country code); null for an app never looked up"
)


@dataclass(frozen=True)
class Additions:
    """What the models add to a lake dataset's base table."""

    note: str
    columns: tuple[Column, ...]


ADDITIONS: dict[str, Additions] = {
    APP_ESTIMATES.name: Additions(
        note="The build also settles it (18_estimates_in_use.sql, CHARTWATCH_ESTIMATES): the"
        " rank model's estimate (source model, from model_estimates) for every charting app"
        " without a known figure, or in model mode for every app outside the panel.",
        columns=(
            Column(
                "downloads_low",
                pl.Int64(),
                "the lower end of the rank model's 80% interval of downloads, for a row the"
                " build took from model_estimates; null for a figure loaded from the lake",
                nullable=True,
            ),
            Column(
                "downloads_high",
                pl.Int64(),
                "the upper end of the rank model's 80% interval of downloads, for a row the"
                " build took from model_estimates; null for a figure loaded from the lake",
                nullable=True,
            ),
        ),
    ),
}

# The tables the SQL models create (and the launch_report macro), in build order.
DERIVED: tuple[Table, ...] = (
    Table(
        "model_estimates",
        "The rank model's estimated downloads of every app on an overall chart, from the"
        " day's fitted power law (model_parameters) at the app's rank, with an 80% interval;"
        " app_estimates takes them where it has no known figure.",
        (
            _DAY,
            _COUNTRY,
            _STORE,
            _APP_ID,
            Column(
                "app_name",
                pl.String(),
                "the app's name on the chart where it ranked best; null when that chart gave none",
                nullable=True,
            ),
            Column(
                "downloads",
                pl.Int64(),
                "estimated first-time downloads that day: the median exp(mu) of ln downloads"
                " at the app's rank, mu = log_scale - exponent * ln rank, rounded",
            ),
            Column(
                "downloads_low",
                pl.Int64(),
                "the 80% interval's lower end: exp(mu - 1.2816 s), s = sqrt(sigma^2 +"
                " scale_se^2), rounded",
            ),
            Column(
                "downloads_high",
                pl.Int64(),
                "the 80% interval's upper end: exp(mu + 1.2816 s), rounded",
            ),
            Column(
                "dau", pl.Int64(), "always null: the model estimates downloads only", nullable=True
            ),
            Column("source", pl.String(), "always model"),
            Column(
                "device",
                pl.String(),
                "the device of the chart the estimate rests on: of the app's overall charts"
                " that day, the one whose fit has the smallest spread s",
            ),
            Column("chart", pl.String(), "the chart the estimate rests on (top_free, ...)"),
            Column(
                "rank",
                pl.Int32(),
                "the app's rank on that chart (its best, when listed twice)",
            ),
            replace(
                _METHOD, description="how that chart's rank band was fitted: " + _METHOD.description
            ),
        ),
    ),
    Table(
        "estimates_in_use",
        "Which downloads app_estimates holds on each day: the estimates mode the day was"
        " settled with, and how many of its rows are known figures or the rank model's.",
        (
            _DAY,
            Column(
                "mode",
                pl.String(),
                "CHARTWATCH_ESTIMATES when the day was settled: vendor (known figures where they"
                " exist, the model for every other charting app) or model (only the panel's"
                " known figures, the model for every other app)",
            ),
            Column(
                "known_rows",
                pl.Int64(),
                "the day's app_estimates rows whose source is not model (sample, import,"
                " appfigures)",
            ),
            Column("model_rows", pl.Int64(), "the day's app_estimates rows whose source is model"),
        ),
    ),
    Table(
        "products",
        "The tracked products of products.toml, reloaded on every build.",
        (
            _PRODUCT_KEY,
            _PRODUCT_NAME,
            _CATEGORY,
            Column(
                "wikidata",
                pl.String(),
                "the Wikidata item of the product's article ('Q115564437', products.toml"
                " wikidata): its pageviews per country, in every language edition, are the"
                " product's (search_interest, source wikimedia_country); null when not given",
                nullable=True,
            ),
        ),
    ),
    Table(
        "tracked_products",
        "The store apps each tracked product is made of (app_store and google_play in"
        " products.toml).",
        (
            _PRODUCT_KEY,
            _PRODUCT_NAME,
            _CATEGORY,
            _STORE,
            replace(_APP_ID, description="an App Store id or Google Play package of the product"),
        ),
    ),
    Table(
        "product_competitors",
        "The products each tracked product's launch report compares against (competitors in"
        " products.toml).",
        (
            _PRODUCT_KEY,
            Column("competitor", pl.String(), "the competing product's key"),
            Column(
                "position",
                pl.Int32(),
                "the competitor's place in the product's list, from 1 (1: the one a report"
                " compares with by default)",
            ),
        ),
    ),
    Table(
        "wikipedia_articles",
        "The Wikipedia articles whose daily pageviews are a product's search interest"
        " (wikipedia in products.toml).",
        (
            _PRODUCT_KEY,
            Column("project", pl.String(), "the Wikimedia project, e.g. en.wikipedia"),
            Column(
                "article",
                pl.String(),
                "the article's title as products.toml writes it, underscores for spaces"
                " (Gemini_(chatbot))",
            ),
            Column("language", pl.String(), "the edition's language code, e.g. en"),
        ),
    ),
    Table(
        "app_sightings_daily",
        "The name and developer each app showed on a day in chart_entries or app_estimates:"
        " the building block of apps, which takes each app's most recent sighting.",
        (
            _STORE,
            _APP_ID,
            Column("date", pl.Date(), "the day (UTC) a chart or an estimate named the app"),
            Column(
                "name",
                pl.String(),
                "the app's name that day: the US storefront's, else the highest country"
                " code's, else the highest name; null when no sighting that day had one",
                nullable=True,
            ),
            Column(
                "developer",
                pl.String(),
                "the developer a chart showed that day, by the same preference; null when no"
                " chart named one (estimates carry no developer)",
                nullable=True,
            ),
        ),
    ),
    Table(
        "apps",
        "Every app seen in chart_entries or app_estimates, or looked up in app_metadata: its"
        " product, its latest name and developer, when it was seen, and its latest store"
        " listing.",
        (
            _STORE,
            _APP_ID,
            Column(
                "product",
                pl.String(),
                "its products.toml key when tracked; else a slug of its name (lower case, runs"
                " of characters other than letters and digits -> '-'), or its lower-cased"
                " app_id when the name has no letter or digit",
            ),
            Column(
                "name",
                pl.String(),
                "the name of its most recent sighting (app_sightings_daily), else its"
                " listing's; null when neither has one",
                nullable=True,
            ),
            Column(
                "developer",
                pl.String(),
                "the developer the charts last named, else its listing's seller; null when"
                " neither has one",
                nullable=True,
            ),
            Column("tracked", pl.Boolean(), "true when products.toml lists the app"),
            Column(
                "first_seen",
                pl.Date(),
                "the first day a chart or an estimate named the app; null for an app only"
                " looked up",
                nullable=True,
            ),
            Column(
                "last_seen",
                pl.Date(),
                "the last day a chart or an estimate named the app; null for an app only looked up",
                nullable=True,
            ),
            Column("bundle_id", pl.String(), f"the app's bundle id, {_LISTING}", True),
            Column("genre", pl.String(), f"the primary genre's name, {_LISTING}", True),
            Column("genre_id", pl.String(), f"the primary genre's id, {_LISTING}", True),
            Column(
                "price", pl.Float64(), f"the price in that storefront's currency, {_LISTING}", True
            ),
            Column("currency", pl.String(), f"that storefront's currency, {_LISTING}", True),
            Column(
                "rating_count",
                pl.Int64(),
                f"that storefront's count of ratings (not worldwide), {_LISTING}",
                True,
            ),
            Column(
                "average_rating",
                pl.Float64(),
                f"that storefront's average rating (not worldwide), {_LISTING}",
                True,
            ),
            Column("release_date", pl.Date(), f"the app's first release, {_LISTING}", True),
            Column(
                "metadata_date",
                pl.Date(),
                "the date of the listing the columns bundle_id..release_date come from; null"
                " for an app never looked up",
                nullable=True,
            ),
        ),
    ),
    Table(
        "app_rank_history",
        "An app's rank on an overall chart (genre_id null) each day, with its rank the day"
        " before and a week before.",
        (
            _DAY,
            _COUNTRY,
            _STORE,
            _DEVICE,
            _OVERALL_CHART,
            _APP_ID,
            _APPS_PRODUCT,
            Column(
                "rank", pl.Int32(), "the app's rank that day, from 1 (its best when listed twice)"
            ),
            Column(
                "rank_1d_ago",
                pl.Int32(),
                "its rank on the same chart on date - 1; null when it was not on that chart"
                " then, or that chart was not captured",
                nullable=True,
            ),
            Column(
                "rank_7d_ago",
                pl.Int32(),
                "its rank on the same chart on date - 7; null when it was not on that chart"
                " then, or that chart was not captured",
                nullable=True,
            ),
        ),
    ),
    Table(
        "app_chart_coverage",
        "In how many countries an app is on an overall chart (genre_id null) on a day, and"
        " how high.",
        (
            _DAY,
            _STORE,
            _DEVICE,
            _OVERALL_CHART,
            _APP_ID,
            _APPS_PRODUCT,
            Column("countries_rank_1", pl.Int64(), "the countries where the app is #1 on it"),
            Column(
                "countries_top_10", pl.Int64(), "the countries where the app ranks 1 to 10 on it"
            ),
            Column("countries_charting", pl.Int64(), "the countries where the app is on it at all"),
            Column("best_rank", pl.Int32(), "the app's best rank on it over those countries"),
        ),
    ),
    Table(
        "product_downloads_daily",
        "A product's first-time downloads each day, summed over its apps in both stores and"
        " every country, with its running total, its last 7 days and their 80% bounds.",
        (
            Column(
                "date",
                pl.Date(),
                "every calendar day (UTC) from the product's first day with estimates to the"
                " last day of app_estimates",
            ),
            _APPS_PRODUCT,
            Column(
                "downloads",
                pl.Int64(),
                "the day's downloads of the product's apps in app_estimates (known figures"
                " where present, else the rank model's, as CHARTWATCH_ESTIMATES settles it);"
                " null on a day without any estimate for the product",
                nullable=True,
            ),
            Column(
                "cumulative_downloads",
                pl.Int64(),
                "the downloads from the product's first day through date (a day without"
                " estimates adds nothing)",
            ),
            Column(
                "downloads_last_7d",
                pl.Int64(),
                "the downloads of the 7 calendar days ending on date (days without estimates"
                " add nothing)",
            ),
            Column(
                "share_last_7d",
                pl.Float64(),
                "downloads_last_7d / cumulative_downloads: the part of all downloads to date"
                " made in the last 7 days; null while cumulative_downloads is 0",
                nullable=True,
            ),
            Column(
                "estimated",
                pl.Boolean(),
                "true when any of the day's estimates came from the rank model (source model)",
            ),
            Column(
                "downloads_low",
                pl.Int64(),
                "the lower 80% bound of downloads: the model's rows at their downloads_low,"
                " known figures as they are; null when downloads is",
                nullable=True,
            ),
            Column(
                "downloads_high",
                pl.Int64(),
                "the upper 80% bound of downloads: the model's rows at their downloads_high,"
                " known figures as they are; null when downloads is",
                nullable=True,
            ),
            Column(
                "cumulative_low",
                pl.Int64(),
                "the lower bound of cumulative_downloads: the days' lower bounds added (as if"
                " every error pointed the same way)",
            ),
            Column(
                "cumulative_high",
                pl.Int64(),
                "the upper bound of cumulative_downloads: the days' upper bounds added",
            ),
            Column(
                "downloads_last_7d_low",
                pl.Int64(),
                "the lower bound of downloads_last_7d: the 7 days' lower bounds added",
            ),
            Column(
                "downloads_last_7d_high",
                pl.Int64(),
                "the upper bound of downloads_last_7d: the 7 days' upper bounds added",
            ),
        ),
    ),
    Table(
        "product_country_share",
        "Where a product's downloads came from, all time to date: each country's downloads"
        " through each day and its share of the product's.",
        (
            Column("date", pl.Date(), "a day of product_downloads_daily for the product"),
            _APPS_PRODUCT,
            replace(
                _COUNTRY,
                description="the storefront (lower-case ISO 3166-1 alpha-2): a country with an"
                " estimate for the product on or before date",
            ),
            Column(
                "downloads_to_date",
                pl.Int64(),
                "the product's downloads in the country through date (carried over days"
                " without an estimate)",
            ),
            Column(
                "share",
                pl.Float64(),
                "downloads_to_date / the product's downloads in every country through date"
                " (a date's shares sum to 1); null while the product has no downloads",
                nullable=True,
            ),
        ),
    ),
    Table(
        "product_dau_daily",
        "A product's daily active users, summed over its apps in both stores and every"
        " country, against the same weekday a week earlier.",
        (
            Column("date", pl.Date(), "a day (UTC) with estimates for the product"),
            _APPS_PRODUCT,
            Column(
                "dau",
                pl.Int64(),
                "the sum of the day's known DAU; null when no estimate of the day knows it",
                nullable=True,
            ),
            Column("dau_7d_ago", pl.Int64(), "dau on date - 7; null when that day has none", True),
            Column(
                "wow_growth",
                pl.Float64(),
                "dau / dau_7d_ago - 1 (0.25: a quarter more users); null when either is"
                " unknown or dau_7d_ago is 0",
                nullable=True,
            ),
        ),
    ),
    Table(
        "search_interest_daily",
        "A product's search interest each day, summed over countries and editions (all the"
        " Wikipedia languages of its articles); terms of no product are left out.",
        (
            _DAY,
            replace(
                _APPS_PRODUCT,
                description="the tracked product the terms belong to (search_interest.product)",
            ),
            SEARCH_INTEREST.column("source"),
            Column(
                "interest",
                pl.Int64(),
                "the day's interest summed over the product's terms, as the source counts"
                " (wikimedia: worldwide pageviews; wikimedia_country: the published counts of"
                " every country, which sum to less than the worldwide views)",
            ),
            Column("terms", pl.Int64(), "how many distinct terms (articles) the sum covers"),
        ),
    ),
    Table(
        "search_interest_country_daily",
        "A product's search interest each day in each country where the source counts by"
        " country (wikimedia_country), summed over the language editions of its article;"
        " a country whose count did not pass the release threshold that day has no row.",
        (
            _DAY,
            replace(
                _APPS_PRODUCT,
                description="the tracked product the terms belong to (search_interest.product)",
            ),
            Column(
                "country",
                pl.String(),
                "the readers' country, a lower-case ISO 3166-1 alpha-2 code",
            ),
            SEARCH_INTEREST.column("source"),
            Column(
                "interest",
                pl.Int64(),
                "the day's published views from the country, summed over the product's"
                " terms (the language editions of its article)",
            ),
            Column("terms", pl.Int64(), "how many distinct terms (articles) the sum covers"),
        ),
    ),
    Table(
        "launch_report",
        "The table macro launch_report(p_product, p_date, p_vs): the figures that explain a"
        " product's launch as of the morning of p_date, compared with the product p_vs"
        " (SELECT * FROM launch_report('deepseek', DATE '2025-01-27', 'perplexity')).",
        (
            Column(
                "figure",
                pl.String(),
                "the figure's stable id, rows in this order: countries_rank_1,"
                " countries_top_10, us_rank, us_rank_before_peak, us_rank_climb,"
                " cumulative_downloads, downloads_milestone, share_last_7d, downloads_last_7d,"
                " downloads_vs_competitor, dau_wow_growth, country_share,"
                " interest_country_share, search_interest_week, search_interest_ratio_vs_next",
            ),
            Column(
                "store",
                pl.String(),
                "app_store or google_play for a chart figure; null when the figure covers"
                " both stores",
                nullable=True,
            ),
            Column(
                "value",
                pl.Float64(),
                "the figure: a count of countries, a rank, downloads, interest, a share"
                " (0..1) or a relative difference (0.25: a quarter more); null when the"
                " warehouse has no data for it",
                nullable=True,
            ),
            Column(
                "as_of",
                pl.Date(),
                "the day the value describes (p_date - 1 for downloads, the peak's day for"
                " us_rank_climb, the week's last day p_date + 6 for search interest); null"
                " when there is none",
                nullable=True,
            ),
            Column(
                "detail",
                pl.String(),
                "human text qualifying the value: the chart, the day, a country, a product,"
                " a date range, '31 -> 1'",
                nullable=True,
            ),
            Column(
                "position",
                pl.Int32(),
                "the row's order within its figure: the day of us_rank (1..7, 7 = p_date), a"
                " country's place in country_share (by downloads to date) and"
                " interest_country_share (by Wikipedia views per country in the week p_date"
                " .. p_date + 6), 2 for p_vs's downloads_last_7d; else 1",
            ),
            Column(
                "product",
                pl.String(),
                "the product the value is about: p_product, or p_vs for its own"
                " downloads_last_7d row",
            ),
            Column(
                "estimated",
                pl.Boolean(),
                "true when a download figure rests on the rank model (source model) for any"
                " app, country or day it sums",
            ),
            Column(
                "modelled_share",
                pl.Float64(),
                "the part of the downloads the figure sums that are the rank model's (for a"
                " ratio: of its numerator's and denominator's together); 0 when none, null"
                " for a figure that sums no downloads (ranks, DAU, search interest)",
                nullable=True,
            ),
            Column(
                "low",
                pl.Float64(),
                "the lower end of the figure's 80% interval (bounds of sums add the inputs'"
                " bounds, of ratios divide a bound by the other's opposite end); null unless"
                " estimated",
                nullable=True,
            ),
            Column(
                "high",
                pl.Float64(),
                "the upper end of the figure's 80% interval; null unless estimated",
                nullable=True,
            ),
        ),
        macro=True,
    ),
)

# The build's record (warehouse/build.py, STATE_TABLE), not a model's table.
STATE = Table(
    "warehouse_state",
    "What the derived tables were built with: a build whose incremental models or estimates"
    " mode differ rebuilds them all.",
    (
        Column(
            "models_hash",
            pl.String(),
            "the SHA-256 (hex) of the estimates mode and every incremental model's name and SQL",
        ),
    ),
    row="warehouse (it holds a single row)",
)

BY_NAME: dict[str, Table] = {table.name: table for table in (*DERIVED, STATE)}
DOCS = Path(__file__).resolve().parents[1] / "docs" / "warehouse.md"


def base_table(name: str, row: str) -> Table:
    """The warehouse's copy of a lake dataset, with what the models add to it."""
    dataset = datasets.BY_NAME[name]
    added = ADDITIONS.get(name)
    notes = [*dataset.notes, *([added.note] if added else [])]
    return Table(
        name,
        " ".join([f"The lake's {name} (docs/datasets.md), loaded from data/lake/{name}.", *notes]),
        (*dataset.columns, *(added.columns if added else ())),
        row=row,
    )


def warehouse_tables(rows: Mapping[str, str]) -> list[Table]:
    """Every table of the warehouse, with what one row is, then the launch_report macro.

    ``rows`` is ``warehouse.build.table_rows()``: what one row of each lake dataset and
    model is, in build order (build.py imports this module, so it is handed in). A model
    without a declaration here is left out (tests/test_warehouse_tables.py fails on it)."""
    base = {dataset.name for dataset in DATASETS}
    found = [
        base_table(name, row) if name in base else replace(BY_NAME[name], row=row)
        for name, row in rows.items()
        if name in base or name in BY_NAME
    ]
    tables = [t for t in found if not t.macro]
    return [*tables, STATE, *(t for t in found if t.macro)]


def markdown(rows: Mapping[str, str]) -> str:
    """docs/warehouse.md: every table of the warehouse, what one row is, its columns."""
    described = warehouse_tables(rows)
    tables = [t for t in described if not t.macro]
    parts = [
        "# The warehouse's tables",
        "",
        "Written by `python -m warehouse.tables` from `warehouse/tables.py` (the tables of"
        ' the SQL models in `warehouse/models`, with the headers\' "One row per") and'
        " `warehouse/datasets.py` (the lake's datasets); do not edit by hand. The same"
        " descriptions are the comments of the tables and columns in"
        " `data/warehouse.duckdb` (`SELECT table_name, column_name, comment FROM"
        " duckdb_columns()`) and the pages `warehouse/tables/<table>` of the Dagster UI."
        " Dates are UTC days; countries lower-case ISO 3166-1 alpha-2 codes.",
        "",
        "| table | one row per |",
        "|---|---|",
        *(f"| [{t.name}](#{t.name}) | {t.row} |" for t in tables),
    ]
    for table in described:
        title = f"{table.name}() (table macro)" if table.macro else table.name
        parts += [
            "",
            f"## {title}",
            "",
            table.description,
            "",
            f"One row per {table.row}.",
            "",
            *column_table(table.columns),
        ]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    from warehouse.build import table_rows  # build.py imports this module

    DOCS.write_text(markdown(table_rows()), encoding="utf-8")
    print(f"wrote {DOCS}", file=sys.stderr)

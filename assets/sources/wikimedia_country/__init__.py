"""Wikimedia's differentially private daily pageviews per country: search interest by
country, every language edition of a product's article found through its Wikidata
item (products.toml ``wikidata``). Imported as Wikimedia publishes them (a file a
day that names its day), or rendered by the sample market."""

from __future__ import annotations

from assets import live
from assets.sources.importing import Importer
from assets.sources.source import Archive, Day, Feed, Source
from assets.sources.wikimedia_country import imports, parse, render
from warehouse.datasets import WORLDWIDE_ONLY
from warehouse.products import read_products

ARCHIVE = Archive(
    parse.SOURCE,
    "",
    WORLDWIDE_ONLY,
    importer=Importer(
        imports.SUFFIXES,
        # The import checks every line of the file (every page, tracked or not).
        lambda batch: parse.parse_country_pageviews(batch, None),
        imports.DOCUMENTED,
        span=imports.pageviews_span,
    ),
)


def _search_interest(day: Day):
    rows = parse.parse_country_pageviews(day.batch(ARCHIVE), day.products.wikidata_items)
    return day.own(rows)


def _render(market, config, dates):
    products = read_products(config.products_path)
    return render.country_pageview_responses(market, dates, products)


SOURCE = Source(
    name="wikimedia_country",
    description="Wikimedia's daily pageviews per country (differentially private) of every"
    " language edition of each tracked product's Wikidata item (products.toml wikidata);"
    " imported files, history since 2015.",
    archives=(ARCHIVE,),
    fetch=lambda config, date, client: live.imported_archive(config, ARCHIVE, date),
    render=_render,
    feeds={"search_interest": Feed(_search_interest)},
    kinds=frozenset({"python", "csv"}),
)

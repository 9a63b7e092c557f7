"""Wikimedia's daily pageviews per country into search interest per country: the
published files (tab-separated, no header), files that name their columns, the
products' Wikidata items, the import of a file that says its day in its name, a
live-mode run to the lake, and the sample market's files."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.graph import asset_graph
from assets.imports import import_files
from assets.market import resources_for
from assets.raw import RawFileError, response_batch
from assets.resources import ChartwatchConfig
from assets.schemas import SEARCH_INTEREST
from assets.sources.wikimedia_country.imports import pageviews_span
from assets.sources.wikimedia_country.parse import RELEASE_THRESHOLD, parse_country_pageviews
from tests.raw_batches import DAY, raw_batch, raw_file
from warehouse.products import ProductsFileError, read_products

ITEMS = {"Q115564437": "chatgpt", "Q116698014": "gemini"}


def line(name, code, project, page_id, title, item, count) -> str:
    return f"{name}\t{code}\t{project}\t{page_id}\t{title}\t{item}\t{count}\n"


# A day as Wikimedia publishes it: ChatGPT's item in three editions and four
# countries, Gemini's in one, the Main Page (an item no product tracks) and a page
# without an item. China is withheld (protection list): it has no line at all.
PUBLISHED = "".join(
    [
        line("United States", "US", "en.wikipedia", 72446, "ChatGPT", "Q115564437", 15234),
        line("United States", "US", "es.wikipedia", 10033, "ChatGPT", "Q115564437", 412),
        line("United States", "US", "en.wikipedia", 15580374, "Main_Page", "Q5296", 2400117),
        line("Germany", "DE", "de.wikipedia", 12020, "ChatGPT", "Q115564437", 8120),
        line("Germany", "DE", "en.wikipedia", 72446, "ChatGPT", "Q115564437", 731),
        line("Germany", "DE", "de.wikipedia", 55501, "Gemini_(Chatbot)", "Q116698014", 96),
        line("Mexico", "MX", "es.wikipedia", 10033, "ChatGPT", "Q115564437", 1904),
        line("Taiwan", "TW", "zh.wikipedia", 81234, "ChatGPT", "Q115564437", 655),
        line("Taiwan", "TW", "zh.wikipedia", 99, "Some_page", "", 180),
    ]
)
EXPECTED = [
    ("de", "de.wikipedia/ChatGPT", "chatgpt", 8120),
    ("de", "de.wikipedia/Gemini_(Chatbot)", "gemini", 96),
    ("de", "en.wikipedia/ChatGPT", "chatgpt", 731),
    ("mx", "es.wikipedia/ChatGPT", "chatgpt", 1904),
    ("tw", "zh.wikipedia/ChatGPT", "chatgpt", 655),
    ("us", "en.wikipedia/ChatGPT", "chatgpt", 15234),
    ("us", "es.wikipedia/ChatGPT", "chatgpt", 412),
]


def day_file(body: str, date: dt.date = DAY, item: str = "country_project_page") -> dict:
    return raw_file(item, body, source="wikimedia_country", date=date, country="ww", ext="tsv")


def interest(*files: dict, items=ITEMS) -> list[tuple]:
    rows = parse_country_pageviews(raw_batch(*files), items)
    assert rows.schema == SEARCH_INTEREST
    assert set(rows["date"]) <= {DAY} and set(rows["source"]) <= {"wikimedia_country"}
    return rows.sort("country", "term").select("country", "term", "product", "interest").rows()


def problem_of(body: str, items=ITEMS) -> str:
    with pytest.raises(RawFileError) as caught:
        parse_country_pageviews(raw_batch(day_file(body)), items)
    assert caught.value.path.endswith("country_project_page.tsv")
    return caught.value.problem


def test_the_tracked_items_views_become_interest_per_country_and_edition():
    assert interest(day_file(PUBLISHED)) == EXPECTED


def test_without_items_every_page_is_read_for_the_import_check():
    rows = parse_country_pageviews(raw_batch(day_file(PUBLISHED)), None)
    assert rows.height == PUBLISHED.count("\n")
    assert rows["product"].is_null().all() and "cn" not in set(rows["country"])


def test_a_file_naming_its_columns_is_read_by_name_with_names_or_codes():
    body = (
        "\ufeffproject,page_title,item_id,private_count,page_id,country\r\n"
        "en.wikipedia,ChatGPT,Q115564437,15234,72446,United States\r\n"
        'ko.wikipedia,ChatGPT,Q115564437,2210,3,"Korea, Republic of"\r\n'
        "de.wikipedia,ChatGPT,Q115564437,8120,12020,de\r\n"
    )
    assert interest(day_file(body)) == [
        ("de", "de.wikipedia/ChatGPT", "chatgpt", 8120),
        ("kr", "ko.wikipedia/ChatGPT", "chatgpt", 2210),
        ("us", "en.wikipedia/ChatGPT", "chatgpt", 15234),
    ]
    tab = "country\tcountry_code\tproject\tpage_id\tpage_title\titem_id\tprivate_count\n"
    assert interest(day_file(tab + PUBLISHED)) == EXPECTED
    assert interest(day_file("")) == [] and interest(day_file(tab)) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (PUBLISHED + "Mexico\tMX\tes.wikipedia\t1\tChatGPT\n", "line 10 has 5 tab-separated"),
        (
            PUBLISHED.replace("\t15234", "\t15,234"),
            "private_count '15,234' on line 1 is not a whole number",
        ),
        (PUBLISHED.replace("\t96\n", "\t-96\n"), "private_count on line 6 is negative (-96)"),
        # Untracked lines are checked on import (no items): their item ids too.
        (PUBLISHED.replace("\tQ5296", "\t5296"), "item_id '5296' on line 3 is not a Wikidata"),
        (PUBLISHED.replace("\tTW\t", "\tTWN\t"), "country 'TWN' on line 8 is no ISO 3166-1"),
        (
            PUBLISHED + line("Mexico", "MX", "es.wikipedia", 1, "ChatGPT", "Q115564437", 99),
            "line 10 repeats the views of es.wikipedia/ChatGPT in MX (line 7 of",
        ),
        ("US,en.wikipedia,ChatGPT,Q115564437,1\n", "not Wikimedia's layout"),
        ("country,project,page_title,count\n", "lacks the columns item_id, private_count"),
    ],
)
def test_a_malformed_file_names_its_line(body, problem):
    items = None if "item_id" in problem else ITEMS
    assert problem in problem_of(body, items)


def test_the_import_check_reads_every_line_and_the_lake_only_the_tracked():
    untracked_bad = PUBLISHED.replace("\t2400117", "\tmany")
    assert "not a whole number" in problem_of(untracked_bad, None)


def test_two_files_of_one_day_are_refused():
    with pytest.raises(RawFileError, match=r"repeats the views of en\.wikipedia/ChatGPT in US"):
        parse_country_pageviews(
            raw_batch(day_file(PUBLISHED), day_file(PUBLISHED, item="other")), ITEMS
        )


PRODUCTS = """
[products.chatgpt]
name = "ChatGPT"
wikidata = "{chatgpt}"

[products.gemini]
name = "Google Gemini"
wikidata = "{gemini}"

[products.temu]
name = "Temu"
"""


def products_file(tmp_path: Path, chatgpt="Q115564437", gemini="Q116698014") -> Path:
    path = tmp_path / "products.toml"
    path.write_text(PRODUCTS.format(chatgpt=chatgpt, gemini=gemini), encoding="utf-8")
    return path


def test_products_name_their_wikidata_items(tmp_path):
    catalog = read_products(products_file(tmp_path))
    assert catalog.wikidata_items == ITEMS
    assert catalog["temu"].wikidata is None
    assert read_products(Path("products.toml"))["chatgpt"].wikidata == "Q115564437"


@pytest.mark.parametrize("bad", ["115564437", "q115564437", "Q", "Q01", "Q12 ", "ChatGPT"])
def test_a_bad_wikidata_item_is_refused_naming_the_product(tmp_path, bad):
    with pytest.raises(ProductsFileError, match=r"\[products.chatgpt\]: wikidata = .* is not a"):
        read_products(products_file(tmp_path, chatgpt=bad))


def test_an_item_of_two_products_is_refused(tmp_path):
    with pytest.raises(ProductsFileError, match="already the item of"):
        read_products(products_file(tmp_path, gemini="Q115564437"))


def test_a_file_says_its_day_in_its_name_and_its_countries_in_its_rows():
    span = pageviews_span("2025-01-27.tsv", PUBLISHED.encode())
    assert span.days == (DAY,) and span.item == "country_project_page.tsv"
    assert span.countries == ("de", "mx", "tw", "us")
    gz = pageviews_span("2017-2-9.tsv.gz", gzip.compress(PUBLISHED.encode()))
    assert gz.days == (dt.date(2017, 2, 9),) and gz.item == "country_project_page.tsv.gz"
    with pytest.raises(RawFileError, match="name says no day"):
        pageviews_span("pageviews.tsv", PUBLISHED.encode())


def test_import_archives_the_file_under_its_day_and_checks_the_date_given(tmp_path):
    raw = tmp_path / "raw"
    named = tmp_path / "2025-01-27.tsv"
    named.write_text(PUBLISHED, encoding="utf-8")
    with pytest.raises(RawFileError, match="the file holds 2025-01-27, not 2025-01-26"):
        import_files("wikimedia_country", DAY - dt.timedelta(days=1), None, [named], raw)
    bad = tmp_path / "bad" / "2025-01-28.tsv"
    bad.parent.mkdir()
    bad.write_text(PUBLISHED.replace("\t731", "\t7 31"), encoding="utf-8")
    with pytest.raises(RawFileError, match="line 5 is not a whole number"):
        import_files("wikimedia_country", None, None, [named, bad], raw)
    assert not raw.exists()

    (done,) = import_files("wikimedia_country", DAY, None, [named], raw)

    assert done.path.relative_to(raw).as_posix() == (
        "wikimedia_country/date=2025-01-27/country=ww/country_project_page.tsv"
    )
    assert done.path.read_text(encoding="utf-8") == PUBLISHED and done.days == (DAY,)


def test_a_live_run_brings_an_imported_day_to_the_lake_for_the_configured_countries(tmp_path):
    config = ChartwatchConfig(
        source="live",
        countries="us,de,tw",
        data_dir=str(tmp_path / "data"),
        products_file=str(products_file(tmp_path)),
        contact="tests@example.org",  # live mode names itself to hosts (it asks none here)
    )
    named = tmp_path / "2025-01-27.tsv.gz"
    named.write_bytes(gzip.compress(PUBLISHED.encode()))
    import_files("wikimedia_country", None, None, [named], config.raw_dir)
    graph = asset_graph(config)

    result = dg.materialize(
        [graph.raw["wikimedia_country"], graph.lake["search_interest"]],
        resources=resources_for(config),
        partition_key=DAY.isoformat(),
        raise_on_error=False,
    )

    assert result.success
    lake = pl.read_parquet(config.lake_dir / "search_interest", hive_partitioning=False)
    # Mexico is no configured storefront: its row is left out.
    assert lake.sort("country", "term").select("country", "term", "product", "interest").rows() == [
        row for row in EXPECTED if row[0] != "mx"
    ]
    partitions = sorted(
        p.parent.name for p in (config.lake_dir / "search_interest").rglob("*.parquet")
    )
    assert partitions == ["country=de", "country=tw", "country=us"]


def test_the_sample_files_stay_under_the_worldwide_views():
    from assets.sample_market.source import sample_market
    from assets.sources.wikimedia_country.render import country_pageview_responses
    from assets.sources.wikimedia_pageviews.render import daily_views

    market = sample_market()
    products = read_products(Path("products.toml"))
    day = dt.date(2025, 1, 27)
    (response,) = country_pageview_responses(market, [day], products)
    assert (response.date, response.country, response.item) == (
        day,
        "ww",
        "country_project_page.tsv",
    )
    assert response.body == next(country_pageview_responses(market, [day], products)).body
    rows = parse_country_pageviews(response_batch(response), products.wikidata_items)
    assert rows["interest"].min() > RELEASE_THRESHOLD
    assert not {"cn", "hk"} & set(rows["country"])  # withheld
    assert set(rows["product"]) == {p.key for p in products if p.wikidata}
    worldwide = {
        f"{a.project}/{a.article}": daily_views(market, a.product, a.project, a.article)[day]
        for a in products.articles
    }
    by_term = rows.group_by("term").agg(pl.col("interest").sum(), pl.len())
    for term, summed, _ in by_term.iter_rows():
        assert summed <= worldwide[term], term
    assert by_term["len"].max() >= 5  # several countries of one edition


def test_the_sample_warehouse_reports_top_interest_countries(sample_window):
    """The sample market's files through the pipeline to the launch report (slow: the
    whole sample window, shared with tests/test_seed_figures.py)."""
    from warehouse.build import connect_read_only
    from warehouse.report import format_text, launch_report, report_names, top_countries

    con = connect_read_only(sample_window / "warehouse.duckdb")
    try:
        report = launch_report(con, "chatgpt", dt.date(2025, 1, 27), "deepseek")
        names = report_names(con, report)
        daily = con.execute(
            "SELECT count(DISTINCT country), min(interest) FROM search_interest_country_daily"
            " WHERE source = 'wikimedia_country' AND product = 'chatgpt'"
        ).fetchone()
        deepseek = launch_report(con, "deepseek", dt.date(2025, 1, 27), "perplexity")
    finally:
        con.close()
    assert daily[0] >= 20 and daily[1] > RELEASE_THRESHOLD
    shares = report.filter(pl.col("figure") == "interest_country_share").sort("position")
    assert shares["detail"].to_list()[:2] == ["us", "de"]
    assert shares.height == 5 and 0 < shares["value"].sum() < 1
    _, rows, _ = top_countries(report)
    assert rows[0][3] == "The US"
    assert "Wikipedia views by country (27 Jan \N{EN DASH} 2 Feb 2025)" in format_text(
        report, names, dt.date(2025, 1, 27), "deepseek"
    )
    # DeepSeek's item names its seven editions: its interest by country too, China's
    # readers withheld as the release withholds them.
    deepseek_shares = deepseek.filter(pl.col("figure") == "interest_country_share")
    assert deepseek_shares.height == 5 and "cn" not in deepseek_shares["detail"].to_list()

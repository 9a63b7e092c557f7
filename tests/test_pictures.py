"""The pictures and the HTML launch report, on three days of the sample market."""

import datetime as dt
import re

import duckdb
import polars as pl
import pytest

from pipelines.report import main
from warehouse import labels, pictures, units
from warehouse.report import launch_report

DAY = dt.date(2025, 1, 27)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture()
def con(short_window):
    con = duckdb.connect(str(short_window / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def test_rank_movers_are_the_biggest_climbs_of_the_day(con):
    movers = pictures.rank_movers(con, DAY, country="us", top=5)

    expected = con.sql(
        "SELECT rank_1d_ago - rank AS climb FROM app_rank_history WHERE date = ? AND country = 'us'"
        " AND store = 'app_store' AND device = 'iphone' AND chart = 'top_free'"
        " AND rank_1d_ago > rank ORDER BY climb DESC LIMIT 5",
        params=[DAY],
    ).fetchall()
    assert movers["climb"].to_list() == [c for (c,) in expected]
    assert (movers["rank_before"] - movers["rank"] == movers["climb"]).all()
    assert not movers["highlighted"].any()


def test_rank_movers_single_out_the_product_even_when_it_climbed_no_more(con):
    # DeepSeek was #1 on the 26th and the 27th: no climb that day, still shown.
    movers = pictures.rank_movers(con, DAY, country="us", top=5, product="deepseek")
    (own,) = movers.filter("highlighted").iter_rows(named=True)
    assert (own["rank"], own["rank_before"], own["climb"]) == (1, 1, 0)
    assert movers.height == 6 and movers["climb"].to_list()[:5] == sorted(
        movers["climb"].to_list()[:5], reverse=True
    )


def test_countries_at_no1_has_every_day_for_each_leader(con):
    frame = pictures.countries_at_no1(con, DAY, days=3)

    assert frame.group_by("name").len()["len"].to_list() == [3] * frame["name"].n_unique()
    deepseek = frame.filter(pl.col("name").str.starts_with("DeepSeek"), pl.col("date") == DAY)
    assert deepseek["countries_rank_1"].item() >= 1  # #1 in the US on the 27th


def test_countries_at_no1_always_shows_the_product(con):
    # Two days before the launch peaked DeepSeek led nowhere: it is shown all the same.
    early = DAY - dt.timedelta(days=2)
    frame = pictures.countries_at_no1(con, early, days=1, top=1, product="deepseek")
    own = frame.filter("highlighted")
    assert own["product"].unique().to_list() == ["deepseek"]
    assert frame["name"].n_unique() == 2


def test_product_pictures_agree_with_the_report(con):
    report = launch_report(con, "deepseek", DAY, "perplexity")

    def value(figure, store=None):
        rows = report.filter(pl.col("figure") == figure)
        rows = rows.filter(pl.col("store") == store) if store else rows
        return rows.sort("position")["value"].to_list()

    reach = pictures.chart_reach(con, "deepseek", DAY).filter(pl.col("date") == DAY)
    for _, store, rank_1, top_10 in reach.iter_rows():
        assert [rank_1] == value("countries_rank_1", store)
        assert [top_10] == value("countries_top_10", store)
    ranks = pictures.product_ranks(con, "deepseek", DAY, ["us"], days=7)
    for store in ("app_store", "google_play"):
        assert ranks.filter(pl.col("store") == store)["rank"].to_list() == value("us_rank", store)
    downloads = pictures.downloads_series(con, "deepseek", DAY, "perplexity")
    own = downloads.filter(pl.col("product") == "deepseek")
    assert own["date"].max() == DAY - dt.timedelta(days=1)  # complete days only
    assert own["cumulative_downloads"].to_list()[-1] == value("cumulative_downloads")[0]
    assert downloads["product"].unique().sort().to_list() == ["deepseek", "perplexity"]
    assert pictures.markets(report)[0] == "us"


def test_country_shares_sum_to_one(con):
    shares = pictures.country_shares(con, "deepseek", DAY - dt.timedelta(days=1), top=2)

    assert shares["share"].sum() == pytest.approx(1.0)
    assert shares["country"].to_list()[-1] == "other" and shares.height == 3


def test_pictures_are_png_with_titles_and_captions_that_agree(con):
    report = launch_report(con, "deepseek", DAY, "perplexity")
    images = pictures.launch_pictures(
        con, "deepseek", DAY, "DeepSeek", "perplexity", "Perplexity", report
    )

    assert len(images) == 6 and all(p.png.startswith(PNG) for p in images)
    ranks, reach, downloads, shares, movers, leaders = images
    two_weeks = labels.day_range(DAY - dt.timedelta(days=13), DAY)
    assert ranks.title == f"DeepSeek: rank day by day, {two_weeks}"
    assert ranks.caption.startswith("DeepSeek's best rank on the top free charts of both stores")
    assert "In the US on 27 Jan 2025: #1 on the App Store" in ranks.caption
    assert reach.title == f"DeepSeek: countries at #1 and in the top 10, {two_weeks}"
    count = report.filter(pl.col("figure") == "countries_rank_1", pl.col("store") == "app_store")
    assert f"App Store: #1 in {count['value'][0]:.0f}," in reach.caption
    # The downloads read the complete days before the report's morning: title,
    # caption and the report's figure name the same day.
    cumulative = report.filter(pl.col("figure") == "cumulative_downloads").row(0, named=True)
    assert cumulative["as_of"] == DAY - dt.timedelta(days=1)
    assert downloads.title.endswith(
        labels.day_range(DAY - dt.timedelta(days=14), cumulative["as_of"])
    )
    assert (
        f"{units.human_count(cumulative['value'])} through {labels.day(cumulative['as_of'])}"
        in downloads.caption
    )
    # Vendor figures: the band is too narrow to draw, and the caption says why.
    assert (
        "too narrow to draw" in downloads.caption or "no figure here" in downloads.caption.lower()
    )
    assert (
        shares.title == f"DeepSeek: where downloads came from, to {labels.day(cumulative['as_of'])}"
    )
    assert f"through {labels.day(cumulative['as_of'])}" in shares.caption
    assert movers.title.startswith("Biggest climbers of the week, US top free iPhone")
    assert "DeepSeek: #1 on 27 Jan" in movers.caption
    assert "DeepSeek, in bold" in leaders.caption
    assert [p.wide for p in images] == [True, True, True, False, False, True]

    empty = pictures.rank_movers_png(pictures.rank_movers(con, dt.date(2020, 1, 1)), "none")
    assert empty.startswith(PNG)


def test_html_report_is_one_self_contained_page(short_window, tmp_path, capsys):
    out = tmp_path / "report.html"
    code = main(
        [
            "--product", "deepseek", "--date", str(DAY), "--vs", "perplexity",
            "--db", str(short_window / "warehouse.duckdb"), "--format", "html", "--out", str(out),
        ]
    )  # fmt: skip

    assert code == 0 and str(out) in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert len(re.findall(r"src='data:image/png;base64,", page)) == 6
    assert "http" not in page.split("<body>")[1]
    # The product's display name, and labels for people rather than figure ids.
    assert "<h1>DeepSeek&#x27;s launch</h1>" in page and "vs Perplexity" in page
    assert "Countries at #1" in page and "countries_rank_1" not in page
    body = page.split("<body>")[1]
    visible = re.sub(r"<[^>]+>|src='[^']*'", " ", body)
    assert not re.findall(r"\b[a-z0-9]+_[a-z0-9_]+\b", visible.replace("launch_report()", ""))


def test_reports_asset_shows_the_latest_days_pictures_and_writes_every_launch_report(
    short_window, tmp_path
):
    import base64
    import shutil

    import dagster as dg

    from assets.graph import asset_graph
    from assets.market import resources_for
    from assets.resources import ChartwatchConfig
    from tests.conftest import REPO
    from warehouse.products import read_products

    shutil.copy(short_window / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    config = ChartwatchConfig(data_dir=str(tmp_path), products_file=str(REPO / "products.toml"))

    result = dg.materialize([asset_graph(config).reports], resources=resources_for(config))

    (event,) = result.asset_materializations_for_node("reports__launch_pictures")
    assert event.metadata["day"].value == str(DAY)  # the last day of the warehouse
    images = re.findall(
        r"data:image/png;base64,([A-Za-z0-9+/=]+)\)", event.metadata["pictures"].value
    )
    assert len(images) == 3 and all(base64.b64decode(i).startswith(PNG) for i in images)
    shown = event.metadata["pictures"].value
    assert "DeepSeek: where downloads came from" in shown  # the headline product's shares
    # The day's countries at #1 show the headline product among the leading apps.
    assert "Countries at #1, top free iPhone: the leading apps and DeepSeek" in shown
    folder = tmp_path / "reports" / f"date={DAY}"
    products = read_products(REPO / "products.toml")
    # One launch report per tracked product with a competitor (Temu has none).
    assert {p.name for p in folder.glob("launch-*.html")} == {
        f"launch-{p.key}.html" for p in products if p.competitors
    } and "launch-temu.html" not in {p.name for p in folder.iterdir()}
    page = (folder / "launch-deepseek.html").read_text()
    # The latest day's report: its charts and the downloads of the days before.
    assert "read on the morning of Mon 27 Jan 2025" in page
    assert page.count("data:image/png;base64,") == 6
    assert (folder / "rank-movers.png").read_bytes().startswith(PNG)


def test_reports_asset_on_an_empty_warehouse_says_what_to_do(tmp_path):
    import dagster as dg
    import duckdb as db

    from assets.graph import asset_graph
    from assets.market import resources_for
    from assets.resources import ChartwatchConfig
    from tests.conftest import REPO

    db.connect(str(tmp_path / "warehouse.duckdb")).execute(
        "CREATE TABLE chart_entries (date DATE)"
    ).close()
    config = ChartwatchConfig(data_dir=str(tmp_path), products_file=str(REPO / "products.toml"))

    result = dg.materialize(
        [asset_graph(config).reports], resources=resources_for(config), raise_on_error=False
    )

    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "no charts yet" in failure.step_failure_data.user_failure_data.description

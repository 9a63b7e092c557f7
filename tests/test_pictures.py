"""The pictures and the HTML launch report, on three days of the sample market."""

import datetime as dt
import re

import duckdb
import polars as pl
import pytest

from pipelines.report import main
from warehouse import pictures

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
    assert (movers["rank_1d_ago"] - movers["rank"] == movers["climb"]).all()


def test_countries_at_no1_has_every_day_for_each_leader(con):
    frame = pictures.countries_at_no1(con, DAY, days=3)

    assert frame.group_by("name").len()["len"].to_list() == [3] * frame["name"].n_unique()
    deepseek = frame.filter(pl.col("name").str.starts_with("DeepSeek"), pl.col("date") == DAY)
    assert deepseek["countries_rank_1"].item() >= 1  # #1 in the US on the 27th


def test_country_shares_sum_to_one(con):
    shares = pictures.country_shares(con, "deepseek", DAY - dt.timedelta(days=1), top=2)

    assert shares["share"].sum() == pytest.approx(1.0)
    assert shares["country"].to_list()[-1] == "other" and shares.height == 3


def test_pictures_are_png(con):
    images = pictures.launch_pictures(con, "deepseek", DAY)

    assert len(images) == 3 and all(png.startswith(PNG) for png in images.values())
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
    assert len(re.findall(r"src='data:image/png;base64,", page)) == 3
    assert "countries_rank_1" in page and "http" not in page.split("<body>")[1]


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
    assert "DeepSeek" in event.metadata["pictures"].value  # the headline product's shares
    folder = tmp_path / "reports" / f"date={DAY}"
    products = read_products(REPO / "products.toml")
    # One launch report per tracked product with a competitor (Temu has none).
    assert {p.name for p in folder.glob("launch-*.html")} == {
        f"launch-{p.key}.html" for p in products if p.competitors
    } and "launch-temu.html" not in {p.name for p in folder.iterdir()}
    page = (folder / "launch-deepseek.html").read_text()
    # The latest day's report: its charts and the downloads of the days before.
    assert "on the morning of 2025-01-27" in page and page.count("data:image/png;base64,") == 3
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

"""The warehouse build and its tables on a tiny hand-made lake: grains, values
computed by hand, idempotent window loads, missing datasets and failed builds.

The lake: DeepSeek (tracked; App Store '6737597349', Play 'com.deepseek.chat') in
us, cn and eg over 2025-01-01..15, with no estimate at all on 01-10 and Egypt
starting on 01-08; untracked apps 'Cool Game!!' (App Store '111') and 'Cool Game'
(Play 'pkg.cool'), a renamed app '222' and an app '333' whose name has no letters.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from assets.schemas import APP_ESTIMATES, CHART_ENTRIES, SEARCH_INTEREST
from tests.conftest import write_lake
from warehouse.build import WarehouseBuildError, build_warehouse, connect_read_only

PRODUCTS_TOML = """
[products.deepseek]
name = "DeepSeek"
category = "ai_assistant"
app_store = ["6737597349"]
google_play = ["com.deepseek.chat"]
wikipedia = ["en:DeepSeek", "zh:深度求索"]
competitors = ["perplexity"]

[products.perplexity]
name = "Perplexity"
category = "ai_assistant"
app_store = ["1668000334"]
wikipedia = ["en:Perplexity_AI"]
competitors = ["deepseek"]
"""

DEEPSEEK_IOS = "6737597349"
DEEPSEEK_PLAY = "com.deepseek.chat"
DEEPSEEK_NAME = "DeepSeek - AI Assistant"
DAYS = range(1, 16)
ESTIMATE_DAYS = [n for n in DAYS if n != 10]  # no estimate of any kind on 01-10

# Per-day contract tables and their grains (the columns that identify one row).
GRAINS = {
    "chart_entries": ["date", "country", "store", "device", "chart", "genre_id", "rank"],
    "app_estimates": ["date", "country", "store", "app_id"],
    "search_interest": ["date", "country", "source", "term"],
    "tracked_products": ["product", "store", "app_id"],
    "product_competitors": ["product", "competitor"],
    "wikipedia_articles": ["product", "project", "article"],
    "apps": ["store", "app_id"],
    "app_chart_coverage": ["date", "store", "device", "chart", "app_id"],
    "app_rank_history": ["date", "country", "store", "device", "chart", "app_id"],
    "product_downloads_daily": ["date", "product"],
    "product_country_share": ["date", "product", "country"],
    "product_dau_daily": ["date", "product"],
    "search_interest_daily": ["date", "product", "source"],
}


def day(n: int) -> dt.date:
    return dt.date(2025, 1, n)


def chart_row(n, country, store, device, rank, app_id, name, developer="DeepSeek", **kw):
    chart, genre_id = kw.get("chart", "top_free"), kw.get("genre_id")
    return (day(n), country, store, device, chart, genre_id, rank, app_id, name, developer, "test")


def chart_rows() -> list[tuple]:
    # US top-free iPhone: DeepSeek climbs 15 -> 1 (rank 16 - day), off the chart on 01-05.
    rows = [
        chart_row(n, "us", "app_store", "iphone", 16 - n, DEEPSEEK_IOS, DEEPSEEK_NAME)
        for n in DAYS
        if n != 5
    ]
    rows += [
        chart_row(15, "cn", "app_store", "iphone", 1, DEEPSEEK_IOS, "深度求索"),
        chart_row(15, "eg", "app_store", "iphone", 5, DEEPSEEK_IOS, DEEPSEEK_NAME),
        chart_row(15, "eg", "app_store", "iphone", 1, "111", "Cool Game!!", "Cool Co"),
        chart_row(15, "us", "app_store", "iphone", 2, "111", "Cool Game!!", "Cool Co"),
        # A genre chart is not an overall chart: it must not count.
        chart_row(15, "eg", "app_store", "iphone", 1, DEEPSEEK_IOS, DEEPSEEK_NAME, genre_id="6014"),
        chart_row(14, "us", "google_play", "android", 3, DEEPSEEK_PLAY, "DeepSeek"),
        chart_row(15, "us", "google_play", "android", 2, DEEPSEEK_PLAY, "DeepSeek"),
        chart_row(15, "us", "google_play", "android", 1, "pkg.cool", "Cool Game", "Cool Co"),
        # Renamed between 01-01 and 01-15.
        chart_row(
            1, "us", "app_store", "iphone", 1, "222", "Old Name", "Old Dev", chart="top_paid"
        ),
        chart_row(
            15, "us", "app_store", "iphone", 1, "222", "New Name: Pro", "New Dev", chart="top_paid"
        ),
        chart_row(15, "cn", "app_store", "iphone", 2, "333", "★★★", "Stars", chart="top_paid"),
    ]
    return rows


def estimate_rows() -> list[tuple]:
    rows = []
    for n in ESTIMATE_DAYS:
        dau = 1000 if n <= 7 else 2000
        rows += [
            (day(n), "us", "app_store", DEEPSEEK_IOS, DEEPSEEK_NAME, 100, dau, "sample"),
            (day(n), "cn", "app_store", DEEPSEEK_IOS, DEEPSEEK_NAME, 200, None, "sample"),
            (day(n), "us", "google_play", DEEPSEEK_PLAY, "DeepSeek", 50, None,
             "model" if n == 15 else "sample"),
        ]  # fmt: skip
        if n >= 8:
            rows.append(
                (day(n), "eg", "app_store", DEEPSEEK_IOS, DEEPSEEK_NAME, 50, None, "sample")
            )
    rows += [
        (day(n), "us", "google_play", "pkg.cool", "Cool Game", 10, None, "sample") for n in (14, 15)
    ]
    return rows


def search_rows() -> list[tuple]:
    rows = []
    for n in DAYS:
        rows += [
            (day(n), "ww", "wikimedia", "en.wikipedia:DeepSeek", "deepseek", 100),
            (day(n), "ww", "wikimedia", "zh.wikipedia:深度求索", "deepseek", 50),
            (day(n), "ww", "wikimedia", "en.wikipedia:Unmapped", None, 999),
        ]
    return rows


def make_lake(root: Path, datasets=("chart_entries", "app_estimates", "search_interest")) -> Path:
    lake = root / "lake"
    frames = {
        "chart_entries": pl.DataFrame(chart_rows(), CHART_ENTRIES, orient="row"),
        "app_estimates": pl.DataFrame(estimate_rows(), APP_ESTIMATES, orient="row"),
        "search_interest": pl.DataFrame(search_rows(), SEARCH_INTEREST, orient="row"),
    }
    for dataset in datasets:
        write_lake(lake, dataset, frames[dataset])
    return lake


def products_file(root: Path) -> Path:
    path = root / "products.toml"
    path.write_text(PRODUCTS_TOML, encoding="utf-8")
    return path


def snapshot(db: Path) -> dict[str, pl.DataFrame]:
    """Every table, sorted, to compare two builds."""
    con = connect_read_only(db)
    try:
        names = [row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {
            name: con.sql(f"FROM {name}").pl().sort(pl.all(), nulls_last=True) for name in names
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, int], dict[str, pl.DataFrame]]:
    root = tmp_path_factory.mktemp("warehouse")
    db = root / "warehouse.duckdb"
    counts = build_warehouse(db, make_lake(root), products_file(root))
    return db, counts, snapshot(db)


@pytest.fixture(scope="module")
def tables(built) -> dict[str, pl.DataFrame]:
    return built[2]


def on(frame: pl.DataFrame, **where) -> pl.DataFrame:
    return frame.filter(*(pl.col(column) == value for column, value in where.items()))


def test_every_contract_table_has_its_grain_and_counts(built, tables):
    _, counts, _ = built
    for table, grain in GRAINS.items():
        assert tables[table].height == counts[table] > 0, table
        assert tables[table].select(grain).is_duplicated().sum() == 0, table
    assert counts["chart_entries"] == len(chart_rows())
    assert counts["app_estimates"] == len(estimate_rows())


def test_lake_tables_are_copies_with_all_columns(tables):
    assert tables["chart_entries"].columns == list(CHART_ENTRIES.names())
    # The lake's columns, then the 80% interval of the rows the rank model fills in.
    assert tables["app_estimates"].columns == [
        *APP_ESTIMATES.names(),
        "downloads_low",
        "downloads_high",
    ]
    assert tables["search_interest"].columns == list(SEARCH_INTEREST.names())
    assert tables["chart_entries"]["date"].dtype == pl.Date


def test_products_tables_come_from_products_toml(tables):
    assert on(tables["tracked_products"], product="deepseek").select("store", "app_id").rows() == [
        ("app_store", DEEPSEEK_IOS),
        ("google_play", DEEPSEEK_PLAY),
    ]
    # position: the competitor's place in the product's list (the first is a report's default).
    assert tables["product_competitors"].rows() == [
        ("deepseek", "perplexity", 1),
        ("perplexity", "deepseek", 1),
    ]
    zh = on(tables["wikipedia_articles"], language="zh")
    assert zh.select("product", "project", "article").rows() == [
        ("deepseek", "zh.wikipedia", "深度求索")
    ]


def test_apps_get_products_and_their_latest_names(tables):
    apps = {row["app_id"]: row for row in tables["apps"].to_dicts()}
    # Tracked: the product key; the US name wins over the same day's localised name.
    assert apps[DEEPSEEK_IOS]["product"] == "deepseek"
    assert apps[DEEPSEEK_IOS]["name"] == DEEPSEEK_NAME
    assert apps[DEEPSEEK_PLAY]["product"] == "deepseek"
    # Untracked: a slug of the name, one key across both stores.
    assert apps["111"]["product"] == apps["pkg.cool"]["product"] == "cool-game"
    assert apps["111"]["developer"] == "Cool Co"
    # The most recent name and developer; the slug follows the name.
    assert (apps["222"]["name"], apps["222"]["developer"]) == ("New Name: Pro", "New Dev")
    assert apps["222"]["product"] == "new-name-pro"
    # A name without letters or digits falls back to the app id.
    assert apps["333"]["product"] == "333"
    assert apps["222"]["first_seen"] == day(1)


def test_rank_history_looks_back_a_day_and_a_week(tables):
    history = on(
        tables["app_rank_history"],
        country="us",
        store="app_store",
        device="iphone",
        chart="top_free",
        app_id=DEEPSEEK_IOS,
    )
    ranks = {
        row["date"].day: (row["rank"], row["rank_1d_ago"], row["rank_7d_ago"])
        for row in history.to_dicts()
    }
    assert 5 not in ranks  # not charting that day
    assert ranks[6] == (10, None, None)
    assert ranks[12] == (4, 5, None)
    assert ranks[13] == (3, 4, 10)
    assert history["product"].unique().to_list() == ["deepseek"]
    # Only overall charts: the genre chart row of 01-15 in eg is not there.
    egypt = on(tables["app_rank_history"], country="eg", app_id=DEEPSEEK_IOS)
    assert egypt["rank"].to_list() == [5]


def test_chart_coverage_counts_countries(tables):
    coverage = on(
        tables["app_chart_coverage"],
        date=day(15),
        store="app_store",
        device="iphone",
        chart="top_free",
    )
    deepseek = on(coverage, app_id=DEEPSEEK_IOS).to_dicts()[0]
    assert (
        deepseek["countries_rank_1"],
        deepseek["countries_top_10"],
        deepseek["countries_charting"],
        deepseek["best_rank"],
    ) == (2, 3, 3, 1)
    cool = on(coverage, app_id="111").to_dicts()[0]
    assert (cool["countries_rank_1"], cool["countries_top_10"], cool["best_rank"]) == (1, 2, 1)
    assert (cool["product"], deepseek["product"]) == ("cool-game", "deepseek")


def test_downloads_daily_cumulates_and_sums_the_last_7_days(tables):
    daily = on(tables["product_downloads_daily"], product="deepseek").sort("date")
    # One row per calendar day, 01-10 included although it has no estimate.
    assert daily["date"].to_list() == [day(n) for n in DAYS]
    by_day = {row["date"].day: row for row in daily.to_dicts()}
    # 350 a day (us 150, cn 200) through 01-07, 400 from 01-08 (eg 50 more).
    assert by_day[1]["cumulative_downloads"] == 350
    assert by_day[10]["downloads"] is None
    assert by_day[10]["cumulative_downloads"] == 7 * 350 + 2 * 400
    assert by_day[10]["downloads_last_7d"] == 4 * 350 + 2 * 400  # 01-04..01-09
    assert by_day[15]["cumulative_downloads"] == 7 * 350 + 7 * 400
    assert by_day[15]["downloads_last_7d"] == 6 * 400  # 01-09..01-15 without 01-10
    assert by_day[15]["share_last_7d"] == pytest.approx(2400 / 5250)
    assert [by_day[n]["estimated"] for n in (14, 15)] == [False, True]
    # An untracked product starts on its first day with data.
    assert on(tables["product_downloads_daily"], product="cool-game")["date"].to_list() == [
        day(14),
        day(15),
    ]


def test_country_shares_sum_to_one_and_carry_over_missing_days(tables):
    shares = tables["product_country_share"]
    totals = shares.group_by("date", "product").agg(pl.col("share").sum())
    assert totals["share"].to_list() == pytest.approx([1.0] * totals.height)

    deepseek = on(shares, product="deepseek")
    day_15 = {row["country"]: row for row in on(deepseek, date=day(15)).to_dicts()}
    assert {country: row["downloads_to_date"] for country, row in day_15.items()} == {
        "us": 2100,
        "cn": 2800,
        "eg": 350,
    }
    assert day_15["cn"]["share"] == pytest.approx(2800 / 5250)
    # Egypt appears once it has downloads; 01-10 (no estimates) carries the totals.
    assert sorted(on(deepseek, date=day(5))["country"].to_list()) == ["cn", "us"]
    assert on(deepseek, date=day(10))["downloads_to_date"].sum() == 7 * 350 + 2 * 400


def test_dau_week_over_week(tables):
    deepseek = on(tables["product_dau_daily"], product="deepseek")
    dau = {row["date"].day: row for row in deepseek.to_dicts()}
    assert (dau[8]["dau"], dau[8]["dau_7d_ago"], dau[8]["wow_growth"]) == (2000, 1000, 1.0)
    assert (dau[15]["dau"], dau[15]["dau_7d_ago"], dau[15]["wow_growth"]) == (2000, 2000, 0.0)
    assert (dau[3]["dau_7d_ago"], dau[3]["wow_growth"]) == (None, None)
    assert 10 not in dau
    cool = on(tables["product_dau_daily"], product="cool-game").to_dicts()
    assert {(row["dau"], row["wow_growth"]) for row in cool} == {(None, None)}


def test_search_interest_daily_sums_editions(tables):
    daily = tables["search_interest_daily"]
    assert on(daily, product="deepseek", date=day(3))["interest"].to_list() == [150]
    assert daily["product"].null_count() == 0


def test_rebuilding_a_window_is_idempotent(tmp_path):
    lake, products, db = make_lake(tmp_path), products_file(tmp_path), tmp_path / "w.duckdb"
    build_warehouse(db, lake, products)
    full = snapshot(db)
    build_warehouse(db, lake, products, dates=(day(5), day(7)))
    build_warehouse(db, lake, products, dates=(day(5), day(7)))
    again = snapshot(db)
    assert full.keys() == again.keys()
    for name, frame in full.items():
        assert again[name].equals(frame), name


def test_a_window_build_reads_and_replaces_only_its_dates(tmp_path):
    lake, products, db = make_lake(tmp_path), products_file(tmp_path), tmp_path / "w.duckdb"
    build_warehouse(db, lake, products)

    # The lake changes on 01-06 (a new rank) and loses 01-02's US chart.
    frame = pl.DataFrame(chart_rows(), CHART_ENTRIES, orient="row")
    day_6 = frame.filter(pl.col("date") == day(6), pl.col("country") == "us")
    write_lake(lake, "chart_entries", day_6.with_columns(rank=pl.lit(7, pl.Int32)))
    shutil.rmtree(lake / "chart_entries" / "date=2025-01-02" / "country=us")

    build_warehouse(db, lake, products, dates=(day(6), day(6)))
    con = connect_read_only(db)
    try:
        ranks = dict(
            con.execute(
                "SELECT date, rank FROM chart_entries WHERE app_id = ? AND country = 'us'"
                " AND store = 'app_store'",
                [DEEPSEEK_IOS],
            ).fetchall()
        )
        (rank_1d_ago,) = con.execute(
            "SELECT rank_1d_ago FROM app_rank_history WHERE date = ? AND app_id = ?"
            " AND country = 'us'",
            [day(7), DEEPSEEK_IOS],
        ).fetchone()
    finally:
        con.close()
    assert ranks[day(6)] == 7  # the window was reloaded
    assert ranks[day(2)] == 14  # another date: untouched, although gone from the lake
    assert rank_1d_ago == 7  # derived tables follow the base tables

    # A full build makes the warehouse match the lake again.
    counts = build_warehouse(db, lake, products)
    assert counts["chart_entries"] == len(chart_rows()) - 1


def test_missing_dataset_gives_empty_tables_with_their_columns(tmp_path):
    lake = make_lake(tmp_path, datasets=("chart_entries", "app_estimates"))
    db = tmp_path / "w.duckdb"
    counts = build_warehouse(db, lake, products_file(tmp_path))
    assert counts["search_interest"] == counts["search_interest_daily"] == 0
    assert counts["product_downloads_daily"] > 0
    tables = snapshot(db)
    assert tables["search_interest"].columns == list(SEARCH_INTEREST.names())
    assert tables["search_interest_daily"].columns[:4] == ["date", "product", "source", "interest"]


def test_empty_lake_builds_empty_tables_and_an_empty_report(tmp_path):
    db = tmp_path / "w.duckdb"
    counts = build_warehouse(db, tmp_path / "no-lake-yet", products_file(tmp_path))
    assert counts["products"] == 2
    from_toml = {"products", "tracked_products", "product_competitors", "wikipedia_articles"}
    assert {table for table, count in counts.items() if count} == from_toml
    con = connect_read_only(db)
    try:
        values = con.execute(
            "SELECT figure, value FROM launch_report('deepseek', DATE '2025-01-15', 'perplexity')"
            " WHERE figure IN ('countries_rank_1', 'cumulative_downloads')"
        ).fetchall()
    finally:
        con.close()
    assert values == [
        ("countries_rank_1", 0.0),
        ("countries_rank_1", 0.0),
        ("cumulative_downloads", None),
    ]


def test_a_failed_build_leaves_the_previous_warehouse(tmp_path):
    lake, products, db = make_lake(tmp_path), products_file(tmp_path), tmp_path / "w.duckdb"
    build_warehouse(db, lake, products)
    before = snapshot(db)
    broken = lake / "app_estimates" / "date=2025-01-06" / "country=us" / "part-0.parquet"
    broken.write_bytes(b"not parquet")
    with pytest.raises(WarehouseBuildError, match="app_estimates"):
        build_warehouse(db, lake, products, dates=(day(6), day(6)))
    after = snapshot(db)
    for name, frame in before.items():
        assert after[name].equals(frame), name


def test_new_lake_columns_are_added_to_the_copy(tmp_path):
    lake, products, db = make_lake(tmp_path), products_file(tmp_path), tmp_path / "w.duckdb"
    build_warehouse(db, lake, products)
    frame = pl.DataFrame(chart_rows(), CHART_ENTRIES, orient="row")
    frame = frame.filter(pl.col("date") == day(15))
    write_lake(lake, "chart_entries", frame.with_columns(captured_at=pl.lit("06:00")))
    build_warehouse(db, lake, products, dates=(day(15), day(15)))
    con = connect_read_only(db)
    try:
        captured = con.execute(
            "SELECT DISTINCT date, captured_at FROM chart_entries ORDER BY date DESC"
        ).fetchall()
    finally:
        con.close()
    assert captured[0] == (day(15), "06:00")
    assert (day(14), None) in captured


def test_bad_inputs_are_refused_before_touching_the_warehouse(tmp_path):
    lake, db = make_lake(tmp_path), tmp_path / "w.duckdb"
    with pytest.raises(ValueError, match="first <= last"):
        build_warehouse(db, lake, products_file(tmp_path), dates=(day(7), day(5)))
    twice = tmp_path / "twice.toml"
    twice.write_text(
        PRODUCTS_TOML + '\n[products.copy]\nname = "Copy"\napp_store = ["6737597349"]\n'
    )
    with pytest.raises(WarehouseBuildError, match="6737597349 is already listed under"):
        build_warehouse(db, lake, twice)
    assert not db.exists()


def test_read_only_connection_refuses_a_missing_warehouse(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `make demo`"):
        connect_read_only(tmp_path / "missing.duckdb")


# --- app metadata (iTunes Lookup) --------------------------------------------------


def listing(n, country, app_id, name, bundle_id, rating_count, developer="DeepSeek", **kw):
    """One app_metadata row: an App Store lookup of ``app_id`` on 2025-01-``n``."""
    genre = kw.get("genre", "Productivity")
    return (day(n), country, "app_store", app_id, name, developer, bundle_id, genre, "6007",
            0.0, "USD", rating_count, 4.5, day(1), "1.0", "itunes_lookup")  # fmt: skip


def test_apps_take_their_listing_from_the_latest_lookup(tmp_path):
    from assets.schemas import APP_METADATA

    lake = make_lake(tmp_path)
    rows = [
        # DeepSeek: an older US lookup, then three storefronts on 01-15 (the US wins).
        listing(14, "us", DEEPSEEK_IOS, DEEPSEEK_NAME, "com.deepseek.old", 100, genre="Utilities"),
        listing(15, "cn", DEEPSEEK_IOS, "深度求索", "com.deepseek.cn", 900),
        listing(15, "us", DEEPSEEK_IOS, DEEPSEEK_NAME, "com.deepseek.chat", 2000),
        listing(15, "gb", DEEPSEEK_IOS, DEEPSEEK_NAME, "com.deepseek.gb", 50),
        # '222': the latest date wins over the US storefront; without the US, the
        # highest country code.
        listing(14, "us", "222", "New Name: Pro", "com.new.us", 10),
        listing(15, "eg", "222", "New Name: Pro", "com.new.eg", 20),
        listing(15, "jp", "222", "New Name: Pro", "com.new.jp", 30),
        # Looked up, never charted nor estimated.
        listing(15, "us", "444", "Quiet Reader", "com.quiet.reader", 7, "Quiet Co", genre="Books"),
    ]
    write_lake(lake, "app_metadata", pl.DataFrame(rows, APP_METADATA, orient="row"))
    db = tmp_path / "w.duckdb"
    counts = build_warehouse(db, lake, products_file(tmp_path))
    tables = snapshot(db)
    assert counts["app_metadata"] == len(rows)
    assert tables["app_metadata"].columns == list(APP_METADATA.names())
    assert tables["apps"].select("store", "app_id").is_duplicated().sum() == 0

    apps = {row["app_id"]: row for row in tables["apps"].to_dicts()}
    deepseek = apps[DEEPSEEK_IOS]
    assert (deepseek["bundle_id"], deepseek["genre"], deepseek["rating_count"]) == (
        "com.deepseek.chat",
        "Productivity",
        2000,
    )
    assert (deepseek["metadata_date"], deepseek["release_date"]) == (day(15), day(1))
    assert (deepseek["name"], deepseek["product"]) == (DEEPSEEK_NAME, "deepseek")
    assert (apps["222"]["bundle_id"], apps["222"]["rating_count"]) == ("com.new.jp", 30)
    # The charts' name and developer stay; the listing only fills what they lack.
    assert (apps["222"]["name"], apps["222"]["developer"]) == ("New Name: Pro", "New Dev")
    quiet = apps["444"]
    assert (quiet["name"], quiet["developer"], quiet["product"], quiet["tracked"]) == (
        "Quiet Reader",
        "Quiet Co",
        "quiet-reader",
        False,
    )
    assert (quiet["genre"], quiet["first_seen"], quiet["last_seen"]) == ("Books", None, None)
    # Never looked up: no listing.
    assert (apps["111"]["bundle_id"], apps["111"]["rating_count"]) == (None, None)
    assert apps["111"]["name"] == "Cool Game!!"


def test_without_lookups_apps_have_empty_listings(tmp_path, tables):
    # The shared lake has no app_metadata dataset at all (as in the sample).
    assert tables["app_metadata"].is_empty()
    apps = tables["apps"]
    listing_columns = ["bundle_id", "genre", "genre_id", "price", "currency", "rating_count",
                       "average_rating", "release_date", "metadata_date"]  # fmt: skip
    assert apps.columns[:8] == ["store", "app_id", "product", "name", "developer", "tracked",
                                "first_seen", "last_seen"]  # fmt: skip
    assert apps.columns[8:] == listing_columns
    assert apps.select(listing_columns).null_count().row(0) == (apps.height,) * 9
    # A window build finds no folder to read either.
    lake, db = make_lake(tmp_path), tmp_path / "w.duckdb"
    build_warehouse(db, lake, products_file(tmp_path))
    counts = build_warehouse(db, lake, products_file(tmp_path), dates=(day(14), day(15)))
    assert counts["app_metadata"] == 0
    assert counts["apps"] == apps.height


@pytest.mark.parametrize(
    "key", ["../../../x", "a/b", ".hidden", "Deep Seek", "deep seek", "x" * 70]
)
def test_a_product_key_that_is_not_a_plain_word_is_refused(tmp_path, key):
    """A key names files (launch-<key>.html): one with '/' would write outside the folder."""
    from warehouse.errors import InvalidSetting
    from warehouse.products import read_products

    products = tmp_path / "products.toml"
    products.write_text(f'[products."{key}"]\nname = "X"\n', encoding="utf-8")

    with pytest.raises(WarehouseBuildError, match="is not allowed"):
        read_products(products)
    with pytest.raises(InvalidSetting, match="is not allowed"):
        read_products(products)

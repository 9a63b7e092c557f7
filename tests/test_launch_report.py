"""The launch_report macro on a tiny hand-made lake whose answers are known by hand,
the report command, and the comparison with the reported seed figures.

The lake: product 'rocket' (App Store '1', Play 'com.rocket') launching in four
countries in January 2025, 'comet' (App Store '2') as the downloads competitor and
'nova' (no app data) as a search competitor. The report is read on the morning of
D = 2025-01-15, so downloads count through 01-14, DAU compares 01-12..13 with
01-05..06 and search interest is the week 01-15..01-21 (worldwide, and by country
for Rocket's views per country).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

from assets.schemas import APP_ESTIMATES, CHART_ENTRIES, SEARCH_INTEREST
from pipelines import report as report_cli
from tests.conftest import write_lake
from warehouse import units
from warehouse.build import build_warehouse, connect_read_only
from warehouse.headline import headline
from warehouse.report import (
    ReportError,
    format_report,
    launch_page,
    launch_report,
    modelled_text,
    report_names,
    table_rows,
    top_countries,
)
from warehouse.reported import REPORTED_FIGURES, SEED_REPORT, compare

D = dt.date(2025, 1, 15)

PRODUCTS_TOML = """
[products.rocket]
name = "Rocket"
category = "ai_assistant"
app_store = ["1"]
google_play = ["com.rocket"]
wikipedia = ["en:Rocket", "zh:火箭"]
competitors = ["comet", "nova"]

[products.comet]
name = "Comet"
category = "ai_assistant"
app_store = ["2"]
google_play = []
competitors = ["rocket"]

[products.nova]
name = "Nova"
category = "ai_assistant"
app_store = ["3"]
competitors = ["rocket"]
"""


def day(n: int) -> dt.date:
    return dt.date(2025, 1, n)


def chart_row(date, country, store, device, rank, app_id, chart="top_free", genre_id=None):
    name = {"1": "Rocket AI", "com.rocket": "Rocket AI", "2": "Comet"}[app_id]
    return (date, country, store, device, chart, genre_id, rank, app_id, name, "Rocket Inc", "test")


def chart_rows() -> list[tuple]:
    rows = []
    # US top-free iPhone: the climb 31 (01-10) -> 1 (first on 01-13), peak 3 days later.
    us_iphone = {6: 60, 7: 55, 8: 50, 9: 40, 10: 31, 11: 20, 12: 5, 13: 1, 14: 2, 15: 1}
    rows += [chart_row(day(n), "us", "app_store", "iphone", r, "1") for n, r in us_iphone.items()]
    # US top-free Android: off the chart until 01-12, then 133 -> 80 -> 30 -> 9.
    us_android = {12: 133, 13: 80, 14: 30, 15: 9}
    rows += [
        chart_row(day(n), "us", "google_play", "android", r, "com.rocket")
        for n, r in us_android.items()
    ]
    rows += [
        # On D, iPhone: #1 in us and cn, top 10 in eg, charting in fr.
        chart_row(D, "cn", "app_store", "iphone", 1, "1"),
        chart_row(D, "eg", "app_store", "iphone", 3, "1"),
        chart_row(D, "fr", "app_store", "iphone", 12, "1"),
        chart_row(D, "us", "app_store", "iphone", 5, "2"),
        # On D, Android: #1 in eg, top 10 in us, charting in fr.
        chart_row(D, "eg", "google_play", "android", 1, "com.rocket"),
        chart_row(D, "fr", "google_play", "android", 11, "com.rocket"),
        # Not the overall top-free phone charts, or not on D: none of these count.
        chart_row(D, "fr", "app_store", "ipad", 1, "1"),
        chart_row(D, "fr", "app_store", "iphone", 1, "1", genre_id="6000"),
        chart_row(D, "fr", "app_store", "iphone", 1, "1", chart="top_grossing"),
        chart_row(day(14), "fr", "app_store", "iphone", 1, "1"),
    ]
    return rows


# Rocket's downloads per day, all countries; 01-11 has no estimate at all.
ROCKET_DAILY = {**{n: 20 for n in range(1, 8)}, 8: 60, 9: 100, 10: 200, 12: 300, 13: 400}
ROCKET_DAILY |= {14: 500, 15: 600}
# Percent of each day's downloads per (country, store).
ROCKET_SPLIT = {
    ("cn", "app_store"): 50,
    ("us", "app_store"): 20,
    ("us", "google_play"): 10,
    ("eg", "google_play"): 15,
    ("fr", "app_store"): 5,
}
# Rocket's DAU (on the US App Store row): only 01-12..13 and 01-05..06 count on D.
ROCKET_DAU = {4: 5000, 5: 100, 6: 100, 12: 250, 13: 170, 14: 1000}
COMET_DAILY = {**{n: 50 for n in range(1, 11)}, 11: 60, 12: 60, 13: 60, 14: 60, 15: 1000}


def estimate_rows(modelled: set[tuple[str, str]] = frozenset(), from_day: int = 1) -> list[tuple]:
    """The lake's estimates; the rows of the ``modelled`` (country, store) pairs from
    ``from_day`` on are labelled as the rank model's (source 'model')."""
    rows = []
    for n, total in ROCKET_DAILY.items():
        for (country, store), percent in ROCKET_SPLIT.items():
            app_id = "1" if store == "app_store" else "com.rocket"
            dau = ROCKET_DAU.get(n) if (country, store) == ("us", "app_store") else None
            source = "model" if (country, store) in modelled and n >= from_day else "sample"
            rows.append(
                (day(n), country, store, app_id, "Rocket AI", total * percent // 100, dau, source)
            )
    rows += [
        (day(n), "us", "app_store", "2", "Comet", downloads, None, "model")
        for n, downloads in COMET_DAILY.items()
    ]
    return rows


def search_rows() -> list[tuple]:
    rows = [(day(14), "ww", "wikimedia", "en.wikipedia:Rocket", "rocket", 10_000)]
    for n in range(15, 22):
        rows += [
            (day(n), "ww", "wikimedia", "en.wikipedia:Rocket", "rocket", 60),
            (day(n), "ww", "wikimedia", "zh.wikipedia:火箭", "rocket", 40),
            (day(n), "ww", "wikimedia", "en.wikipedia:Comet", "comet", 30),
            (day(n), "ww", "wikimedia", "en.wikipedia:Nova", "nova", 50),
            (day(n), "us", "google_trends", "comet", "comet", 100_000),
        ]
    # Rocket's views per country, both editions: six countries, the top five counted.
    per_day = {"us": (20, 10), "cn": (0, 20), "eg": (10, 0), "fr": (5, 0), "de": (4, 0)}
    per_day["gb"] = (1, 0)
    for n in range(14, 23):  # 01-14 and 01-22 are outside the week
        views = 1000 if n in (14, 22) else 1
        for country, (en, zh) in per_day.items():
            for term, count in (("en.wikipedia/Rocket", en), ("zh.wikipedia/火箭", zh)):
                if count:
                    rows.append(
                        (day(n), country, "wikimedia_country", term, "rocket", count * views)
                    )
        rows.append((day(n), "us", "wikimedia_country", "en.wikipedia/Comet", "comet", 999))
    return rows


def build_lake_warehouse(root: Path, estimates: list[tuple]) -> Path:
    lake = root / "lake"
    write_lake(lake, "chart_entries", pl.DataFrame(chart_rows(), CHART_ENTRIES, orient="row"))
    write_lake(lake, "app_estimates", pl.DataFrame(estimates, APP_ESTIMATES, orient="row"))
    write_lake(lake, "search_interest", pl.DataFrame(search_rows(), SEARCH_INTEREST, orient="row"))
    products = root / "products.toml"
    products.write_text(PRODUCTS_TOML, encoding="utf-8")
    db = root / "warehouse.duckdb"
    build_warehouse(db, lake, products)
    return db


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_lake_warehouse(tmp_path_factory.mktemp("launch"), estimate_rows())


# In the mixed lake, Rocket's Egyptian Google Play downloads from 01-12 on are the
# rank model's: part of every download figure of Rocket is modelled.
MIXED_FROM = 12


@pytest.fixture(scope="module")
def mixed_report(tmp_path_factory) -> pl.DataFrame:
    rows = estimate_rows({("eg", "google_play")}, from_day=MIXED_FROM)
    db = build_lake_warehouse(tmp_path_factory.mktemp("mixed"), rows)
    con = connect_read_only(db)
    try:
        return launch_report(con, "rocket", D, "comet")
    finally:
        con.close()


@pytest.fixture(scope="module")
def report(warehouse) -> pl.DataFrame:
    con = connect_read_only(warehouse)
    try:
        return launch_report(con, "rocket", D, "comet")
    finally:
        con.close()


def rows_of(report: pl.DataFrame, figure: str, store: str | None = None) -> list[dict]:
    selected = report.filter(pl.col("figure") == figure)
    selected = selected.filter(
        pl.col("store").is_null() if store is None else pl.col("store") == store
    )
    return selected.sort("position").to_dicts()


def one(report: pl.DataFrame, figure: str, store: str | None = None) -> dict:
    (row,) = rows_of(report, figure, store)
    return row


def test_report_columns_and_types(report):
    assert report.schema == pl.Schema(
        {
            "figure": pl.String,
            "store": pl.String,
            "value": pl.Float64,
            "as_of": pl.Date,
            "detail": pl.String,
            "position": pl.Int32,
            "product": pl.String,
            "estimated": pl.Boolean,
            "modelled_share": pl.Float64,
            "low": pl.Float64,
            "high": pl.Float64,
        }
    )
    # Only Comet's downloads are labelled 'model' in this lake: the figures that sum
    # them are estimated, and without an interval of their own their bounds are the
    # value; every other figure has no bounds.
    estimated = report.filter("estimated")
    assert sorted(zip(estimated["figure"], estimated["product"], strict=True)) == [
        ("downloads_last_7d", "comet"),
        ("downloads_vs_competitor", "rocket"),
    ]
    assert (estimated["low"] == estimated["value"]).all()
    assert (estimated["high"] == estimated["value"]).all()
    assert report.filter(~pl.col("estimated"))["low"].is_null().all()
    # One row per figure, store and position.
    assert report.select("figure", "store", "position").is_duplicated().sum() == 0


def test_modelled_share_is_the_models_part_of_the_downloads_a_figure_sums(report):
    # Comet's downloads are all labelled 'model', Rocket's none.
    shares = {
        (row["figure"], row["product"], row["position"]): row["modelled_share"]
        for row in report.iter_rows(named=True)
    }
    assert shares[("downloads_last_7d", "comet", 2)] == 1.0
    assert shares[("downloads_last_7d", "rocket", 1)] == 0.0
    assert shares[("cumulative_downloads", "rocket", 1)] == 0.0
    # A ratio rests on both ends: Comet's 390 of the 1,560 + 390 downloads.
    assert shares[("downloads_vs_competitor", "rocket", 1)] == pytest.approx(390 / (1560 + 390))
    # Figures that sum no downloads have no modelled share.
    no_downloads = report.filter(
        pl.col("figure").is_in(
            ["countries_rank_1", "us_rank", "dau_wow_growth", "search_interest_week"]
        )
    )
    assert no_downloads["modelled_share"].is_null().all()


def _eg_play(first: int, last: int) -> int:
    """Rocket's Egyptian Google Play downloads from day ``first`` to ``last``."""
    percent = ROCKET_SPLIT[("eg", "google_play")]
    return sum(t * percent // 100 for n, t in ROCKET_DAILY.items() if first <= n <= last)


def test_modelled_share_of_a_mixed_lake(mixed_report):
    shares = {
        (row["figure"], row["product"], row["position"]): row["modelled_share"]
        for row in mixed_report.iter_rows(named=True)
    }
    modelled_to_date = _eg_play(MIXED_FROM, 14)
    assert shares[("cumulative_downloads", "rocket", 1)] == pytest.approx(modelled_to_date / 1700)
    assert shares[("share_last_7d", "rocket", 1)] == pytest.approx(modelled_to_date / 1700)
    assert shares[("downloads_last_7d", "rocket", 1)] == pytest.approx(modelled_to_date / 1560)
    # The milestone (1K) was passed on 01-13 with 1,200 downloads to date.
    assert shares[("downloads_milestone", "rocket", 1)] == pytest.approx(
        _eg_play(MIXED_FROM, 13) / 1200
    )
    assert shares[("downloads_vs_competitor", "rocket", 1)] == pytest.approx(
        (modelled_to_date + 390) / (1560 + 390)
    )
    # A country's share rests on every country's downloads.
    country = mixed_report.filter(pl.col("figure") == "country_share")["modelled_share"]
    assert country.to_list() == pytest.approx([modelled_to_date / 1700] * country.len())
    text = format_report(mixed_report)
    assert f"{units.fine_percent(modelled_to_date / 1700)} modelled" in text


def test_the_interval_shows_only_where_it_is_not_degenerate(report):
    # Imported model rows have no interval: low = high = value, so none is shown.
    comet = report.filter(pl.col("figure") == "downloads_last_7d", pl.col("product") == "comet")
    assert modelled_text(comet.row(0, named=True)) == "100% modelled"
    row = {"figure": "cumulative_downloads", "estimated": True, "modelled_share": 5.12e-5}
    # 2.60M either way at the figure's precision: no interval.
    assert modelled_text({**row, "low": 2_597_300.0, "high": 2_597_319.0}) == "0.005% modelled"
    assert (
        modelled_text({**row, "modelled_share": 0.998, "low": 2_050_000.0, "high": 3_100_000.0})
        == "99.8% modelled, 2.05M to 3.10M"
    )
    # A figure that sums no downloads says nothing.
    assert modelled_text({"figure": "us_rank", "modelled_share": None}) == ""
    assert " to " not in "".join(format_report(report).splitlines()[2:6])


def test_headline_states_the_report_figures(report, warehouse):
    con = connect_read_only(warehouse)
    try:
        names = report_names(con, report)
    finally:
        con.close()
    assert names == {"comet": "Comet", "nova": "Nova", "rocket": "Rocket"}
    text = headline(report, names, "rocket")

    def value(figure, store=None, product="rocket"):
        rows = report.filter(pl.col("figure") == figure, pl.col("product") == product)
        if store:
            rows = rows.filter(pl.col("store") == store)
        return rows["value"][0]

    assert text.startswith("On the morning of Wednesday 15 January 2025, Rocket was")
    assert f"{value('countries_rank_1', 'app_store'):.0f} countries on the App Store" in text
    assert f"in the top 10 in {value('countries_top_10', 'app_store'):.0f} countries" in text
    before = value("us_rank_before_peak", "app_store")
    peak = value("us_rank_climb", "app_store")
    assert f"climbed from #{before:.0f} to #{peak:.0f} on the App Store in 3 days" in text
    assert f"{units.human_count(value('cumulative_downloads'))} downloads through 14 Jan" in text
    assert f"{units.percent(value('share_last_7d'))} of them in the last 7 days" in text
    assert f"{value('downloads_vs_competitor'):.0%} more downloads than Comet" in text
    assert "China (50.0%), the US (30.0%)" in text
    assert f"{units.ratio(value('search_interest_ratio_vs_next'))} those of Nova" in text
    assert "rocket" not in text and "comet" not in text  # names, not keys


def test_countries_count_only_the_top_free_phone_charts_on_d(report):
    assert one(report, "countries_rank_1", "app_store")["value"] == 2
    assert one(report, "countries_top_10", "app_store")["value"] == 3
    assert one(report, "countries_rank_1", "google_play")["value"] == 1
    assert one(report, "countries_top_10", "google_play")["value"] == 2
    assert one(report, "countries_rank_1", "app_store")["as_of"] == D


def test_us_rank_trajectory_and_climb(report):
    trajectory = rows_of(report, "us_rank", "app_store")
    assert [row["as_of"] for row in trajectory] == [day(n) for n in range(9, 16)]
    assert [row["value"] for row in trajectory] == [40, 31, 20, 5, 1, 2, 1]
    android = [row["value"] for row in rows_of(report, "us_rank", "google_play")]
    assert android == [None, None, None, 133, 80, 30, 9]

    # The peak is the first day of the best rank (01-13, not 01-15).
    climb = one(report, "us_rank_climb", "app_store")
    assert (climb["value"], climb["as_of"], climb["detail"]) == (1, day(13), "31 -> 1")
    before = one(report, "us_rank_before_peak", "app_store")
    assert (before["value"], before["as_of"]) == (31, day(10))

    climb = one(report, "us_rank_climb", "google_play")
    assert (climb["value"], climb["as_of"], climb["detail"]) == (9, day(15), "133 -> 9")
    before = one(report, "us_rank_before_peak", "google_play")
    assert (before["value"], before["as_of"]) == (133, day(12))


def test_rank_before_peak_is_null_when_not_charting_then(warehouse):
    con = connect_read_only(warehouse)
    try:
        earlier = launch_report(con, "rocket", day(14), "comet")
    finally:
        con.close()
    climb = one(earlier, "us_rank_climb", "google_play")
    assert (climb["value"], climb["as_of"], climb["detail"]) == (30, day(14), "unranked -> 30")
    before = one(earlier, "us_rank_before_peak", "google_play")
    assert (before["value"], before["as_of"]) == (None, day(11))


def test_downloads_use_complete_days_through_d_minus_1(report):
    cumulative = one(report, "cumulative_downloads")
    # 7 x 20 + 60 + 100 + 200 + (01-11 missing) + 300 + 400 + 500; D's 600 is not in.
    assert (cumulative["value"], cumulative["as_of"]) == (1700, day(14))

    # 1,000 is the largest power of ten below 1,700; first reached on 01-13 (1,200).
    milestone = one(report, "downloads_milestone")
    assert (milestone["value"], milestone["as_of"], milestone["detail"]) == (
        1200,
        day(13),
        "passed 1K",
    )

    # The 7 days 01-08..01-14, 01-11 missing: 60 + 100 + 200 + 300 + 400 + 500.
    assert one(report, "share_last_7d")["value"] == pytest.approx(1560 / 1700)
    own, vs = rows_of(report, "downloads_last_7d")
    assert (own["product"], own["value"]) == ("rocket", 1560)
    assert (vs["product"], vs["value"], vs["as_of"]) == ("comet", 390, day(14))
    versus = one(report, "downloads_vs_competitor")
    assert versus["value"] == pytest.approx(1560 / 390 - 1)
    assert versus["detail"] == "comet"


def test_dau_growth_compares_settled_days_with_a_week_earlier(report):
    growth = one(report, "dau_wow_growth")
    assert growth["value"] == pytest.approx((250 + 170) / (100 + 100) - 1)
    assert growth["as_of"] == day(13)


def test_country_share_ranks_countries_by_downloads_to_date(report):
    shares = rows_of(report, "country_share")
    assert [(row["position"], row["detail"]) for row in shares] == [
        (1, "cn"),
        (2, "us"),
        (3, "eg"),
        (4, "fr"),
    ]
    assert [row["value"] for row in shares] == pytest.approx([0.50, 0.30, 0.15, 0.05])
    assert {row["as_of"] for row in shares} == {day(14)}


def test_search_interest_week_and_ratio_to_the_next_competitor(report):
    # 7 days x (60 + 40) Wikipedia views; the 01-14 spike and Google Trends don't count.
    week = one(report, "search_interest_week")
    assert (week["value"], week["as_of"]) == (700, day(21))
    ratio = one(report, "search_interest_ratio_vs_next")
    assert (ratio["value"], ratio["detail"]) == (2.0, "nova")


def test_interest_countries_rank_the_weeks_views_by_country_beside_downloads(report):
    # The week 01-15..21: us 7 x 30, cn 7 x 20, eg 7 x 10, fr 7 x 5, de 7 x 4 (gb, the
    # sixth, is left out), of 7 x 70 views counted by country.
    shares = rows_of(report, "interest_country_share")
    assert [(row["position"], row["detail"]) for row in shares] == [
        (1, "us"),
        (2, "cn"),
        (3, "eg"),
        (4, "fr"),
        (5, "de"),
    ]
    assert [row["value"] for row in shares] == pytest.approx(
        [30 / 70, 20 / 70, 10 / 70, 5 / 70, 4 / 70]
    )
    assert {row["as_of"] for row in shares} == {day(21)}
    assert all(row["modelled_share"] is None and not row["estimated"] for row in shares)

    header, rows, note = top_countries(report)
    assert header == (
        "#",
        "downloads to date (14 Jan 2025)",
        "share",
        "Wikipedia views by country (15\N{EN DASH}21 Jan 2025)",
        "share",
    )
    assert rows[:2] == [
        ("1", "China", "50.0%", "The US", "42.9%"),
        ("2", "The US", "30.0%", "China", "28.6%"),
    ]
    assert rows[4] == ("5", "", "", "Germany", "5.7%") and "release threshold" in note


def test_interest_countries_are_absent_without_views_by_country(warehouse):
    con = connect_read_only(warehouse)
    try:
        comet, nova = (launch_report(con, key, D, "rocket") for key in ("comet", "nova"))
    finally:
        con.close()
    (only,) = rows_of(comet, "interest_country_share")
    assert (only["detail"], only["value"]) == ("us", 1.0)
    assert rows_of(nova, "interest_country_share") == []
    header, _, note = top_countries(nova)
    assert header[3] == "Wikipedia views by country (-)" and "needs a wikidata item" in note


def test_macro_is_stored_in_the_database_for_sql_users(warehouse):
    con = connect_read_only(warehouse)
    try:
        (figure, value) = con.execute(
            "SELECT figure, value FROM launch_report('rocket', DATE '2025-01-15', 'comet')"
            " WHERE figure = 'cumulative_downloads'"
        ).fetchone()
    finally:
        con.close()
    assert (figure, value) == ("cumulative_downloads", 1700)


def test_unknown_product_is_a_clear_error(warehouse):
    con = connect_read_only(warehouse)
    try:
        with pytest.raises(ReportError, match=r"no product 'rockett'.*did you mean rocket"):
            launch_report(con, "rockett", D, "comet")
    finally:
        con.close()


def test_report_prints_human_units(report):
    text = format_report(report)
    assert "1,700" in text  # cumulative downloads
    assert "91.8%" in text  # share of the last 7 days
    assert "+300%" in text  # versus comet
    assert "#31" in text


def test_command_prints_report_and_fails_the_seed_comparison(warehouse, capsys):
    argv = ["--product", "rocket", "--date", "2025-01-15", "--vs", "comet", "--db", str(warehouse)]
    assert report_cli.main(argv) == 0
    out = capsys.readouterr().out
    title = out.split("\n")[0]
    assert title.startswith("Rocket: launch report, read on the morning of Wed 15 Jan 2025")
    assert "Downloads to date" in out and "cumulative_downloads" not in out
    assert out.split("\n\n")[1].startswith("On the morning of Wednesday 15 January 2025, Rocket")

    # The tiny lake is not DeepSeek's launch: the comparison runs and fails.
    assert report_cli.main([*argv, "--compare"]) == 1
    out = capsys.readouterr().out
    assert "F1" in out and "FAIL" in out
    assert "Top countries" in out and "Wikipedia views by country (15\N{EN DASH}21 Jan 2025)" in out


def test_command_errors_without_a_warehouse(tmp_path, capsys):
    argv = ["--product", "rocket", "--date", "2025-01-15", "--vs", "comet"]
    assert report_cli.main([*argv, "--db", str(tmp_path / "missing.duckdb")]) == 2
    assert "no warehouse at" in capsys.readouterr().err


def seed_report_rows() -> list[dict]:
    """Launch report rows matching every seed figure (as the sample market should)."""

    def row(figure, value, as_of=None, store=None, detail=None, position=1):
        return {
            "figure": figure,
            "store": store,
            "value": value,
            "as_of": as_of,
            "detail": detail,
            "position": position,
            "product": "deepseek",
        }

    jan = day
    return [
        row("countries_rank_1", 52.0, jan(27), "app_store"),
        row("countries_top_10", 111.0, jan(27), "app_store"),
        row("countries_top_10", 18.0, jan(27), "google_play"),
        row("us_rank_before_peak", 31.0, jan(23), "app_store"),
        row("us_rank_climb", 1.0, jan(26), "app_store"),
        row("us_rank_before_peak", 133.0, jan(24), "google_play"),
        row("us_rank_climb", 14.0, jan(27), "google_play"),
        row("downloads_milestone", 1_010_000.0, jan(24)),
        row("cumulative_downloads", 2_600_000.0, jan(26)),
        row("share_last_7d", 0.85, jan(26)),
        row("downloads_vs_competitor", 3.01, jan(26), detail="perplexity"),
        row("dau_wow_growth", 1.10, jan(25)),
        row("country_share", 0.228, jan(26), detail="cn", position=1),
        row("country_share", 0.151, jan(26), detail="us", position=2),
        row("country_share", 0.061, jan(26), detail="eg", position=3),
        row("country_share", 0.02, jan(26), detail="fr", position=4),
        row("search_interest_ratio_vs_next", 2.4, jan(26), detail="chatgpt"),
    ]


def test_compare_maps_report_rows_to_every_seed_figure():
    comparisons = compare(seed_report_rows())
    assert [c.id for c in comparisons] == [f"F{n}" for n in range(1, 13)]
    assert all(c.within_tolerance for c in comparisons), comparisons
    by_id = {c.id: c for c in comparisons}
    assert by_id["F4"].computed == ((31, day(23)), (1, day(26)))
    assert by_id["F11"].computed == [("cn", 0.228), ("us", 0.151), ("eg", 0.061)]
    assert SEED_REPORT["product"] == "deepseek"


@pytest.mark.parametrize(
    ("figure", "field", "value", "failing"),
    [
        ("countries_rank_1", "value", 51.0, "F1"),
        ("us_rank_climb", "as_of", day(27), "F4"),  # right rank, wrong day
        ("downloads_milestone", "as_of", day(25), "F6"),
        ("share_last_7d", "value", 0.79, "F8"),
        ("search_interest_ratio_vs_next", "value", 1.9, "F12"),
    ],
)
def test_compare_flags_a_figure_out_of_tolerance(figure, field, value, failing):
    rows = seed_report_rows()
    next(row for row in rows if row["figure"] == figure)[field] = value
    failed = [c.id for c in compare(pl.DataFrame(rows)) if not c.within_tolerance]
    assert failed == [failing]


def test_compare_fails_on_a_wrong_top_three_or_a_missing_figure():
    rows = seed_report_rows()
    swapped = [
        {**row, "detail": {"us": "eg", "eg": "us"}.get(row["detail"], row["detail"])}
        if row["figure"] == "country_share"
        else row
        for row in rows
    ]
    assert [c.id for c in compare(swapped) if not c.within_tolerance] == ["F11"]
    without_dau = [row for row in rows if row["figure"] != "dau_wow_growth"]
    f10 = next(c for c in compare(without_dau) if c.id == "F10")
    assert (f10.computed, f10.within_tolerance) == (None, False)


def test_reported_figures_show_their_values():
    for figure in REPORTED_FIGURES:
        assert figure.show(figure.reported)
        assert figure.show(None) == "-"


def test_html_page_reads_as_a_report(warehouse):
    con = connect_read_only(warehouse)
    try:
        page, _ = launch_page(con, "rocket", D, "comet")
    finally:
        con.close()
    assert "<h1>Rocket&#x27;s launch</h1>" in page and "Comet" in page
    assert "<p class=headline>On the morning of Wednesday 15 January 2025, Rocket was" in page
    # Labels for people: no figure ids in the cards' labels or the table's first column.
    labels = re.findall(r"<div class=label>([^<]*)</div>", page)
    labels += re.findall(r"<tr><td[^>]*>([^<]*)</td>", page)
    assert "Downloads to date" in labels and "Countries at #1" in labels
    assert not [label for label in labels if re.search(r"[a-z]_[a-z]", label)], labels
    assert "<h2>Where it was downloaded, and where it was read about</h2>" in page
    assert "<td>The US</td><td class=num>42.9%</td>" in page
    # Days never wrap.
    assert re.search(r"<td class=nowrap>(<span class=nowrap>)?14 Jan 2025<", page)


def test_deepseeks_launch_in_the_sample_reads_from_its_figures(sample_window):
    """The sample market's DeepSeek report (slow: the whole sample window, shared with
    tests/test_seed_figures.py): the headline states the computed figures, and the
    downloads, vendor estimates but for a few modelled apps, say how little is modelled
    without a degenerate interval."""
    con = connect_read_only(sample_window / "warehouse.duckdb")
    try:
        report = launch_report(con, **SEED_REPORT)
        names = report_names(con, report)
    finally:
        con.close()
    text = headline(report, names, "deepseek")

    def row(figure, store=None):
        rows = report.filter(pl.col("figure") == figure)
        return (
            rows.filter(pl.col("store") == store).row(0, named=True)
            if store
            else rows.row(0, named=True)
        )

    at_1 = row("countries_rank_1", "app_store")["value"]
    assert (
        at_1 == 52
        and "the #1 free app in 52 countries on the App Store (the US among them)" in text
    )
    top_10 = (
        row("countries_top_10", "app_store")["value"],
        row("countries_top_10", "google_play")["value"],
    )
    assert (
        f"in the top 10 in {top_10[0]:.0f} countries on the App Store and {top_10[1]:.0f}" in text
    )
    before, peak = row("us_rank_before_peak", "app_store"), row("us_rank_climb", "app_store")
    days = (peak["as_of"] - before["as_of"]).days
    assert (
        f"climbed from #{before['value']:.0f} to #{peak['value']:.0f} on the App Store in {days} days"
        in text
    )
    cumulative = row("cumulative_downloads")
    assert f"It had {units.human_count(cumulative['value'])} downloads through 26 Jan 2025" in text
    assert f"{units.percent(row('share_last_7d')['value'])} of them in the last 7 days" in text
    assert "more downloads than Perplexity" in text and "China (" in text
    assert "deepseek" not in text and "DeepSeek" in text

    share = cumulative["modelled_share"]
    assert 0 < share < 0.001  # a few charting gaps of the vendor feed, modelled
    cells = next(cells for cells in table_rows(report, names) if cells[0] == "Downloads to date")
    assert cells[3] == f"{units.fine_percent(share)} modelled"  # no interval: 2.60M either way

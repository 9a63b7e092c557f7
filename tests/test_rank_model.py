"""The rank -> downloads model: its fit recovers known parameters from synthetic
power-law data, its panel draw is stable, and through the pipeline it gives the
warehouse estimates with intervals in both estimates modes."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re

import duckdb
import numpy as np
import polars as pl
import pytest

from assets.rank_model import model
from assets.schemas import APP_ESTIMATES, MODEL_CALIBRATION, MODEL_PARAMETERS
from tests.conftest import REPO
from warehouse.build import WarehouseBuildError, build_warehouse
from warehouse.report import format_report, launch_report

DAY = dt.date(2025, 1, 20)
CHART = {"store": "app_store", "device": "iphone", "chart": "top_free"}


def synthetic(
    scales: dict[str, float],
    exponents: tuple[float, float, float],
    sigma: float = 0.1,
    per_country: int = 30,
    seed: int = 7,
) -> pl.DataFrame:
    """Panel observations of a broken power law: in country k, ln d = c_k - a1 ln r
    for ranks 1-10, continuing with slope -a2 to rank 50 and -a3 beyond; ranks drawn
    from 1..200 (a third in each of those ranges), normal noise of ``sigma`` on ln d."""
    rng = np.random.default_rng(seed)
    a1, a2, a3 = exponents
    k1, k2 = math.log(10.5), math.log(50.5)
    rows = []
    for country, scale in scales.items():
        ranks = np.concatenate(
            [
                rng.integers(1, 11, per_country // 3),
                rng.integers(11, 51, per_country // 3),
                rng.integers(51, 201, per_country - 2 * (per_country // 3)),
            ]
        )
        x = np.log(ranks)
        curve = (
            -a1 * x - (a2 - a1) * np.clip(x - k1, 0, None) - (a3 - a2) * np.clip(x - k2, 0, None)
        )
        y = scale + curve + rng.normal(0, sigma, len(x))
        rows += [
            (DAY, country, *CHART.values(), float(xi), float(yi))
            for xi, yi in zip(x, y, strict=True)
        ]
    return pl.DataFrame(
        rows,
        schema={
            "date": pl.Date,
            "country": pl.String,
            "store": pl.String,
            "device": pl.String,
            "chart": pl.String,
            "x": pl.Float64,
            "y": pl.Float64,
        },
        orient="row",
    )


def fronts(countries) -> pl.DataFrame:
    return pl.DataFrame(
        {"country": list(countries), **{k: [v] * len(countries) for k, v in CHART.items()}}
    )


NO_SIZES = pl.DataFrame(schema={"store": pl.String, "country": pl.String, "size": pl.Float64})


def band(parameters: pl.DataFrame, country: str, rank_from: int) -> dict:
    return parameters.filter(pl.col("country") == country, pl.col("rank_from") == rank_from).row(
        0, named=True
    )


def test_fit_recovers_a_single_power_law_per_country():
    rng = np.random.default_rng(1)
    scales = {f"c{i:02d}": float(rng.normal(9.0, 1.0)) for i in range(40)}
    obs = synthetic(scales, (0.94, 0.94, 0.94), sigma=0.1)
    parameters = model.fit(obs, fronts(scales), NO_SIZES, (DAY, DAY))

    assert parameters.schema == MODEL_PARAMETERS
    assert parameters.height == 40 * len(model.BANDS)  # every country and rank band
    assert parameters["rank_from"].unique().sort().to_list() == [1, 11, 51]
    for rank_from in (1, 11, 51):
        exponents = parameters.filter(pl.col("rank_from") == rank_from)["exponent"]
        assert exponents.n_unique() == 1  # shared by every country
        assert exponents[0] == pytest.approx(0.94, abs=0.05)
    for country, scale in scales.items():
        top = band(parameters, country, 1)
        assert top["log_scale"] == pytest.approx(scale, abs=0.1)
        assert top["method"] == "country"
        assert top["n_obs"] == 30
        assert top["window_start"] == top["window_end"] == DAY
    # The spread is the noise's: about 0.1 in every band.
    assert parameters["sigma"].to_list() == pytest.approx([0.1] * parameters.height, abs=0.03)
    # Garg & Telang's benchmark: #1 sees ~150x the downloads of #200 when a ~ 0.94.
    first = band(parameters, "c00", 1)
    last = band(parameters, "c00", 51)
    ratio = math.exp(first["log_scale"] - last["log_scale"] + last["exponent"] * math.log(200))
    assert ratio == pytest.approx(200**0.94, rel=0.25)


def test_fit_recovers_a_broken_power_law():
    scales = {f"c{i:02d}": 9.0 + i / 10 for i in range(30)}
    obs = synthetic(scales, (0.6, 0.9, 1.3), sigma=0.05, per_country=45)
    parameters = model.fit(obs, fronts(scales), NO_SIZES, (DAY, DAY))
    for rank_from, exponent in ((1, 0.6), (11, 0.9), (51, 1.3)):
        assert band(parameters, "c05", rank_from)["exponent"] == pytest.approx(exponent, abs=0.06)
    # The bands meet: the curve is continuous at the band limits.
    starts = [lo for lo, _ in model.BANDS]
    for lo, hi in itertools.pairwise(starts):
        left, right = band(parameters, "c05", lo), band(parameters, "c05", hi)
        at = math.log(hi - 0.5)
        assert left["log_scale"] - left["exponent"] * at == pytest.approx(
            right["log_scale"] - right["exponent"] * at, abs=1e-9
        )


def test_a_country_without_panel_data_borrows_its_scale_from_its_market_size():
    rng = np.random.default_rng(3)
    sizes = {f"c{i:02d}": float(size) for i, size in enumerate(rng.uniform(1, 100, 30))}
    scales = {c: 2.0 + math.log(s) + float(rng.normal(0, 0.05)) for c, s in sizes.items()}
    fitted = dict(list(scales.items())[:25])
    obs = synthetic(fitted, (0.9, 0.9, 0.9))
    market = pl.DataFrame(
        {"store": "app_store", "country": list(sizes), "size": list(sizes.values())}
    )
    countries = [*sizes, "zz"]  # zz: no panel data and no market size
    parameters = model.fit(obs, fronts(countries), market, (DAY, DAY))

    for country in list(sizes)[25:]:
        top = band(parameters, country, 1)
        assert top["method"] == "market_size"
        assert top["n_obs"] == 0
        assert top["log_scale"] == pytest.approx(scales[country], abs=0.25)
    pooled = band(parameters, "zz", 1)
    assert pooled["method"] == "pooled"
    assert pooled["log_scale"] == pytest.approx(np.mean(list(fitted.values())), abs=0.2)
    # Borrowed scales are less certain than fitted ones.
    assert pooled["scale_se"] > band(parameters, "c00", 1)["scale_se"]


def test_a_country_with_few_observations_is_shrunk_towards_the_others():
    scales = {f"c{i:02d}": 9.0 for i in range(20)}
    obs = synthetic(scales, (0.9, 0.9, 0.9), sigma=0.3)
    # One lone observation far above the curve in a new country.
    lone = obs.head(1).with_columns(country=pl.lit("zz"), y=pl.col("y") + 2.0)
    parameters = model.fit(pl.concat([obs, lone]), fronts([*scales, "zz"]), NO_SIZES, (DAY, DAY))
    shrunk = band(parameters, "zz", 1)
    raw = float(lone["y"][0] + shrunk["exponent"] * lone["x"][0])
    assert shrunk["method"] == "country"
    assert 9.0 < shrunk["log_scale"] < raw  # between the others and its own evidence


def test_a_chart_with_no_panel_app_in_any_country_gets_no_parameters():
    obs = synthetic({"us": 9.0}, (0.9, 0.9, 0.9))
    paid = fronts(["us"]).with_columns(chart=pl.lit("top_paid"))
    parameters = model.fit(obs, pl.concat([fronts(["us"]), paid]), NO_SIZES, (DAY, DAY))
    assert parameters["chart"].unique().to_list() == ["top_free"]


def test_the_panel_draw_is_a_stable_tenth_of_apps():
    apps = pl.DataFrame({"store": "app_store", "app_id": [str(i) for i in range(20_000)]})
    panel = model.drawn_panel(apps)
    assert 0.09 < panel.height / apps.height < 0.11
    # An app's draw does not depend on which other apps exist.
    half = model.drawn_panel(apps.head(10_000))
    assert half["app_id"].to_list() == [a for a in panel["app_id"].to_list() if int(a) < 10_000]
    assert model.in_panel("app_store", panel["app_id"][0])


def test_calibration_keeps_only_the_panels_known_downloads():
    estimates = pl.DataFrame(
        {
            "date": [DAY] * 3,
            "country": ["us", "us", "gb"],
            "store": ["app_store"] * 3,
            "app_id": ["1", "2", "1"],
            "app_name": ["One", "Two", "One"],
            "downloads": [100, 50, None],
            "dau": [None, None, None],
            "source": ["sample"] * 3,
        },
        schema=APP_ESTIMATES,
    )
    panel = pl.DataFrame({"store": ["app_store"], "app_id": ["1"]})
    calibrated = model.calibration(estimates, panel)
    assert calibrated.schema == MODEL_CALIBRATION
    assert calibrated.select("country", "app_id", "downloads", "truth_source").rows() == [
        ("us", "1", 100, "sample")
    ]


def test_a_panel_file_names_its_bad_row(tmp_path):
    good = tmp_path / "panel.csv"
    good.write_text("store,app_id\napp_store,123\ngoogle_play,com.example\n")
    assert model.read_panel_file(good).height == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("store,app_id\nitunes,123\n")
    with pytest.raises(model.PanelError, match="itunes,123"):
        model.read_panel_file(bad)


# --- through the pipeline -------------------------------------------------------------


@pytest.fixture(scope="module")
def model_warehouse(sample_window, tmp_path_factory):
    """The sample window's lake built into a warehouse with CHARTWATCH_ESTIMATES=model."""
    path = tmp_path_factory.mktemp("model-mode") / "warehouse.duckdb"
    build_warehouse(path, sample_window / "lake", REPO / "products.toml", estimates="model")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


DOWNLOAD_FIGURES = {
    "cumulative_downloads",
    "downloads_milestone",
    "share_last_7d",
    "downloads_last_7d",
    "downloads_vs_competitor",
    "country_share",
}


def test_the_pipeline_writes_the_models_lake_datasets_for_every_day(sample_window):
    lake = sample_window / "lake"
    parameters = pl.read_parquet(lake / "model_parameters" / "**" / "*.parquet")
    calibration = pl.read_parquet(lake / "model_calibration" / "**" / "*.parquet")
    charts_days = {p.name for p in (lake / "chart_entries").iterdir()}
    assert {p.name for p in (lake / "model_parameters").iterdir()} == charts_days
    assert parameters.filter(pl.col("country") == "us", pl.col("chart") == "top_free")[
        "method"
    ].unique().to_list() == ["country"]
    # The panel is the seeded tenth of the apps with estimates.
    apps = calibration.select("store", "app_id").unique()
    assert all(model.in_panel(s, a) for s, a in apps.iter_rows())


def test_model_mode_marks_every_download_figure_estimated_with_an_interval(model_warehouse):
    report = launch_report(model_warehouse, "deepseek", "2025-01-27", "perplexity")
    downloads = report.filter(pl.col("figure").is_in(DOWNLOAD_FIGURES))
    assert downloads.height >= 10
    assert downloads["estimated"].all()
    for row in downloads.iter_rows(named=True):
        assert row["low"] <= row["value"] <= row["high"], row
    assert not report.filter(~pl.col("figure").is_in(DOWNLOAD_FIGURES))["estimated"].any()
    assert "% modelled, " in format_report(report)  # the share, then the 80% interval


def test_model_mode_uses_known_downloads_of_the_panel_only(model_warehouse):
    known_outside_panel = model_warehouse.execute(
        "SELECT count(*) FROM app_estimates AS e WHERE e.source <> 'model' AND NOT EXISTS"
        " (SELECT 1 FROM model_calibration AS c WHERE c.date = e.date AND c.country = e.country"
        " AND c.store = e.store AND c.app_id = e.app_id)"
    ).fetchone()[0]
    assert known_outside_panel == 0
    modelled = model_warehouse.execute(
        "SELECT count(*), count(*) FILTER (WHERE downloads_low <= downloads"
        " AND downloads <= downloads_high) FROM app_estimates WHERE source = 'model'"
    ).fetchone()
    assert modelled[0] > 0 and modelled[0] == modelled[1]
    assert model_warehouse.execute("SELECT DISTINCT mode FROM estimates_in_use").fetchall() == [
        ("model",)
    ]


def test_vendor_mode_keeps_vendor_rows_and_models_only_the_gaps(sample_window):
    con = duckdb.connect(str(sample_window / "warehouse.duckdb"), read_only=True)
    try:
        lake_rows = pl.read_parquet(sample_window / "lake" / "app_estimates" / "**" / "*.parquet")
        known, modelled, overlap = con.execute(
            "SELECT count(*) FILTER (WHERE source <> 'model'), count(*) FILTER (WHERE source ="
            " 'model'), (SELECT count(*) FROM model_estimates AS m JOIN app_estimates AS e USING"
            " (date, country, store, app_id) WHERE e.source = 'model' AND m.downloads <>"
            " e.downloads) FROM app_estimates"
        ).fetchone()
    finally:
        con.close()
    assert known == lake_rows.height  # every vendor row stays
    assert modelled > 0 and overlap == 0


def test_an_unknown_estimates_mode_is_refused(tmp_path):
    with pytest.raises(WarehouseBuildError, match="'vendor' or 'model'"):
        build_warehouse(tmp_path / "w.duckdb", tmp_path, REPO / "products.toml", estimates="both")


def _tables(db) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ("app_estimates", "product_downloads_daily", "estimates_in_use")
        }
    finally:
        con.close()


def test_a_one_day_run_in_another_mode_rebuilds_every_day(short_window, tmp_path):
    lake, products = short_window / "lake", REPO / "products.toml"
    fresh = {}
    for mode in ("vendor", "model"):
        build_warehouse(tmp_path / f"{mode}.duckdb", lake, products, estimates=mode)
        fresh[mode] = _tables(tmp_path / f"{mode}.duckdb")
    assert fresh["vendor"] != fresh["model"]

    db, day = tmp_path / "switched.duckdb", dt.date(2025, 1, 27)
    build_warehouse(db, lake, products, estimates="vendor")
    build_warehouse(db, lake, products, (day, day), estimates="model")
    assert _tables(db) == fresh["model"]
    build_warehouse(db, lake, products, (day, day), estimates="vendor")
    assert _tables(db) == fresh["vendor"]


def test_the_market_sizes_file_is_read_and_a_bad_row_is_named(tmp_path):
    sizes = model.read_market_sizes()
    assert sizes.filter(pl.col("store") == "app_store", pl.col("country") == "us")["size"][0] > 0
    bad = tmp_path / "sizes.csv"
    bad.write_text("# comment\nstore,country,size\napp_store,us,100\napp_store,gb,lots\n")
    with pytest.raises(ValueError, match="app_store,gb,lots"):
        model.read_market_sizes(bad)


def test_a_first_build_of_a_window_loads_only_that_windows_estimates(short_window, tmp_path):
    day = dt.date(2025, 1, 26)
    db = tmp_path / "window.duckdb"
    build_warehouse(db, short_window / "lake", REPO / "products.toml", (day, day))
    con = duckdb.connect(str(db), read_only=True)
    try:
        dates = con.execute("SELECT DISTINCT date FROM app_estimates").fetchall()
    finally:
        con.close()
    assert dates == [(day,)]


def _table_rows(text: str, title: str) -> dict[str, list[str]]:
    """The rows of one printed table of the backtest, by their first cell."""
    lines = text.split(f"\n{title}\n", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    return {cells[0]: cells[1:] for cells in (re.split(r"\s{2,}", line.strip()) for line in lines)}


def test_the_backtest_measures_the_models_error_on_apps_outside_the_panel(
    sample_window, tmp_path, monkeypatch, capsys
):
    from pipelines import backtest

    (tmp_path / "lake").symlink_to(sample_window / "lake")
    monkeypatch.setenv("CHARTWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CHARTWATCH_PRODUCTS", str(REPO / "products.toml"))

    assert backtest.main(["--start", "2025-01-20", "--end", "2025-01-27"]) == 0

    out = capsys.readouterr().out
    bands = _table_rows(out, "By rank band")
    assert set(bands) == {"1-10", "11-50", "51-200"}
    mdape = {band: float(cells[1].rstrip("%")) for band, cells in bands.items()}
    coverage = {band: float(cells[2].rstrip("%")) for band, cells in bands.items()}
    # The sample market's charts follow the power law the model assumes, with noise:
    # the model is off by tens of percent at the top, less further down, and its 80%
    # interval holds most known figures.
    assert mdape["51-200"] < mdape["1-10"] < 30
    assert all(60 < share < 100 for share in coverage.values())
    products = _table_rows(out, "Tracked products: downloads to 2025-01-26, model vs known")
    assert "deepseek" in products and "chatgpt" in products
    # VS unset: the product's first competitor in products.toml.
    assert "Launch report of deepseek on the morning of 2025-01-27 vs chatgpt:" in out
    assert (tmp_path / "backtest" / "warehouse-model.duckdb").is_file()


def test_identical_inputs_give_byte_identical_parameters(short_window):
    """The fit's float sums add up in one order: the same lake gives the same bytes
    (before, the last bits of log_scale, scale and scale_se varied from run to run)."""
    import hashlib

    from assets.lake import model_parameters_for_day
    from assets.market import SampleMarketClient
    from assets.resources import ChartwatchConfig

    config = ChartwatchConfig(
        data_dir=str(short_window), countries="us,gb,eg", products_file=str(REPO / "products.toml")
    )
    digests = {
        hashlib.sha256(
            model_parameters_for_day(config, SampleMarketClient(), dt.date(2025, 1, 26))
            .write_ipc(None)
            .getvalue()
        ).hexdigest()
        for _ in range(25)
    }
    assert len(digests) == 1


def test_the_backtest_holds_out_half_of_a_users_own_apps_when_the_panel_has_them_all(
    short_window, tmp_path, monkeypatch, capsys
):
    """Live mode: the panel is every app with known downloads (here all the user's own,
    labelled as App Store Connect figures), so nothing is left to test. The backtest
    refits the model on a seeded half and reports its error on the other half, by rank
    band, by country and app by app."""
    from assets.lake import LAKE_DATASETS, publish_day
    from assets.market import LiveMarketClient
    from assets.resources import ChartwatchConfig
    from pipelines import backtest
    from tests.conftest import write_lake

    days = [dt.date(2025, 1, 25), dt.date(2025, 1, 26), dt.date(2025, 1, 27)]
    lake = tmp_path / "lake"
    lake.mkdir()
    for dataset in LAKE_DATASETS:
        if dataset.name not in ("app_estimates", *backtest.REFIT):
            (lake / dataset.name).symlink_to(short_window / "lake" / dataset.name)
    own = pl.read_parquet(short_window / "lake" / "app_estimates", hive_partitioning=False)
    write_lake(lake, "app_estimates", own.with_columns(source=pl.lit("app_store_connect_sales")))
    config = ChartwatchConfig(
        source="live",
        data_dir=str(tmp_path),
        countries="us,gb,eg",
        products_file=str(REPO / "products.toml"),
    )
    for day in days:  # the user's lake: the model fitted on every known app
        for dataset in LAKE_DATASETS:
            if dataset.name in backtest.REFIT:
                assert publish_day(dataset, config, LiveMarketClient(), day).bad is None
    assert backtest.apps_outside_panel(lake, days[0], days[-1]) == 0
    for name, value in {
        "CHARTWATCH_DATA_DIR": str(tmp_path),
        "CHARTWATCH_SOURCE": "live",
        "CHARTWATCH_COUNTRIES": "us,gb,eg",
        "CHARTWATCH_PRODUCTS": str(REPO / "products.toml"),
    }.items():
        monkeypatch.setenv(name, value)

    assert backtest.main(["--start", "2025-01-25", "--end", "2025-01-27"]) == 0

    out = capsys.readouterr().out
    fitted, held = map(int, re.search(r"refitted the model on (\d+) .* other (\d+)", out).groups())
    assert fitted > 0 and held > 0
    panel = pl.read_csv(
        tmp_path / "backtest" / "holdout-panel.csv", schema_overrides={"app_id": pl.String}
    )
    refit = pl.read_parquet(
        tmp_path / "backtest" / "lake" / "model_calibration", hive_partitioning=False
    )
    # The refit saw only the panel's apps; the user's lake is untouched.
    assert set(refit["app_id"]) <= set(panel["app_id"])
    assert backtest.apps_outside_panel(lake, days[0], days[-1]) == 0
    countries = _table_rows(out, "By country (the 15 with the most estimates)")
    assert set(countries) == {"us", "gb", "eg"}
    own = ", ".join(backtest.OWN_SOURCES)
    assert "app_store_connect_sales" in own and "play_console_installs" in own
    own_apps = _table_rows(out, f"Your own apps (figures from {own}), by rank band")
    assert own_apps and all(app.split(" ")[0] not in set(panel["app_id"]) for app in own_apps)

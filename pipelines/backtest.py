"""Backtest of the rank -> downloads model: how far its estimates fall from the
known downloads of the apps it did not see.

    python -m pipelines.backtest [--start 2025-01-01 --end 2025-02-09]
                                 [--product deepseek --date 2025-01-27 --vs perplexity]

The model is fitted on the panel only (lake/model_calibration); every other app
with known downloads (vendor or imported estimates in lake/app_estimates) is
predicted from its ranks alone and compared with what is known. The backtest
builds two warehouses from the same lake into ``<data>/backtest/``, one per
estimates mode, and prints:

* the median absolute percentage error (MdAPE) by rank band (1-10, 11-50,
  51-200) and by country size (the countries ranked by their known downloads over
  the window: the 20 largest, the next 50, the rest), and how often the known
  figure falls inside the estimate's 80% interval;
* the same for the tracked products' downloads to date (the sums the launch report
  shows), where the intervals add up;
* the launch report of ``--product`` from the model beside the one from vendor data.

If the lake has no fit for the window yet, the pipeline is materialised first (as
``make demo`` does).

On a user's own data (live mode: the panel is every app with known downloads, so no
app is left to test), the backtest holds out a seeded half of the known apps: it
refits the model on the other half into ``<data>/backtest/lake`` (the lake's other
datasets are linked, not copied) and tests on the held-out half. The errors are
also shown by country, and for the apps whose figures are the user's own (App Store
Connect, Play Console), app by app.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

from assets.sources import SOURCES
from pipelines.cli import materialize
from pipelines.report import date_argument, optional_product, product_argument
from pipelines.resources import chartwatch_from_env
from warehouse import units
from warehouse.build import build_warehouse
from warehouse.objects import is_remote
from warehouse.progress import duration
from warehouse.report import figure_format, first_competitor, launch_report

# Figures from a user's own stores: the truth the backtest reports app by app.
OWN_SOURCES = tuple(source.name for source in SOURCES if source.own_figures)
HOLDOUT_SHARE = 0.5  # of the known apps, when the lake's panel holds them all
HOLDOUT_SEED = "chartwatch-backtest-1"
# The lake datasets the refit writes; every other one is linked from the lake.
REFIT = ("model_calibration", "model_parameters")

BANDS = "CASE WHEN m.rank <= 10 THEN '1-10' WHEN m.rank <= 50 THEN '11-50' ELSE '51-200' END"
LARGE, MEDIUM = 20, 50  # countries by known downloads: the 20 largest, the next 50, the rest

# Every app outside the panel that the model estimated and whose downloads are known,
# with the error of the estimate (m: the model's row, e: the known one).
_ERRORS = f"""
CREATE OR REPLACE TEMP TABLE backtest AS
WITH panel AS (SELECT DISTINCT store, app_id FROM model_calibration),
known AS (
    SELECT date, country, store, app_id, downloads, source
    FROM app_estimates
    WHERE source <> 'model' AND downloads > 0
),
sizes AS (
    SELECT country, row_number() OVER (ORDER BY sum(downloads) DESC, country) AS size_rank
    FROM known
    GROUP BY country
)
SELECT
    m.date, m.country, m.store, m.chart, m.rank, m.method,
    m.downloads AS estimate, m.downloads_low AS low, m.downloads_high AS high,
    k.downloads AS known, k.source AS known_source, m.app_id,
    abs(m.downloads / k.downloads - 1) AS ape,
    k.downloads BETWEEN m.downloads_low AND m.downloads_high AS covered,
    {BANDS} AS rank_band,
    CASE
        WHEN s.size_rank <= {LARGE} THEN 'large (top {LARGE})'
        WHEN s.size_rank <= {LARGE} + {MEDIUM} THEN 'medium (next {MEDIUM})'
        ELSE 'small (the rest)'
    END AS country_size
FROM model_estimates AS m
JOIN known AS k USING (date, country, store, app_id)
JOIN sizes AS s USING (country)
WHERE NOT EXISTS (SELECT 1 FROM panel AS p WHERE p.store = m.store AND p.app_id = m.app_id)
"""


def error_table(con: duckdb.DuckDBPyConnection, by: str) -> pl.DataFrame:
    """MdAPE, coverage of the 80% interval and counts of the backtest rows, by a column."""
    return con.sql(
        f'SELECT {by} AS "group", count(*) AS estimates, median(ape) AS mdape,'
        " avg(CAST(covered AS DOUBLE)) AS coverage FROM backtest"
        " GROUP BY ALL ORDER BY ALL"
    ).pl()


def product_errors(model_con: duckdb.DuckDBPyConnection, vendor_db: Path, date: dt.date):
    """Each tracked product's downloads to ``date`` from the model against the known
    ones (the vendor warehouse, where every one of its apps has known figures)."""
    model_con.execute(f"ATTACH '{vendor_db}' AS vendor (READ_ONLY)")
    try:
        return model_con.sql(
            """
            SELECT
                m.product,
                m.cumulative_downloads AS estimate,
                m.cumulative_low AS low,
                m.cumulative_high AS high,
                v.cumulative_downloads AS known,
                m.cumulative_downloads / nullif(v.cumulative_downloads, 0) - 1 AS error,
                v.cumulative_downloads BETWEEN m.cumulative_low AND m.cumulative_high AS covered
            FROM product_downloads_daily AS m
            JOIN vendor.product_downloads_daily AS v USING (date, product)
            JOIN tracked_products AS t ON t.product = m.product
            WHERE m.date = ? AND m.estimated
            GROUP BY ALL
            ORDER BY v.cumulative_downloads DESC
            """,
            params=[date],
        ).pl()
    finally:
        model_con.execute("DETACH vendor")


def _percent(value: float | None) -> str:
    return units.MISSING if value is None else f"{value:.1%}"


def _errors_text(frame: pl.DataFrame) -> str:
    rows = [
        (str(r["group"]), f"{r['estimates']:,}", _percent(r["mdape"]), _percent(r["coverage"]))
        for r in frame.iter_rows(named=True)
    ]
    return units.text_table(
        ("group", "estimates", "MdAPE", "in 80% interval"), rows, right_aligned={1, 2, 3}
    )


def side_by_side(vendor: pl.DataFrame, modelled: pl.DataFrame) -> str:
    """The two launch reports' rows beside each other (the figures with a value)."""
    keys = ["figure", "store", "position"]
    joined = vendor.join(modelled, on=keys, how="left", suffix="_model", nulls_equal=True)
    rows = []
    for r in joined.iter_rows(named=True):
        show = figure_format(r["figure"])
        interval = (
            f"{show(r['low_model'])} .. {show(r['high_model'])}"
            if r["estimated_model"] and r["low_model"] is not None
            else ""
        )
        modelled = show(r["value_model"])
        if r["detail_model"] is not None and r["detail_model"] != r["detail"]:
            modelled += f" ({r['detail_model']})"  # another country at this position
        rows.append(
            (r["figure"], r["store"] or "", r["detail"] or "", show(r["value"]), modelled, interval)
        )
    return units.text_table(
        ("figure", "store", "detail (vendor)", "vendor data", "model", "model 80% interval"),
        rows,
        right_aligned={3, 4},
    )


def apps_outside_panel(lake: Path, start: dt.date, end: dt.date) -> int:
    """How many apps with known downloads in the window the lake's panel left out (the
    apps a backtest can test)."""
    days = [str(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]
    known = _scan(lake / "app_estimates", days)
    panel = _scan(lake / "model_calibration", days)
    if known is None:
        return 0
    apps = known.filter(pl.col("source") != "model").select("store", "app_id").unique()
    if panel is not None:
        apps = apps.join(
            panel.select("store", "app_id").unique(), on=["store", "app_id"], how="anti"
        )
    return apps.height


def _scan(folder: Path, days: list[str]) -> pl.DataFrame | None:
    files = [p for day in days for p in (folder / f"date={day}").glob("country=*/*.parquet")]
    if not files:
        return None
    return pl.scan_parquet(files, hive_partitioning=False).collect()


def holdout_lake(config, start: dt.date, end: dt.date, out: Path) -> tuple[Path, int, int]:
    """A lake whose model is fitted on a seeded half of the known apps only; (its
    folder, apps in the panel, apps held out). The other datasets are links to the
    lake's folders; the refit runs the lake's own steps (the panel as a panel file)."""
    from assets.lake import LAKE_DATASETS, publish_day
    from assets.market import LiveMarketClient
    from assets.rank_model import model
    from assets.resources import ChartwatchConfig

    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    known = _scan(config.lake_dir / "app_estimates", [str(d) for d in days])
    if known is None:
        raise SystemExit(f"error: the lake holds no known downloads in {start}..{end}")
    apps = known.filter(pl.col("source") != "model").select("store", "app_id").unique()
    panel = model.drawn_panel(apps, HOLDOUT_SHARE, HOLDOUT_SEED)
    if panel.is_empty() or panel.height == apps.height:
        # Too few apps for the draw to split: keep the first of each store out.
        held = apps.sort("store", "app_id").unique("store", keep="first", maintain_order=True)
        panel = apps.join(held, on=["store", "app_id"], how="anti")
    lake = out / "lake"
    lake.mkdir(parents=True, exist_ok=True)
    for dataset in LAKE_DATASETS:
        link, target = lake / dataset.name, config.lake_dir / dataset.name
        if dataset.name in REFIT or link.is_symlink() or not target.exists():
            continue
        link.symlink_to(target.resolve(), target_is_directory=True)
    panel_file = out / "holdout-panel.csv"
    panel.sort("store", "app_id").write_csv(panel_file)
    refit = ChartwatchConfig(
        **{**config.model_dump(), "data_dir": str(out), "panel": str(panel_file)}
    )
    market = LiveMarketClient()
    steps = [d for d in LAKE_DATASETS if d.name in REFIT]
    for day in days:
        for dataset in steps:
            result = publish_day(dataset, refit, market, day)
            if result.bad is not None:
                raise SystemExit(f"error: the refit of {dataset.name} on {day} failed its check")
    return lake, panel.height, apps.height - panel.height


def _lake_has_fit(lake: Path, start: dt.date, end: dt.date) -> bool:
    folder = lake / "model_parameters"
    days = (end - start).days + 1
    return all((folder / f"date={start + dt.timedelta(days=i)}").is_dir() for i in range(days))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.backtest", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--start", type=date_argument, default=dt.date(2025, 1, 1))
    parser.add_argument("--end", type=date_argument, default=dt.date(2025, 2, 9))
    parser.add_argument("--product", type=product_argument, default="deepseek")
    parser.add_argument("--date", type=date_argument, default=dt.date(2025, 1, 27))
    # Empty (make's VS unset): the product's first competitor in products.toml.
    parser.add_argument("--vs", type=optional_product, default=None)
    args = parser.parse_args(argv)

    config = chartwatch_from_env()
    data, lake = config.root, config.lake_dir
    if is_remote(data):
        print(
            f"error: make backtest works on a local data folder (its hold-out lake links the"
            f" lake's datasets), and CHARTWATCH_DATA_DIR is {data}; copy the lake to a folder"
            " (e.g. `aws s3 sync`) and point CHARTWATCH_DATA_DIR at it",
            file=sys.stderr,
        )
        return 2
    if not _lake_has_fit(lake, args.start, args.end):
        print(f"the lake has no model fit for {args.start}..{args.end}: materialising it first")
        if not materialize(args.start, args.end).success:
            print("error: the pipeline run failed; see `make ui` for its logs", file=sys.stderr)
            return 2
    products = config.products_path
    out = data / "backtest"
    testable = apps_outside_panel(lake, args.start, args.end)
    if testable == 0:
        lake, fitted_on, held_out = holdout_lake(config, args.start, args.end, out)
        print(
            f"the lake's panel holds every app with known downloads: refitted the model on"
            f" {fitted_on:,} of them (a seeded half), testing on the other {held_out:,}",
            flush=True,
        )
    paths = {mode: out / f"warehouse-{mode}.duckdb" for mode in ("vendor", "model")}
    for mode, path in paths.items():
        print(f"building the {mode} warehouse: {path}", flush=True)
        began = time.monotonic()
        build_warehouse(
            path,
            lake,
            products,
            (args.start, args.end),
            estimates=mode,
            on_progress=lambda line: print(f"  {line}", flush=True),
        )
        print(f"  built in {duration(time.monotonic() - began)}", flush=True)

    with duckdb.connect(str(paths["vendor"]), read_only=True) as con:
        con.execute(_ERRORS)
        total = con.execute(
            "SELECT count(*), median(ape), avg(CAST(covered AS DOUBLE)),"
            " median(ape) FILTER (WHERE rank <= 50) FROM backtest"
        ).fetchall()[0]
        by_band = error_table(con, "rank_band")
        by_size = error_table(con, "country_size")
        by_chart = error_table(con, "store || ' ' || chart")
        by_band_size = error_table(con, "rank_band || ', ' || country_size")
        by_country = con.sql(
            'SELECT country AS "group", count(*) AS estimates, median(ape) AS mdape,'
            " avg(CAST(covered AS DOUBLE)) AS coverage FROM backtest"
            " GROUP BY ALL ORDER BY estimates DESC, country LIMIT 15"
        ).pl()
        own = con.sql(
            "SELECT app_id || ' (' || store || '), ' || rank_band AS \"group\","
            " count(*) AS estimates, median(ape) AS mdape,"
            " avg(CAST(covered AS DOUBLE)) AS coverage FROM backtest"
            " WHERE known_source IN (SELECT unnest(?)) GROUP BY ALL ORDER BY ALL",
            params=[list(OWN_SOURCES)],
        ).pl()
        panel = con.execute(
            "SELECT count(DISTINCT (store, app_id)) FROM model_calibration"
        ).fetchall()[0][0]
        args.vs = args.vs or first_competitor(con, args.product)
        if args.vs is None:
            print(f"error: {args.product} has no competitors in products.toml: give VS=...")
            return 2
        vendor_report = launch_report(con, args.product, args.date, args.vs)
    with duckdb.connect(str(paths["model"])) as con:
        products_table = product_errors(con, paths["vendor"], args.date - dt.timedelta(days=1))
        model_report = launch_report(con, args.product, args.date, args.vs)

    count, mdape, coverage, top50 = total
    print(
        f"\nBacktest of the rank model, {args.start}..{args.end}: fitted on {panel:,} panel apps,"
        f" tested on {count:,} estimates of other apps with known downloads"
        f" (app, country, day).\nMdAPE {_percent(mdape)} (ranks 1-50: {_percent(top50)}),"
        f" {_percent(coverage)} of known figures inside the 80% interval.\n"
    )
    for title, frame in (
        ("By rank band", by_band),
        ("By country size (countries ranked by known downloads)", by_size),
        ("By chart", by_chart),
        ("By rank band and country size", by_band_size),
        ("By country (the 15 with the most estimates)", by_country),
    ):
        print(f"{title}\n{_errors_text(frame)}\n")
    if own.height:
        print(f"Your own apps (figures from {', '.join(OWN_SOURCES)}), by rank band")
        print(f"{_errors_text(own)}\n")
    print(f"Tracked products: downloads to {args.date - dt.timedelta(days=1)}, model vs known")
    print(
        units.text_table(
            ("product", "model", "80% interval", "known", "error", "known in interval"),
            [
                (
                    r["product"],
                    units.human_count(r["estimate"]),
                    f"{units.human_count(r['low'])} .. {units.human_count(r['high'])}",
                    units.human_count(r["known"]),
                    units.growth(r["error"]),
                    "yes" if r["covered"] else "no",
                )
                for r in products_table.iter_rows(named=True)
            ],
            right_aligned={1, 3, 4},
        )
    )
    print(f"\nLaunch report of {args.product} on the morning of {args.date} vs {args.vs}:")
    print(side_by_side(vendor_report, model_report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

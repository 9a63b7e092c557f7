"""Reports: what the warehouse says about its latest day, as pictures and launch reports.

One asset, not partitioned: it always stands for the latest day the warehouse holds
(the last charted date), however that day was loaded (a backfill, the daily
schedule). It renders, with matplotlib:

- the biggest rank movers of that day (US top free iPhone);
- in how many countries each leading app is #1, over the two weeks to that day;
- the headline product's share of downloads by country (the first product of
  products.toml);

shows them in its metadata in the UI, and writes them, with a self-contained HTML
launch report for every tracked product against its first competitor, under
``data/reports/date=<day>/``.
"""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb

from assets.metadata import png_markdown
from assets.resources import ChartwatchConfig
from assets.storage import atomic_write_bytes
from assets.warehouse_tables import live_warehouse, warehouse
from warehouse import pictures
from warehouse.build import connect_read_only
from warehouse.products import ProductCatalog, read_products
from warehouse.report import launch_report, render_html

CHART = "top free iPhone"


def latest_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The last day the warehouse has charts for."""
    return con.execute("SELECT max(date) FROM chart_entries").fetchall()[0][0]


def render_reports(
    con: duckdb.DuckDBPyConnection, products: ProductCatalog, day: dt.date, out: Path
) -> tuple[dict[str, bytes], list[Path]]:
    """Render the day's pictures and every product's launch report into ``out``.

    Returns the pictures for the UI (by title) and the files written.
    """
    movers = pictures.rank_movers_png(
        pictures.rank_movers(con, day), f"Biggest climbers, US {CHART}, {day}"
    )
    leaders = pictures.countries_at_no1_png(
        pictures.countries_at_no1(con, day), f"Countries at #1, {CHART}, two weeks to {day}"
    )
    shares = {
        product.key: pictures.country_shares_png(
            pictures.country_shares(con, product.key, day),
            f"{product.name}: share of downloads to {day}, by country",
        )
        for product in products
    }
    written = {
        out / "rank-movers.png": movers,
        out / "countries-at-no1.png": leaders,
        **{out / f"download-share-{product}.png": png for product, png in shares.items()},
    }
    # The launch report on the morning after the day: its figures include the day.
    morning = day + dt.timedelta(days=1)
    for spec in products:
        product = spec.key
        rivals = [c for c in spec.competitors if c in products]
        if not rivals:
            continue
        report = launch_report(con, product, morning, rivals[0])
        page = render_html(
            f"Launch report: {spec.name} on the morning of {morning},"
            f" vs {products[rivals[0]].name}",
            report,
            {
                f"Biggest climbers, US {CHART}, {day}": movers,
                f"Countries at #1, {CHART}, to {day}": leaders,
                f"Where {spec.name}'s downloads came from, to {day}": shares[product],
            },
        )
        written[out / f"launch-{product}.html"] = page.encode()
    for path, data in written.items():
        atomic_write_bytes(path, data)
    headline = next((p.key for p in products), None)
    shown = {
        f"Biggest climbers, US {CHART}, {day}": movers,
        f"Countries where the leading apps are #1 ({CHART}), two weeks to {day}": leaders,
    }
    if headline is not None:
        name = products[headline].name
        shown[f"{name}'s share of downloads by country, to {day}"] = shares[headline]
    return shown, sorted(written)


def reports_asset(upstream: dg.AssetsDefinition) -> dg.AssetsDefinition:
    @dg.asset(
        key=["reports", "launch_pictures"],
        group_name="reports",
        kinds={"matplotlib", "html"},
        description="Pictures of the warehouse's latest day (biggest rank movers, countries"
        " where each leading app is #1 over time, the headline product's download share by"
        " country), shown here, and a self-contained HTML launch report per tracked product,"
        " written to data/reports/date=YYYY-MM-DD/ (the day shown).",
        deps=[upstream],
        # It reads the warehouse: never while another run writes it.
        pool="duckdb",
        automation_condition=dg.AutomationCondition.eager(),
    )
    def _reports(
        context: dg.AssetExecutionContext, chartwatch: ChartwatchConfig
    ) -> dg.MaterializeResult:
        chartwatch.check()
        products = read_products(chartwatch.products_path)
        with connect_read_only(chartwatch.warehouse_path) as con:
            day = latest_day(con)
            if day is None:
                raise dg.Failure(
                    f"the warehouse ({chartwatch.warehouse_path}) has no charts yet:"
                    " materialise some days first (make demo, or a backfill in the UI)"
                )
            out = chartwatch.root / "reports" / f"date={day}"
            shown, written = render_reports(con, products, day, out)
        context.log.info(f"reports for {day}: {len(written)} files in {out}")
        return dg.MaterializeResult(
            metadata={
                "day": str(day),
                "pictures": png_markdown(shown),
                "folder": dg.MetadataValue.path(str(out)),
                "files": dg.MetadataValue.md("\n".join(f"- `{path.name}`" for path in written)),
            }
        )

    return _reports


launch_pictures = reports_asset(warehouse)
live_launch_pictures = reports_asset(live_warehouse)

"""Reports: what the warehouse says about its latest day, as pictures and launch reports.

One asset, not partitioned: it always stands for the latest day the warehouse holds
(the last charted date), however that day was loaded (a backfill, the daily
schedule). It renders, with matplotlib:

- the biggest rank movers of that day (US top free iPhone), the headline product
  (the first of products.toml) singled out;
- in how many countries each leading app is #1 over the two weeks to that day, the
  headline product among them;
- the headline product's share of downloads by country;

shows them in its metadata in the UI, and writes them, with a self-contained HTML
launch report (with its own pictures: ranks, reach, downloads, shares) for every
tracked product against its first competitor, under ``data/reports/date=<day>/``.
"""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb

from assets.metadata import png_markdown
from assets.resources import ChartwatchConfig
from assets.storage import atomic_write_bytes
from assets.warehouse_tables import ON_THE_WAREHOUSE_HOST
from warehouse import pictures
from warehouse.build import connect_read_only
from warehouse.products import ProductCatalog, read_products
from warehouse.report import launch_page


def latest_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The last day the warehouse has charts for."""
    return con.execute("SELECT max(date) FROM chart_entries").fetchall()[0][0]


def render_reports(
    con: duckdb.DuckDBPyConnection, products: ProductCatalog, day: dt.date, out: Path
) -> tuple[dict[str, bytes], list[Path]]:
    """Render the day's pictures and every product's launch report into ``out``.

    Returns the pictures for the UI (by title) and the files written.
    """
    headline = next(iter(products), None)
    movers, leaders = pictures.day_pictures(
        con, day, headline.key if headline else None, headline.name if headline else None
    )
    # The report of the day reads its charts and the downloads through the day before.
    before = day - dt.timedelta(days=1)
    shares = {p.key: pictures.share_picture(con, p.key, p.name, before) for p in products}
    written = {
        out / "rank-movers.png": movers.png,
        out / "countries-at-no1.png": leaders.png,
        **{out / f"download-share-{key}.png": share.png for key, share in shares.items()},
    }
    for product in products:
        rivals = [c for c in product.competitors if c in products]
        if not rivals:
            continue
        page, _ = launch_page(con, product.key, day, rivals[0])
        written[out / f"launch-{product.key}.html"] = page.encode()
    for path, data in written.items():
        atomic_write_bytes(path, data)
    shown = [movers, leaders] + ([shares[headline.key]] if headline is not None else [])
    return {picture.title: picture.png for picture in shown}, sorted(written)


def reports_asset(upstream: dg.AssetsDefinition) -> dg.AssetsDefinition:
    @dg.asset(
        key=["reports", "launch_pictures"],
        group_name="reports",
        kinds={"matplotlib", "html"},
        description="Pictures of the warehouse's latest day (biggest rank movers, countries"
        " where each leading app and the headline product is #1 over time, the headline"
        " product's download share by country), shown here, and a self-contained HTML launch"
        " report per tracked product, with its own pictures, written to"
        " data/reports/date=YYYY-MM-DD/ (the day shown).",
        deps=[upstream],
        # It reads the warehouse: never while another run writes it, and on its host.
        pool="duckdb",
        op_tags=ON_THE_WAREHOUSE_HOST,
        automation_condition=dg.AutomationCondition.eager(),
    )
    def _reports(
        context: dg.AssetExecutionContext, chartwatch: ChartwatchConfig
    ) -> dg.MaterializeResult:
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

"""The launch report of a product: as a DataFrame, as text, and as one HTML page.

``launch_report`` runs the ``launch_report`` table macro stored in the warehouse
(see ``models/90_launch_report.sql``) after checking that the products exist.
``format_report`` prints it as a text table in human units, ``format_comparison``
beside the figures the press reported (``warehouse.reported``), and ``launch_page``
renders the self-contained HTML page with its pictures: the one renderer of the
command (``python -m pipelines.report``, ``make report``) and of the reports asset.
"""

from __future__ import annotations

import base64
import datetime as dt
import difflib
import html
from collections.abc import Callable

import duckdb
import polars as pl

from warehouse import units
from warehouse.errors import ChartwatchError
from warehouse.pictures import launch_pictures
from warehouse.reported import REPORTED_FIGURES, compare


class ReportError(ChartwatchError, ValueError):
    """A report that cannot be produced: an unknown product, an unbuilt warehouse."""


def launch_report(
    con: duckdb.DuckDBPyConnection, product: str, date: dt.date | str, vs: str
) -> pl.DataFrame:
    """The launch report rows of ``product`` on the morning of ``date``, against ``vs``.

    Columns: figure, store, value, as_of, detail, position, product, estimated, low, high.
    """
    report_date = dt.date.fromisoformat(date) if isinstance(date, str) else date
    check_products(con, product, vs)
    first, last = coverage(con)
    if not first <= report_date <= last:
        raise ReportError(
            f"{report_date} is outside what the warehouse holds: charts of {first}..{last}."
            " A report reads the charts of its day (and the downloads of the days before),"
            " so give a DATE in that range; `make coverage` shows every table's days"
        )
    return con.sql("SELECT * FROM launch_report(?, ?, ?)", params=[product, report_date, vs]).pl()


def check_products(con: duckdb.DuckDBPyConnection, *keys: str) -> None:
    """ReportError, listing what is valid, for a key the warehouse does not know."""
    known = _known_products(con)
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            tracked = ", ".join(_tracked_products(con))
            raise ReportError(
                f"no product {key!r} in the warehouse: neither a product of products.toml"
                f" ({tracked}) nor the slug of an app seen in the lake (`make products`;"
                f' `make sql Q="select product, name from apps"` lists the apps).{hint}'
            )


def coverage(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date]:
    """The first and last day of charts in the warehouse."""
    ((first, last),) = con.execute("SELECT min(date), max(date) FROM chart_entries").fetchall()
    if first is None:
        raise ReportError(
            "the warehouse holds no charts yet: run `make demo` or `make backfill START=..."
            " END=...` first"
        )
    return first, last


def first_competitor(con: duckdb.DuckDBPyConnection, product: str) -> str | None:
    """The competitor products.toml lists first for a product (None: it lists none)."""
    rows = con.execute(
        "SELECT competitor FROM product_competitors WHERE product = ? ORDER BY position LIMIT 1",
        [product],
    ).fetchall()
    return rows[0][0] if rows else None


def _tracked_products(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [key for (key,) in con.execute("SELECT product FROM products ORDER BY 1").fetchall()]


def _known_products(con: duckdb.DuckDBPyConnection) -> set[str]:
    try:
        rows = con.execute("SELECT product FROM products UNION SELECT product FROM apps").fetchall()
    except duckdb.CatalogException as error:
        raise ReportError(
            f"the warehouse has no products or apps table ({error}): build it with `make"
            " demo` or `make backfill START=... END=...`"
        ) from error
    return {product for (product,) in rows}


# How each figure's value reads; figures not listed are shown as plain numbers.
_VALUE_FORMATS: dict[str, Callable[[float | None], str]] = {
    "countries_rank_1": units.integer,
    "countries_top_10": units.integer,
    "us_rank": units.rank,
    "us_rank_before_peak": units.rank,
    "us_rank_climb": units.rank,
    "cumulative_downloads": units.human_count,
    "downloads_milestone": units.human_count,
    "share_last_7d": units.percent,
    "downloads_last_7d": units.human_count,
    "downloads_vs_competitor": units.growth,
    "dau_wow_growth": units.growth,
    "country_share": units.percent,
    "search_interest_week": units.human_count,
    "search_interest_ratio_vs_next": units.ratio,
}


def figure_format(figure: str) -> Callable[[float | None], str]:
    """How a report figure's value reads (a count, a share, a rank ...)."""
    return _VALUE_FORMATS.get(figure, units.human_count)


_HEADER = ("figure", "store", "value", "estimated (80% interval)", "as of", "detail")


def _cells(row: dict) -> tuple[str, ...]:
    """A report row in human units; a figure resting on the rank model is marked
    with its 80% interval."""
    show = figure_format(row["figure"])
    estimated = ""
    if row.get("estimated"):
        estimated = "model"
        if row.get("low") is not None and row.get("high") is not None:
            estimated += f", {show(row['low'])} .. {show(row['high'])}"
    return (
        row["figure"],
        row["store"] or "",
        show(row["value"]),
        estimated,
        str(row["as_of"]) if row["as_of"] is not None else units.MISSING,
        row["detail"] or "",
    )


def format_report(report: pl.DataFrame) -> str:
    """The report as an aligned text table in human units."""
    rows = [_cells(row) for row in report.iter_rows(named=True)]
    return units.text_table(_HEADER, rows, right_aligned={2})


def estimates_note(con: duckdb.DuckDBPyConnection, date: dt.date) -> str:
    """Which downloads the warehouse used up to ``date`` (the estimates_in_use table)."""
    modes = con.sql(
        "SELECT mode, sum(known_rows), sum(model_rows) FROM estimates_in_use"
        " WHERE date < ? GROUP BY mode",
        params=[date],
    ).fetchall()
    if not modes:
        return "downloads: none loaded before this date"
    if len(modes) > 1:
        return "downloads: a mix of modes (rebuild the warehouse)"
    mode, known, modelled = modes[0]
    if mode == "model":
        return (
            f"downloads: the rank model for every app outside the panel (CHARTWATCH_ESTIMATES=model;"
            f" {modelled:,} modelled and {known:,} panel rows)"
        )
    return (
        f"downloads: vendor or imported figures where they exist, the rank model elsewhere"
        f" ({known:,} known and {modelled:,} modelled rows)"
    )


def format_comparison(report: pl.DataFrame) -> tuple[str, bool]:
    """The reported figures beside the computed ones; True when all are within tolerance."""
    comparisons = compare(report)
    rows = [
        (
            figure.id,
            figure.description,
            figure.show(comparison.computed),
            figure.as_reported,
            figure.tolerance_text,
            "PASS" if comparison.within_tolerance else "FAIL",
        )
        for figure, comparison in zip(REPORTED_FIGURES, comparisons, strict=True)
    ]
    table = units.text_table(("id", "figure", "computed", "reported", "tolerance", "result"), rows)
    return table, all(comparison.within_tolerance for comparison in comparisons)


def render_html(
    title: str,
    report: pl.DataFrame,
    pictures: dict[str, bytes],
    comparison: str | None = None,
    note: str = "",
) -> str:
    """A self-contained HTML page: the report table, the comparison, the pictures inline."""
    rows = "\n".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if index == 2 else ''}>{html.escape(cell)}</td>"
            for index, cell in enumerate(_cells(row))
        )
        + "</tr>"
        for row in report.iter_rows(named=True)
    )
    figures = "\n".join(
        f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,"
        f"{base64.b64encode(png).decode()}'><figcaption>{html.escape(caption)}</figcaption></figure>"
        for caption, png in pictures.items()
    )
    compared = (
        f"<h2>Against the reported figures</h2><pre>{html.escape(comparison)}</pre>"
        if comparison
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.9rem; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
figure {{ display: inline-block; margin: 1rem 1rem 1rem 0; vertical-align: top; }}
img {{ max-width: 100%; }}
pre {{ font-size: 0.8rem; overflow-x: auto; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(note)}</p>
<h2>Pictures</h2>
{figures}
<h2>Figures</h2>
<table><tr>{"".join(f"<th>{html.escape(name)}</th>" for name in _HEADER)}</tr>
{rows}
</table>
{compared}
<p><small>Generated by Chartwatch from its DuckDB warehouse.</small></p>
</body></html>
"""


def product_name(con: duckdb.DuckDBPyConnection, product: str) -> str:
    """A product's display name: products.toml's, else the name of its app, else the key."""
    rows = con.execute(
        "SELECT name FROM (SELECT name, 1 AS pick FROM products WHERE product = $1"
        " UNION ALL SELECT name, 2 FROM apps WHERE product = $1 AND name IS NOT NULL)"
        " ORDER BY pick, name LIMIT 1",
        [product],
    ).fetchall()
    return rows[0][0] if rows else product


def launch_page(
    con: duckdb.DuckDBPyConnection,
    product: str,
    date: dt.date,
    vs: str,
    pictures: dict[str, bytes] | None = None,
    compare_reported: bool = False,
) -> tuple[str, bool]:
    """The launch report of ``product`` on the morning of ``date`` against ``vs`` as
    one self-contained HTML page, and whether every reported figure it was compared
    with is within tolerance. ``pictures``: the page's pictures when the caller has
    them already (the reports asset draws the day's once for every product); else
    ``warehouse.pictures.launch_pictures``."""
    report = launch_report(con, product, date, vs)
    name = product_name(con, product)
    if pictures is None:
        pictures = launch_pictures(con, product, date, name)
    comparison, all_pass = format_comparison(report) if compare_reported else (None, True)
    title = f"Launch report: {name} on the morning of {date}, vs {product_name(con, vs)}"
    page = render_html(title, report, pictures, comparison, estimates_note(con, date))
    return page, all_pass

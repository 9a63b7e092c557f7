"""The launch report of a product, as a DataFrame and as a command.

``launch_report`` runs the ``launch_report`` table macro stored in the warehouse
(see ``models/90_launch_report.sql``) after checking that the products exist.
The command prints it as a text table in human units and, with ``--compare``,
beside the figures the press reported (``warehouse.reported``), exiting 1 when
any of them is out of tolerance:

    python -m warehouse.report --product deepseek --date 2025-01-27 --vs perplexity --compare
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import difflib
import html
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import polars as pl

from assets.storage import atomic_write_bytes
from warehouse import units
from warehouse.build import connect_read_only
from warehouse.errors import ChartwatchError
from warehouse.keys import check_product_reference
from warehouse.pictures import launch_pictures
from warehouse.reported import REPORTED_FIGURES, SEED_REPORT, compare


class ReportError(ChartwatchError, ValueError):
    """A report that cannot be produced: an unknown product, an unbuilt warehouse."""


def default_db_path() -> Path:
    return Path(os.environ.get("CHARTWATCH_DATA_DIR", "data")) / "warehouse.duckdb"


def launch_report(
    con: duckdb.DuckDBPyConnection, product: str, date: dt.date | str, vs: str
) -> pl.DataFrame:
    """The launch report rows of ``product`` on the morning of ``date``, against ``vs``.

    Columns: figure, store, value, as_of, detail, position, product, estimated, low, high.
    """
    report_date = dt.date.fromisoformat(date) if isinstance(date, str) else date
    known = _known_products(con)
    for key in (product, vs):
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ReportError(
                f"no product {key!r} in the warehouse (neither in products.toml nor a"
                f" slug of an app seen in the lake){hint}"
            )
    return con.sql("SELECT * FROM launch_report(?, ?, ?)", params=[product, report_date, vs]).pl()


def _known_products(con: duckdb.DuckDBPyConnection) -> set[str]:
    try:
        rows = con.execute("SELECT product FROM products UNION SELECT product FROM apps").fetchall()
    except duckdb.CatalogException as error:
        raise ReportError(
            f"the warehouse has no products or apps table ({error}); build it first"
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


def product_argument(text: str) -> str:
    """argparse type of a product key (warehouse/keys.py)."""
    try:
        return check_product_reference(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from exc


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m warehouse.report",
        description="Print the launch report of a product from the Chartwatch warehouse.",
    )
    parser.add_argument(
        "--product", required=True, type=product_argument, help="product key, e.g. deepseek"
    )
    parser.add_argument(
        "--date",
        required=True,
        type=date_argument,
        help="report date D (YYYY-MM-DD), read on the morning of D",
    )
    parser.add_argument(
        "--vs", required=True, type=product_argument, help="product key to compare downloads with"
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="warehouse file (default: $CHARTWATCH_DATA_DIR/warehouse.duckdb, data/ if unset)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also compare with the figures reported for DeepSeek's launch; exit 1 on a FAIL",
    )
    parser.add_argument(
        "--format",
        choices=("text", "html"),
        default="text",
        help="text on stdout, or a self-contained HTML page with pictures (--out)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="HTML file (default: $CHARTWATCH_DATA_DIR/reports/launch-<product>-<date>.html)",
    )
    args = parser.parse_args(argv)
    db_path = args.db or default_db_path()

    try:
        con = connect_read_only(db_path)
    except (FileNotFoundError, duckdb.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        report = launch_report(con, args.product, args.date, args.vs)
        note = estimates_note(con, args.date)
        pictures = launch_pictures(con, args.product, args.date) if args.format == "html" else {}
    except (ReportError, duckdb.Error) as error:
        print(f"error: {error} (warehouse: {db_path})", file=sys.stderr)
        return 2
    finally:
        con.close()

    if args.format == "html":
        title = f"Launch report: {args.product} on the morning of {args.date}, vs {args.vs}"
        comparison, all_pass = format_comparison(report) if args.compare else (None, True)
        out = args.out or db_path.parent / "reports" / f"launch-{args.product}-{args.date}.html"
        atomic_write_bytes(out, render_html(title, report, pictures, comparison, note).encode())
        print(f"wrote {out}")
        return 0 if all_pass else 1

    print(f"Launch report: {args.product} on the morning of {args.date}, vs {args.vs}")
    print(f"{note}\n")
    print(format_report(report))
    if not args.compare:
        return 0

    requested = {"product": args.product, "date": args.date, "vs": args.vs}
    print("\nAgainst the figures reported for DeepSeek's launch\n")
    if requested != SEED_REPORT:
        print(
            f"note: the reported figures are those of --product {SEED_REPORT['product']}"
            f" --date {SEED_REPORT['date']} --vs {SEED_REPORT['vs']}\n"
        )
    table, all_pass = format_comparison(report)
    print(table)
    return 0 if all_pass else 1


if __name__ == "__main__":
    sys.exit(main())

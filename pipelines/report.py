"""The launch report of a product, as a command (``make report``):

    python -m pipelines.report --product deepseek --date 2025-01-27 --vs perplexity --compare

It prints the report (its headline paragraph, then every figure in a table, in human
units, with how much of each rests on the rank model) and, with ``--compare``, beside
the figures the press reported (``warehouse.reported``), exiting 1 when any of them
is out of tolerance; ``--format html`` writes the self-contained page instead
(``warehouse.report.launch_page``). The warehouse is the one of the settings
(CHARTWATCH_DATA_DIR), or ``--db``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from assets.storage import atomic_write_bytes
from pipelines.resources import chartwatch_from_env
from warehouse.build import connect_read_only
from warehouse.keys import check_product_reference
from warehouse.report import (
    ReportError,
    check_products,
    estimates_note,
    first_competitor,
    format_comparison,
    format_text,
    launch_page,
    launch_report,
    product_name,
    report_names,
)
from warehouse.reported import SEED_REPORT


def product_argument(text: str) -> str:
    """argparse type of a product key (warehouse/keys.py)."""
    try:
        return check_product_reference(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def optional_product(text: str) -> str | None:
    """argparse type of a product key that may be left empty (make's VS=)."""
    return product_argument(text) if text.strip() else None


def date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from exc


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.report",
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
        "--vs",
        type=optional_product,
        default=None,
        help="product key to compare downloads with (default: the product's first competitor"
        " in products.toml)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="warehouse file (default: the warehouse of CHARTWATCH_DATA_DIR, data/ if unset)",
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
    db_path = args.db or chartwatch_from_env().warehouse_path

    try:
        con = connect_read_only(db_path)
    except (FileNotFoundError, duckdb.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        if args.vs is None:
            check_products(con, args.product)
            args.vs = first_competitor(con, args.product)
            if args.vs is None:
                raise ReportError(
                    f"{args.product} has no competitors in products.toml to compare with:"
                    " give one, e.g. VS=chatgpt (`make products` lists the keys)"
                )
        if args.format == "html":
            page, all_pass = launch_page(
                con, args.product, args.date, args.vs, compare_reported=args.compare
            )
        else:
            report = launch_report(con, args.product, args.date, args.vs)
            note = estimates_note(con, args.date)
            names = report_names(con, report)
            for key in (args.product, args.vs):
                names.setdefault(key, product_name(con, key))
    except (ReportError, duckdb.Error) as error:
        print(f"error: {error} (warehouse: {db_path})", file=sys.stderr)
        return 2
    finally:
        con.close()

    if args.format == "html":
        out = args.out or db_path.parent / "reports" / f"launch-{args.product}-{args.date}.html"
        atomic_write_bytes(out, page.encode())
        print(f"wrote {out}")
        return 0 if all_pass else 1

    print(format_text(report, names, args.date, args.vs, note))
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

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
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence

import duckdb
import polars as pl

from warehouse import labels, units
from warehouse.errors import ChartwatchError
from warehouse.headline import headline
from warehouse.pictures import Picture, launch_pictures
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
    "interest_country_share": units.percent,
    "search_interest_week": units.human_count,
    "search_interest_ratio_vs_next": units.ratio,
}


def figure_format(figure: str) -> Callable[[float | None], str]:
    """How a report figure's value reads (a count, a share, a rank ...)."""
    return _VALUE_FORMATS.get(figure, units.human_count)


def modelled_text(row: dict) -> str:
    """How much of a figure rests on the rank model: '0.005% modelled', and its 80%
    interval where it is one at the figure's precision ('99.8% modelled, 2.05M to
    3.10M'); '' for a figure that sums no downloads (ranks, DAU, search interest)."""
    share = row.get("modelled_share")
    if share is None:
        return ""
    text = f"{units.fine_percent(share)} modelled"
    show = figure_format(row["figure"])
    low, high = row.get("low"), row.get("high")
    if row.get("estimated") and low is not None and high is not None and show(low) != show(high):
        text += f", {show(low)} to {show(high)}"
    return text


def report_names(con: duckdb.DuckDBPyConnection, report: pl.DataFrame) -> dict[str, str]:
    """Display names of the product keys a report mentions (its products, the
    competitor of its downloads and of its search interest)."""
    named = {"downloads_last_7d", "downloads_vs_competitor", "search_interest_ratio_vs_next"}
    keys = set(report["product"].drop_nulls().to_list())
    keys |= set(report.filter(pl.col("figure").is_in(named))["detail"].drop_nulls().to_list())
    return {key: product_name(con, key) for key in sorted(keys)}


def _label(row: dict, names: Mapping[str, str]) -> str:
    figure, detail = row["figure"], row["detail"]
    if figure == "downloads_vs_competitor" and detail:
        return f"Downloads vs {names.get(detail, detail)}, last 7 days"
    if figure == "search_interest_ratio_vs_next" and detail:
        return f"Search interest vs {names.get(detail, detail)}"
    return labels.figure_label(figure)


def _detail(row: dict, names: Mapping[str, str]) -> str:
    """A row's detail for people: country and product names, days as people write them."""
    figure, detail = row["figure"], row["detail"] or ""
    if figure in ("countries_rank_1", "countries_top_10"):
        store_chart = {"app_store": "iphone", "google_play": "android"}.get(row["store"] or "")
        return f"{labels.chart(row['store'], store_chart)} chart" if store_chart else detail
    if figure in ("country_share", "interest_country_share"):
        return labels.country(detail, capital=True) if detail else ""
    if figure == "downloads_last_7d":
        return names.get(detail, detail)
    if figure == "downloads_vs_competitor":
        return "downloads of both, the same 7 days"
    if figure == "search_interest_ratio_vs_next":
        return "Wikipedia views of the week, against the most-read competitor's"
    if figure == "search_interest_week":
        detail = detail.replace("wikimedia ", "")
    if figure == "us_rank_before_peak":
        detail = detail.replace("3 days before the peak of ", "peak on ")
    if figure == "cumulative_downloads":
        return "both stores, every country"
    if figure == "us_rank_climb":
        detail = detail.replace(" -> ", " → #").replace("unranked → #", "unranked → #")
        detail = detail if detail.startswith(("unranked", "no ")) else f"#{detail}"
    if figure == "dau_wow_growth":
        detail = detail.replace(" vs ", " against ")
    return labels.dates_in(detail)


def _as_of(row: dict) -> str:
    return labels.day(row["as_of"])


def _trajectory(rows: list[dict]) -> tuple[str, str, str]:
    """The us_rank rows of a store as one: the rank of the last day, the days, and
    the ranks day by day ('off': off the chart, '?': no chart that day)."""
    marks = []
    for row in rows:
        detail = row["detail"] or ""
        if row["value"] is not None:
            marks.append(units.rank(row["value"]))
        else:
            marks.append("?" if detail.endswith("no data") else "off")
    days = labels.day_range(rows[0]["as_of"], rows[-1]["as_of"])
    legend = []
    if "off" in marks:
        legend.append("off: not charting")
    if "?" in marks:
        legend.append("? no chart that day")
    text = " → ".join(marks) + (f" ({'; '.join(legend)})" if legend else "")
    return units.rank(rows[-1]["value"]), days, text


_HEADER = ("figure", "store", "value", "modelled (80% interval)", "as of", "detail")


def table_rows(
    report: pl.DataFrame, names: Mapping[str, str] | None = None
) -> list[tuple[str, ...]]:
    """The report's rows in human units, as the text table and the HTML table show
    them: label, store, value, modelled (with the 80% interval where it is one),
    as of, detail. A store's US ranks of the week read as one row."""
    names = names or {}
    rows: list[tuple[str, ...]] = []
    records = report.to_dicts()
    done: set[tuple] = set()
    for row in records:
        if row["figure"] == "us_rank":
            key = ("us_rank", row["store"])
            if key in done:
                continue
            done.add(key)
            week = sorted(
                (r for r in records if r["figure"] == "us_rank" and r["store"] == row["store"]),
                key=lambda r: r["position"],
            )
            value, days, text = _trajectory(week)
            rows.append((_label(row, names), labels.store(row["store"]), value, "", days, text))
            continue
        rows.append(
            (
                _label(row, names),
                labels.store(row["store"]),
                figure_format(row["figure"])(row["value"]),
                modelled_text(row),
                _as_of(row),
                _detail(row, names),
            )
        )
    return rows


def format_report(report: pl.DataFrame, names: Mapping[str, str] | None = None) -> str:
    """The report as an aligned text table in human units."""
    return units.text_table(_HEADER, table_rows(report, names), right_aligned={2})


def report_title(name: str, date: dt.date, vs_name: str) -> str:
    return f"{name}: launch report, read on the morning of {labels.weekday(date)}, vs {vs_name}"


def format_text(
    report: pl.DataFrame, names: Mapping[str, str], date: dt.date, vs: str, note: str = ""
) -> str:
    """The whole text report: title, headline paragraph, the note on downloads, the
    table, and the top countries of downloads beside those of Wikipedia views."""
    product = report["product"][0]
    title = report_title(names.get(product, product), date, names.get(vs, vs))
    paragraph = textwrap.fill(headline(report, names, product), width=100)
    parts = [f"{title}\n{'=' * len(title)}", paragraph]
    if note:
        parts.append(textwrap.fill(note, width=100))
    header, rows, countries_note = top_countries(report)
    countries = f"Top countries\n\n{units.text_table(header, rows, right_aligned={2, 4})}"
    if countries_note:
        countries += "\n" + textwrap.fill(countries_note, width=100)
    return "\n\n".join([*parts, format_report(report, names), countries])


def top_countries(report: pl.DataFrame) -> tuple[tuple[str, ...], list[tuple[str, ...]], str]:
    """The product's top countries of downloads (to date, the report's country_share
    rows) beside its top countries of Wikipedia views (the week of its search interest,
    interest_country_share): a header, a row per place, and a note when the report has
    no views by country."""

    def places(figure: str) -> list[dict]:
        return report.filter(pl.col("figure") == figure).sort("position").to_dicts()

    downloads, views = places("country_share"), places("interest_country_share")
    through = labels.day(downloads[0]["as_of"]) if downloads else units.MISSING
    week = (
        labels.day_range(views[0]["as_of"] - dt.timedelta(days=6), views[0]["as_of"])
        if views
        else units.MISSING
    )
    header = (
        "#",
        f"downloads to date ({through})",
        "share",
        f"Wikipedia views by country ({week})",
        "share",
    )

    def cells(rows: list[dict], place: int) -> tuple[str, str]:
        if place >= len(rows):
            return "", ""
        row = rows[place]
        return labels.country(row["detail"], capital=True), units.percent(row["value"])

    rows = [
        (str(place + 1), *cells(downloads, place), *cells(views, place))
        for place in range(max(len(downloads), len(views)))
    ]
    note = (
        ""
        if views
        else "No Wikipedia views by country for the week: the product needs a wikidata item in"
        " products.toml, and the week's files of Wikimedia's pageviews per country, imported"
        " with make import (see the README)."
    )
    if views:
        note = (
            "Views by country: Wikimedia's published counts (above its release threshold),"
            " every language edition of the product's article; shares of the views counted"
            " by country."
        )
    return header, rows, note


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


_COMPARISON_HEADER = ("id", "figure", "computed", "reported", "tolerance", "result")


def comparison_rows(report: pl.DataFrame) -> tuple[list[tuple[str, ...]], bool]:
    """The reported figures beside the computed ones, as table rows; True when all are
    within tolerance."""
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
    return rows, all(comparison.within_tolerance for comparison in comparisons)


def format_comparison(report: pl.DataFrame) -> tuple[str, bool]:
    """The reported figures beside the computed ones; True when all are within tolerance."""
    rows, all_pass = comparison_rows(report)
    return units.text_table(_COMPARISON_HEADER, rows), all_pass


# The figure cards at the top of the page: (figure, store), in order.
_CARDS = (
    ("countries_rank_1", "app_store"),
    ("countries_top_10", "app_store"),
    ("us_rank_climb", "app_store"),
    ("cumulative_downloads", None),
    ("share_last_7d", None),
    ("downloads_vs_competitor", None),
    ("dau_wow_growth", None),
    ("search_interest_ratio_vs_next", None),
)


def _find(report: pl.DataFrame, figure: str, store: str | None = None) -> dict | None:
    rows = report.filter(pl.col("figure") == figure)
    rows = rows.filter(pl.col("store").is_null() if store is None else pl.col("store") == store)
    return rows.sort("position").to_dicts()[0] if rows.height else None


def cards(report: pl.DataFrame, names: Mapping[str, str]) -> list[tuple[str, str, str, str]]:
    """The headline figures as cards: (label, value, what it is, modelled)."""
    found = []
    for figure, store in _CARDS:
        row = _find(report, figure, store)
        if row is None:
            continue
        value = figure_format(figure)(row["value"])
        if figure in ("countries_rank_1", "countries_top_10"):
            other = _find(report, figure, "google_play")
            play = units.integer(other["value"]) if other else units.MISSING
            note = f"App Store, {labels.day(row['as_of'])}; Google Play: {play}"
            label = labels.figure_label(figure)
        elif figure == "us_rank_climb":
            label = "US rank, App Store"
            week = report.filter(pl.col("figure") == "us_rank", pl.col("store") == store)
            today = week.sort("position")["value"].to_list()[-1] if week.height else None
            value = units.rank(today)
            before = _find(report, "us_rank_before_peak", store)
            if (
                before is not None
                and before["value"] is not None
                and before["value"] > row["value"]
            ):
                note = (
                    f"climbed from {units.rank(before['value'])} on"
                    f" {labels.short_day(before['as_of'])} to {units.rank(row['value'])} on"
                    f" {labels.day(row['as_of'])}"
                )
            elif row["value"] is not None:
                note = f"best of the week: {units.rank(row['value'])} on {labels.day(row['as_of'])}"
            else:
                note = "not on the US chart in the week"
            play = report.filter(pl.col("figure") == "us_rank", pl.col("store") == "google_play")
            if play.height:
                note += f"; Google Play: {units.rank(play.sort('position')['value'][-1])}"
        elif figure == "share_last_7d":
            label = "Downloads in the last 7 days"
            note = f"of downloads to date, {_detail(row, names)}"
        else:
            label = _label(row, names)
            note = {
                "cumulative_downloads": f"through {labels.day(row['as_of'])}, both stores",
                "downloads_vs_competitor": "downloads in the last 7 days",
                "dau_wow_growth": _detail(row, names),
                "search_interest_ratio_vs_next": "Wikipedia views, the week of "
                + labels.day_range(row["as_of"] - dt.timedelta(days=6), row["as_of"]),
            }.get(figure, _detail(row, names))
        found.append((label, value, note, modelled_text(row)))
    return found


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 80rem; padding: 0 1.5rem; color: #1f2937; line-height: 1.45; }
h1 { font-size: 2rem; margin: 0.2rem 0 0.4rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #e5e7eb;
     padding-bottom: 0.3rem; }
.kicker { color: #6b7280; font-size: 0.9rem; margin: 0; text-transform: uppercase;
          letter-spacing: 0.04em; }
.sub { color: #4b5563; margin-top: 0; }
.headline { font-size: 1.12rem; max-width: 62rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
         gap: 0.8rem; margin: 1.5rem 0; }
.card { border: 1px solid #e5e7eb; border-radius: 0.5rem; padding: 0.7rem 0.9rem;
        background: #fafafa; }
.card .label { font-size: 0.85rem; color: #4b5563; font-weight: 600; }
.card .value { font-size: 1.9rem; font-weight: 700; font-variant-numeric: tabular-nums;
               white-space: nowrap; }
.card .note, .card .modelled { font-size: 0.8rem; color: #6b7280; }
.pictures { display: flex; flex-wrap: wrap; gap: 1.8rem 2rem; align-items: flex-start; }
figure { margin: 0; width: fit-content; max-width: 100%; }
figure.wide { flex-basis: 100%; }
figure img { max-width: 100%; height: auto; border: 1px solid #f3f4f6; }
table.compared td { font-size: 0.8rem; }
figcaption { font-size: 0.85rem; color: #4b5563; margin-top: 0.3rem;
             contain: inline-size; }  /* as wide as the picture, not wider */
table { border-collapse: collapse; font-size: 0.88rem; width: 100%; }
th { text-align: left; border-bottom: 2px solid #d1d5db; padding: 0.3rem 0.6rem;
     white-space: nowrap; }
td { border-bottom: 1px solid #eee; padding: 0.28rem 0.6rem; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap, span.nowrap { white-space: nowrap; }
pre { font-size: 0.78rem; overflow-x: auto; background: #f9fafb; padding: 0.6rem; }
.small { font-size: 0.8rem; color: #6b7280; }
"""


_UNBROKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:\.\.\d{4}-\d{2}-\d{2})?"  # 2025-01-20..2025-01-26
    rf"|\d{{1,2}}(?:{labels.DASH}\d{{1,2}})? [A-Z][a-z]{{2}} \d{{4}}"  # 20-26 Jan 2025
)


def _cell_html(text: str) -> str:
    """A table cell's text, its days kept on one line ('2025-01-27', '27 Jan 2025')."""
    out, end = [], 0
    for match in _UNBROKEN.finditer(text):
        out += [html.escape(text[end : match.start()]), "<span class=nowrap>"]
        out += [html.escape(match[0]), "</span>"]
        end = match.end()
    return "".join([*out, html.escape(text[end:])])


def render_html(
    title: str,
    report: pl.DataFrame,
    pictures: Sequence[Picture],
    comparison: Sequence[Sequence[str]] | None = None,
    note: str = "",
    *,
    names: Mapping[str, str] | None = None,
    heading: str | None = None,
    kicker: str = "",
    subtitle: str = "",
) -> str:
    """A self-contained HTML page: a headline paragraph written from the figures,
    figure cards, the pictures inline with their captions, every figure in a table,
    and the comparison with the reported figures (its rows) when given."""
    names = names or {}
    esc = html.escape
    product = report["product"][0] if report.height else ""
    paragraph = headline(report, names, product) if report.height else ""
    card_html = "\n".join(
        f"<div class=card><div class=label>{esc(label)}</div>"
        f"<div class=value>{esc(value)}</div><div class=note>{esc(what)}</div>"
        + (f"<div class=modelled>{esc(modelled)}</div>" if modelled else "")
        + "</div>"
        for label, value, what, modelled in cards(report, names)
    )
    figures = "\n".join(
        f"<figure{' class=wide' if picture.wide else ''}>"
        f"<img alt='{esc(picture.title)}' src='data:image/png;base64,"
        f"{base64.b64encode(picture.png).decode()}'>"
        f"<figcaption>{esc(picture.caption)}</figcaption></figure>"
        for picture in pictures
    )
    # label, store, value, modelled, as of, detail: only the detail wraps.
    classes = ("nowrap", "nowrap", "num", "nowrap", "nowrap", "")
    rows = "\n".join(
        "<tr>"
        + "".join(
            f"<td{f' class={cls}' if cls else ''}>{_cell_html(cell)}</td>"
            for cls, cell in zip(classes, cells, strict=True)
        )
        + "</tr>"
        for cells in table_rows(report, names)
    )
    countries_header, countries_rows, countries_note = top_countries(report)
    countries_html = (
        "<h2>Where it was downloaded, and where it was read about</h2>\n<table class=places>"
        f"<tr>{''.join(f'<th>{esc(name)}</th>' for name in countries_header)}</tr>\n"
        + "\n".join(
            "<tr>"
            + "".join(
                f"<td{' class=num' if index in (0, 2, 4) else ''}>{esc(cell)}</td>"
                for index, cell in enumerate(cells)
            )
            + "</tr>"
            for cells in countries_rows
        )
        + "</table>\n"
        + (f"<p class=small>{esc(countries_note)}</p>" if countries_note else "")
    )
    compared = ""
    if comparison:
        compared = (
            "<h2>Against the figures reported for DeepSeek's launch</h2>\n<table class=compared>"
            f"<tr>{''.join(f'<th>{esc(name)}</th>' for name in _COMPARISON_HEADER)}</tr>\n"
            + "\n".join(
                "<tr>" + "".join(f"<td>{_cell_html(cell)}</td>" for cell in cells) + "</tr>"
                for cells in comparison
            )
            + "</table>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>{_STYLE}</style></head><body>
<header>
<p class=kicker>{esc(kicker)}</p>
<h1>{esc(heading or title)}</h1>
<p class=sub>{esc(subtitle)}</p>
</header>
<p class=headline>{esc(paragraph)}</p>
<section class=cards>
{card_html}
</section>
<p class=small>{esc(note)}</p>
<h2>Pictures</h2>
<section class=pictures>
{figures}
</section>
{countries_html}
<h2>Every figure</h2>
<table><tr>{"".join(f"<th>{esc(name)}</th>" for name in _HEADER)}</tr>
{rows}
</table>
{compared}
<p class=small>Generated by Chartwatch from its DuckDB warehouse: the launch_report() macro
and the tables it reads.</p>
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
    pictures: Sequence[Picture] | None = None,
    compare_reported: bool = False,
) -> tuple[str, bool]:
    """The launch report of ``product`` on the morning of ``date`` against ``vs`` as
    one self-contained HTML page, and whether every reported figure it was compared
    with is within tolerance. ``pictures``: the page's pictures when the caller has
    them already; else ``warehouse.pictures.launch_pictures``."""
    report = launch_report(con, product, date, vs)
    names = {**report_names(con, report), product: product_name(con, product)}
    names.setdefault(vs, product_name(con, vs))
    name, vs_name = names[product], names[vs]
    if pictures is None:
        pictures = launch_pictures(con, product, date, name, vs, vs_name, report)
    comparison, all_pass = comparison_rows(report) if compare_reported else (None, True)
    title = f"{name}: launch report, {labels.day(date)}"
    page = render_html(
        title,
        report,
        pictures,
        comparison,
        estimates_note(con, date),
        names=names,
        heading=f"{name}'s launch",
        kicker=f"Chartwatch launch report · read on the morning of {labels.weekday(date)}",
        subtitle=(
            f"Charts of {labels.day(date)}; downloads through"
            f" {labels.day(date - dt.timedelta(days=1))}; compared with {vs_name}."
        ),
    )
    return page, all_pass

"""Pictures of what the warehouse says, for people who would rather look than read.

Each picture is a query (a frame a test can check) and a rendering of that frame
as a PNG (matplotlib, no display needed). About a product's launch:

- ``product_ranks``: its rank day by day on the top free charts, in the US and its
  biggest markets, in both stores;
- ``chart_reach``: in how many countries it is #1 and in the top 10, day by day, in
  both stores (the launch report's countries_rank_1 and countries_top_10);
- ``downloads_series``: its daily downloads and downloads to date with their 80%
  bounds, beside the competitor's daily downloads;
- ``country_shares``: where its downloads to date came from.

About the charts of a day, with a product singled out when it is given:

- ``rank_movers``: the biggest climbers of a chart in one storefront, over a day
  or a week;
- ``countries_at_no1``: in how many countries each of the day's leading apps is #1,
  day by day.

Every picture comes as a ``Picture``: the title drawn in it, a caption written
from the same frame (its dates and figures), and the PNG. The HTML launch report
embeds them; the reports asset shows the day's in the UI.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import NamedTuple

import duckdb
import matplotlib

matplotlib.use("Agg")  # files only: no display on a server
import matplotlib.pyplot as plt
import polars as pl
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

from warehouse import labels, units

# The chart a picture reads by default: the overall top free iPhone chart.
STORE, DEVICE, CHART = "app_store", "iphone", "top_free"
# The chart of each store that the launch report reads (models/90_launch_report.sql).
STORE_CHARTS = (("app_store", "iphone"), ("google_play", "android"))
# How many days the day-by-day pictures show, to the report's day.
DAYS = 14

PRODUCT_COLOUR = "#c2410c"
OTHER_COLOUR = "#2a7ab9"
COMPETITOR_COLOUR = "#6b7280"
STORE_COLOURS = {"app_store": "#2563eb", "google_play": "#16a34a"}
COUNTRY_COLOURS = ("#c2410c", "#2563eb", "#16a34a", "#9333ea", "#ca8a04", "#0891b2")


class Picture(NamedTuple):
    """A rendered picture: its title (drawn in it), a caption, the PNG, and whether it
    is wide (a page gives it a row of its own)."""

    title: str
    caption: str
    png: bytes
    wide: bool = False


def _days(date: dt.date, days: int) -> list[dt.date]:
    return [date - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]


# Queries ---------------------------------------------------------------------------


def rank_movers(
    con: duckdb.DuckDBPyConnection,
    date: dt.date,
    country: str = "us",
    store: str = STORE,
    device: str = DEVICE,
    chart: str = CHART,
    top: int = 10,
    days: int = 1,
    product: str | None = None,
) -> pl.DataFrame:
    """The ``top`` apps that climbed most over ``days`` (1 or 7) to ``date``: name,
    product, rank, rank_before, climb, highlighted. With ``product``, its best app on
    the chart is added (highlighted) when it is not among them: a launch already at
    #1 climbs no more, and a picture of the day should still show where it is."""
    if days not in (1, 7):
        raise ValueError(f"rank_movers compares with 1 or 7 days before, not {days}")
    before = "rank_1d_ago" if days == 1 else "rank_7d_ago"
    return con.sql(
        f"""
        WITH moves AS (
            SELECT coalesce(a.name, h.app_id) AS name, h.product, h.rank,
                   h.{before} AS rank_before, h.{before} - h.rank AS climb
            FROM app_rank_history AS h
            LEFT JOIN apps AS a USING (store, app_id)
            WHERE h.date = $date AND h.country = $country AND h.store = $store
              AND h.device = $device AND h.chart = $chart
        ),
        climbers AS (
            SELECT * FROM moves
            WHERE rank_before IS NOT NULL AND rank_before > rank
            ORDER BY climb DESC, rank, name
            LIMIT $top
        ),
        singled_out AS (
            SELECT * FROM moves
            WHERE product = $product
              AND NOT EXISTS (SELECT 1 FROM climbers AS c WHERE c.product = $product)
            ORDER BY rank
            LIMIT 1
        )
        SELECT name, product, rank, rank_before, climb,
               coalesce(product = $product, FALSE) AS highlighted
        FROM (SELECT * FROM climbers UNION ALL SELECT * FROM singled_out)
        ORDER BY climb DESC NULLS LAST, rank, name
        """,
        params={
            "date": date,
            "country": country,
            "store": store,
            "device": device,
            "chart": chart,
            "top": top,
            "product": product,
        },
    ).pl()


def countries_at_no1(
    con: duckdb.DuckDBPyConnection,
    date: dt.date,
    days: int = DAYS,
    store: str = STORE,
    device: str = DEVICE,
    chart: str = CHART,
    top: int = 5,
    product: str | None = None,
) -> pl.DataFrame:
    """Countries where each of the ``top`` apps of ``date`` is #1, on each of ``days``
    days: date, name, product, countries_rank_1, highlighted. With ``product``, its
    apps on the chart are shown too (highlighted), whether or not they lead."""
    return con.sql(
        """
        WITH leaders AS (
            (SELECT app_id
             FROM app_chart_coverage
             WHERE date = $date AND store = $store AND device = $device AND chart = $chart
               AND countries_rank_1 > 0
             ORDER BY countries_rank_1 DESC, app_id
             LIMIT $top)
            UNION
            SELECT app_id
            FROM app_chart_coverage
            WHERE product = $product AND store = $store AND device = $device AND chart = $chart
              AND date BETWEEN CAST($date AS DATE) - ($days - 1) AND $date
        ),
        days AS (
            SELECT CAST(d AS DATE) AS date
            FROM range(CAST($date AS DATE) - ($days - 1), CAST($date AS DATE) + 1,
                       INTERVAL 1 DAY) AS t (d)
        )
        SELECT days.date, coalesce(a.name, l.app_id) AS name, a.product,
               coalesce(c.countries_rank_1, 0) AS countries_rank_1,
               coalesce(a.product = $product, FALSE) AS highlighted
        FROM leaders AS l
        CROSS JOIN days
        LEFT JOIN app_chart_coverage AS c
            ON c.app_id = l.app_id AND c.date = days.date
            AND c.store = $store AND c.device = $device AND c.chart = $chart
        LEFT JOIN apps AS a ON a.store = $store AND a.app_id = l.app_id
        ORDER BY name, days.date
        """,
        params={
            "date": date,
            "store": store,
            "device": device,
            "chart": chart,
            "top": top,
            "days": days,
            "product": product,
        },
    ).pl()


def country_shares(
    con: duckdb.DuckDBPyConnection, product: str, date: dt.date, top: int = 10
) -> pl.DataFrame:
    """The product's share of downloads to date per country: the ``top`` and the rest."""
    return con.sql(
        """
        WITH ranked AS (
            SELECT country, share, row_number() OVER (ORDER BY share DESC, country) AS place
            FROM product_country_share
            WHERE product = ? AND date = ? AND share IS NOT NULL
        )
        SELECT label AS country, sum(share) AS share
        FROM (SELECT CASE WHEN place <= ? THEN country ELSE 'other' END AS label, share FROM ranked)
        GROUP BY label
        ORDER BY label = 'other', share DESC
        """,
        params=[product, date, top],
    ).pl()


def product_ranks(
    con: duckdb.DuckDBPyConnection,
    product: str,
    date: dt.date,
    countries: Sequence[str],
    days: int = DAYS,
) -> pl.DataFrame:
    """The product's best rank (over its apps) on the top free phone chart of each
    store, in each of ``countries``, on each of the ``days`` days to ``date``: date,
    store, country, rank (null: not charting that day)."""
    return con.sql(
        """
        WITH charts AS (
            SELECT * FROM (VALUES ('app_store', 'iphone'), ('google_play', 'android'))
                AS t (store, device)
        ),
        days AS (
            SELECT CAST(d AS DATE) AS date
            FROM range(CAST($date AS DATE) - ($days - 1), CAST($date AS DATE) + 1,
                       INTERVAL 1 DAY) AS t (d)
        ),
        ranks AS (
            SELECT h.date, h.store, h.country, min(h.rank) AS rank
            FROM app_rank_history AS h
            JOIN charts AS c ON c.store = h.store AND c.device = h.device
            WHERE h.product = $product AND h.chart = 'top_free'
              AND list_contains($countries, h.country)
              AND h.date BETWEEN CAST($date AS DATE) - ($days - 1) AND $date
            GROUP BY h.date, h.store, h.country
        )
        SELECT days.date, c.store, u.country, r.rank
        FROM days
        CROSS JOIN charts AS c
        CROSS JOIN unnest($countries) AS u (country)
        LEFT JOIN ranks AS r
            ON r.date = days.date AND r.store = c.store AND r.country = u.country
        ORDER BY c.store, u.country, days.date
        """,
        params={"product": product, "date": date, "days": days, "countries": list(countries)},
    ).pl()


def chart_reach(
    con: duckdb.DuckDBPyConnection, product: str, date: dt.date, days: int = DAYS
) -> pl.DataFrame:
    """In how many countries the product (its best app) is #1 and in the top 10 of
    each store's top free phone chart, on each of the ``days`` days to ``date``: date,
    store, countries_rank_1, countries_top_10 (null on a day without that chart)."""
    return con.sql(
        """
        WITH charts AS (
            SELECT * FROM (VALUES ('app_store', 'iphone'), ('google_play', 'android'))
                AS t (store, device)
        ),
        days AS (
            SELECT CAST(d AS DATE) AS date
            FROM range(CAST($date AS DATE) - ($days - 1), CAST($date AS DATE) + 1,
                       INTERVAL 1 DAY) AS t (d)
        ),
        ranks AS (
            SELECT h.date, h.store, h.country, min(h.rank) AS rank
            FROM app_rank_history AS h
            JOIN charts AS c ON c.store = h.store AND c.device = h.device
            WHERE h.product = $product AND h.chart = 'top_free'
              AND h.date BETWEEN CAST($date AS DATE) - ($days - 1) AND $date
            GROUP BY h.date, h.store, h.country
        ),
        captured AS (
            SELECT DISTINCT e.date, e.store
            FROM chart_entries AS e
            JOIN charts AS c ON c.store = e.store AND c.device = e.device
            WHERE e.chart = 'top_free' AND e.genre_id IS NULL
              AND e.date BETWEEN CAST($date AS DATE) - ($days - 1) AND $date
        )
        SELECT days.date, c.store,
               CASE WHEN k.date IS NOT NULL THEN count(r.country) FILTER (WHERE r.rank = 1) END
                   AS countries_rank_1,
               CASE WHEN k.date IS NOT NULL THEN count(r.country) FILTER (WHERE r.rank <= 10) END
                   AS countries_top_10
        FROM days
        CROSS JOIN charts AS c
        LEFT JOIN captured AS k ON k.date = days.date AND k.store = c.store
        LEFT JOIN ranks AS r ON r.date = days.date AND r.store = c.store
        GROUP BY days.date, c.store, k.date
        ORDER BY c.store, days.date
        """,
        params={"product": product, "date": date, "days": days},
    ).pl()


def downloads_series(
    con: duckdb.DuckDBPyConnection,
    product: str,
    date: dt.date,
    vs: str | None = None,
    days: int = DAYS,
) -> pl.DataFrame:
    """The downloads of ``product`` (and ``vs``) on each of the ``days`` complete days
    before the morning of ``date`` (as the report reads them: through date - 1), with
    the 80% bounds: date, product, downloads, downloads_low, downloads_high,
    cumulative_downloads, cumulative_low, cumulative_high."""
    return con.sql(
        """
        WITH days AS (
            SELECT CAST(d AS DATE) AS date
            FROM range(CAST($date AS DATE) - $days, CAST($date AS DATE), INTERVAL 1 DAY) AS t (d)
        ),
        subjects AS (
            SELECT $product AS product, 1 AS position
            UNION ALL SELECT $vs, 2 WHERE $vs IS NOT NULL
        )
        SELECT days.date, s.product, d.downloads, d.downloads_low, d.downloads_high,
               d.cumulative_downloads, d.cumulative_low, d.cumulative_high
        FROM days
        CROSS JOIN subjects AS s
        LEFT JOIN product_downloads_daily AS d ON d.product = s.product AND d.date = days.date
        ORDER BY s.position, days.date
        """,
        params={"product": product, "vs": vs, "date": date, "days": days},
    ).pl()


# Renderings ------------------------------------------------------------------------


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _tidy(ax) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(axis="y", color="#e5e7eb", linewidth=0.8)
    ax.set_axisbelow(True)


def _day_axis(ax, days: Sequence[dt.date]) -> None:
    """Days as '20 Jan', every other one when there are many; the range is the days'."""
    step = 1 if len(days) <= 8 else 2
    shown = list(days)[::-1][::step][::-1]  # always the last day
    ax.set_xticks(shown)
    ax.set_xticklabels([labels.short_day(d) for d in shown], rotation=0, fontsize="small")
    if days:
        pad = dt.timedelta(hours=14)  # half a day and a little: the ends' bars whole
        start, end = (dt.datetime.combine(d, dt.time()) for d in (days[0], days[-1]))
        ax.set_xlim(start - pad, end + pad)


def _count_axis(ax) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: units.human_count(value)))


def rank_movers_png(frame: pl.DataFrame, title: str, days: int = 1) -> bytes:
    figure, ax = plt.subplots(figsize=(7, 0.42 * max(len(frame), 4) + 1.2))
    if frame.is_empty():
        _empty(ax, "no app climbed")
    else:
        rows = frame.reverse()
        highlighted = (
            rows["highlighted"].to_list() if "highlighted" in rows.columns else [False] * len(rows)
        )
        names = [
            f"{n}  (#{b} → #{r})" if b is not None else f"{n}  (new → #{r})"
            for n, r, b in rows.select("name", "rank", "rank_before").iter_rows()
        ]
        climbs = [max(c or 0, 0) for c in rows["climb"].to_list()]
        colours = [PRODUCT_COLOUR if h else OTHER_COLOUR for h in highlighted]
        bars = ax.barh(names, climbs, color=colours)
        for bar, raw in zip(bars, rows["climb"].to_list(), strict=True):
            if raw is None:
                text = "new"
            else:
                text = f"+{raw}" if raw > 0 else (f"down {-raw}" if raw < 0 else "no climb")
            ax.annotate(
                text,
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize="small",
            )
        for tick, h in zip(ax.get_yticklabels(), highlighted, strict=True):
            if h:
                tick.set_fontweight("bold")
                tick.set_color(PRODUCT_COLOUR)
        ax.set_xlabel(f"places climbed since {'the day' if days == 1 else 'a week'} before")
        ax.margins(x=0.12)
        _tidy(ax)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color="#e5e7eb", linewidth=0.8)
    ax.set_title(title, loc="left", fontsize="medium", fontweight="bold")
    return _png(figure)


def countries_at_no1_png(frame: pl.DataFrame, title: str) -> bytes:
    figure, ax = plt.subplots(figsize=(10, 4))
    if frame.is_empty():
        _empty(ax, "no app is #1 anywhere")
    else:
        for (name,), series in frame.group_by("name", maintain_order=True):
            highlighted = "highlighted" in series.columns and bool(series["highlighted"].any())
            ax.plot(
                series["date"].to_list(),
                series["countries_rank_1"].to_list(),
                marker="o",
                markersize=5 if highlighted else 3.5,
                linewidth=3 if highlighted else 1.5,
                color=PRODUCT_COLOUR if highlighted else None,
                label=name,
                zorder=3 if highlighted else 2,
            )
        ax.set_ylabel("countries where it is #1")
        ax.set_ylim(bottom=0)
        _day_axis(ax, sorted(frame["date"].unique().to_list()))
        # Beside the plot, not over the lines.
        legend = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
        for text in legend.get_texts():
            rows = frame.filter(pl.col("name") == text.get_text())
            if "highlighted" in rows.columns and rows["highlighted"].any():
                text.set_fontweight("bold")
        _tidy(ax)
    ax.set_title(title, loc="left", fontsize="medium", fontweight="bold")
    return _png(figure)


def country_shares_png(frame: pl.DataFrame, title: str) -> bytes:
    figure, ax = plt.subplots(figsize=(7, 0.4 * max(len(frame), 4) + 1.2))
    if frame.is_empty():
        _empty(ax, "no downloads yet")
    else:
        rows = frame.reverse()
        names = [
            "other countries" if c == "other" else labels.country(c, capital=True)
            for c in rows["country"].to_list()
        ]
        shares = [100 * s for s in rows["share"].to_list()]
        colours = [COMPETITOR_COLOUR if c == "other" else "#d9822b" for c in rows["country"]]
        bars = ax.barh(names, shares, color=colours)
        for bar, share in zip(bars, rows["share"].to_list(), strict=True):
            ax.annotate(
                units.percent(share),
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize="small",
            )
        ax.set_xlabel("% of downloads to date")
        ax.margins(x=0.12)
        _tidy(ax)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color="#e5e7eb", linewidth=0.8)
    ax.set_title(title, loc="left", fontsize="medium", fontweight="bold")
    return _png(figure)


# Rank ticks on a log axis: the top of a chart is where the story is.
_RANK_TICKS = (1, 2, 3, 5, 10, 20, 50, 100, 200)


def product_ranks_png(frame: pl.DataFrame, title: str, countries: Sequence[str]) -> bytes:
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    days = sorted(frame["date"].unique().to_list())
    worst = frame["rank"].max() if frame["rank"].drop_nulls().len() else 10
    bottom = next((t for t in _RANK_TICKS if t >= worst * 1.15), worst * 1.2)
    for ax, (store, device) in zip(axes, STORE_CHARTS, strict=True):
        ax.set_title(
            f"{labels.store(store)}, {labels.chart(store, device)}", loc="left", fontsize="medium"
        )
        rows = frame.filter(pl.col("store") == store)
        drawn = 0
        for colour, country in zip(COUNTRY_COLOURS, countries, strict=False):
            series = rows.filter(pl.col("country") == country).sort("date")
            ranks = series["rank"].to_list()
            if not any(r is not None for r in ranks):
                continue
            drawn += 1
            last = next(r for r in reversed(ranks) if r is not None)
            ax.plot(
                series["date"].to_list(),
                [float("nan") if r is None else r for r in ranks],
                marker="o",
                markersize=3.5,
                linewidth=2.5 if country == "us" else 1.6,
                color=colour,
                zorder=3 if country == "us" else 2,  # the US over a market at its rank
                label=f"{labels.country(country, capital=True)} (#{last})",
            )
        ax.set_yscale("log")
        ax.set_ylim(bottom, 0.8)
        ax.yaxis.set_major_locator(FixedLocator([t for t in _RANK_TICKS if t <= bottom]))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"#{value:.0f}"))
        _day_axis(ax, days)
        _tidy(ax)
        if drawn:  # below the plot: the lines reach every corner of it
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=min(drawn, 4),
                      fontsize="small", title="rank on the last day", title_fontsize="small",
                      frameon=False)  # fmt: skip
        else:
            ax.text(0.5, 0.5, "not charting in these countries", ha="center", va="center",
                    transform=ax.transAxes, color="#555")  # fmt: skip
    axes[0].set_ylabel("rank (log scale)")
    figure.suptitle(title, x=0.01, ha="left", fontsize="large", fontweight="bold")
    figure.tight_layout()
    return _png(figure)


def chart_reach_png(frame: pl.DataFrame, title: str) -> bytes:
    figure, ax = plt.subplots(figsize=(11, 4))
    days = sorted(frame["date"].unique().to_list())
    for store, device in STORE_CHARTS:
        rows = frame.filter(pl.col("store") == store).sort("date")
        for column, style, what in (
            ("countries_top_10", "--", "in the top 10"),
            ("countries_rank_1", "-", "at #1"),
        ):
            values = rows[column].to_list()
            last = next((v for v in reversed(values) if v is not None), None)
            ax.plot(
                rows["date"].to_list(),
                [float("nan") if v is None else v for v in values],
                linestyle=style,
                marker="o",
                markersize=3.5,
                linewidth=2.2,
                color=STORE_COLOURS[store],
                label=f"{labels.store(store)} ({labels.device(device)}), {what}: "
                f"{units.integer(last)}",
            )
    ax.set_ylabel("countries")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _day_axis(ax, days)
    _tidy(ax)
    # Beside the plot, not over the lines.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False,
              title="on the last day", title_fontsize="small")  # fmt: skip
    ax.set_title(title, loc="left", fontsize="medium", fontweight="bold")
    return _png(figure)


def band_is_negligible(frame: pl.DataFrame, tolerance: float = 0.01) -> bool:
    """Whether the 80% bounds of a downloads series are within ``tolerance`` of each
    day's figure and of the total to date (too narrow to see in a picture)."""
    for value, low, high in (
        ("downloads", "downloads_low", "downloads_high"),
        ("cumulative_downloads", "cumulative_low", "cumulative_high"),
    ):
        rows = frame.drop_nulls([value, low, high]).filter(pl.col(value) > 0)
        if rows.height and ((rows[high] - rows[low]) / rows[value]).max() > tolerance:
            return False
    return True


def downloads_png(
    frame: pl.DataFrame, title: str, product: str, name: str, vs: str | None, vs_name: str
) -> bytes:
    figure, (daily, total) = plt.subplots(
        2, 1, figsize=(11, 6), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    own = frame.filter(pl.col("product") == product).sort("date")
    days = own["date"].to_list()
    values = [v or 0 for v in own["downloads"].to_list()]
    negligible = band_is_negligible(own)
    errors = None
    if not negligible:
        lows = [
            v - (lo if lo is not None else v)
            for v, lo in zip(values, own["downloads_low"], strict=True)
        ]
        highs = [
            (h if h is not None else v) - v
            for v, h in zip(values, own["downloads_high"], strict=True)
        ]
        errors = [lows, highs]
    daily.bar(days, values, width=0.75, color=PRODUCT_COLOUR, label=name,
              yerr=errors, ecolor="#111", capsize=2, error_kw={"linewidth": 0.8})  # fmt: skip
    if vs is not None:
        theirs = frame.filter(pl.col("product") == vs).sort("date")
        daily.plot(
            theirs["date"].to_list(),
            [float("nan") if v is None else v for v in theirs["downloads"].to_list()],
            color=COMPETITOR_COLOUR,
            marker="o",
            markersize=3,
            linewidth=1.8,
            label=vs_name,
        )
    daily.set_ylabel("downloads a day")
    daily.set_ylim(bottom=0)
    _count_axis(daily)
    _tidy(daily)
    band = "" if negligible else " (whiskers: 80% interval)"
    # Beside the plots, not over the bars and lines.
    daily.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False,
                 title=f"a day{band}", title_fontsize="small")  # fmt: skip

    cumulative = [float("nan") if v is None else v for v in own["cumulative_downloads"]]
    total.plot(days, cumulative, color=PRODUCT_COLOUR, linewidth=2.2, marker="o", markersize=3,
               label=f"{name},\ndownloads to date")  # fmt: skip
    if not negligible:
        total.fill_between(
            days,
            [float("nan") if v is None else v for v in own["cumulative_low"]],
            [float("nan") if v is None else v for v in own["cumulative_high"]],
            color=PRODUCT_COLOUR,
            alpha=0.2,
            linewidth=0,
            label="80% interval",
        )
    if days and own["cumulative_downloads"][-1] is not None:
        last = own["cumulative_downloads"][-1]
        total.annotate(units.human_count(last), (days[-1], last), xytext=(-6, 6),
                       textcoords="offset points", ha="right", fontsize="small")  # fmt: skip
    total.set_ylabel("to date")
    total.set_ylim(bottom=0)
    _count_axis(total)
    _tidy(total)
    total.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    _day_axis(total, days)
    daily.set_title(title, loc="left", fontsize="medium", fontweight="bold")
    figure.tight_layout()
    return _png(figure)


# Pictures with their captions ------------------------------------------------------

# The chart the day's pictures show.
CHART_NAME = "top free iPhone"


def movers_picture(
    con: duckdb.DuckDBPyConnection,
    day: dt.date,
    days: int = 1,
    product: str | None = None,
    name: str | None = None,
) -> Picture:
    """The biggest US climbers of the chart over ``days`` (1 or 7) to ``day``, with
    ``product`` singled out."""
    frame = rank_movers(con, day, days=days, product=product)
    start = day - dt.timedelta(days=days)
    span = "of the day" if days == 1 else "of the week"
    title = f"Biggest climbers {span}, US {CHART_NAME}, {labels.day_range(start, day)}"
    caption = (
        f"The apps that climbed most on the US {CHART_NAME} chart from"
        f" {labels.short_day(start)} to {labels.day(day)}."
    )
    singled = frame.filter("highlighted")
    if name and singled.height:
        rank, before = singled.row(0, named=True)["rank"], singled.row(0, named=True)["rank_before"]
        climbed = (
            "new on the chart" if before is None else f"#{before} on {labels.short_day(start)}"
        )
        caption += f" {name}: #{rank} on {labels.short_day(day)} ({climbed})."
    elif name and product:
        caption += f" {name} is not on that chart on {labels.short_day(day)}."
    return Picture(title, caption, rank_movers_png(frame, title, days))


def leaders_picture(
    con: duckdb.DuckDBPyConnection,
    day: dt.date,
    product: str | None = None,
    name: str | None = None,
    days: int = DAYS,
) -> Picture:
    """Countries at #1 of the day's leading apps over ``days`` to ``day``, with
    ``product``'s apps among them."""
    frame = countries_at_no1(con, day, days=days, product=product)
    first = day - dt.timedelta(days=days - 1)
    span = labels.day_range(first, day)
    who = f"the leading apps and {name}" if name else "the leading apps"
    title = f"Countries at #1, {CHART_NAME}: {who}, {span}"
    caption = (
        f"In how many countries each of the five apps #1 in the most countries on"
        f" {labels.day(day)} was #1 on the {CHART_NAME} chart, day by day ({span})."
    )
    if name:
        own = frame.filter(pl.col("highlighted"), pl.col("date") == day)
        count = int(own["countries_rank_1"].max()) if own.height else 0
        where = units.plural(count, "country", "countries") if count else "no country"
        caption += f" {name}, in bold: #1 in {where} on {labels.short_day(day)}."
    return Picture(title, caption, countries_at_no1_png(frame, title), wide=True)


def share_picture(con: duckdb.DuckDBPyConnection, product: str, name: str, day: dt.date) -> Picture:
    """Where a product's downloads came from, through ``day``."""
    frame = country_shares(con, product, day)
    title = f"{name}: where downloads came from, to {labels.day(day)}"
    top = frame.filter(pl.col("country") != "other").head(3)
    places = units.plural(frame.filter(pl.col("country") != "other").height, "country", "countries")
    caption = (
        f"Each country's share of {name}'s downloads to date, through {labels.day(day)}:"
        f" the top {places} and the rest."
    )
    if top.height:
        caption += " First: " + ", ".join(
            f"{labels.country(c)} {units.percent(s)}" for c, s in top.iter_rows()
        ) + "."  # fmt: skip
    return Picture(title, caption, country_shares_png(frame, title))


def markets(report: pl.DataFrame | None, count: int = 4) -> list[str]:
    """The US and the product's biggest markets (the report's country_share rows, in
    order): the countries its rank picture follows."""
    countries = ["us"]
    if report is not None:
        shares = report.filter(pl.col("figure") == "country_share").sort("position")
        countries += [c for c in shares["detail"].to_list() if c and c not in countries]
    return countries[:count]


def ranks_picture(
    con: duckdb.DuckDBPyConnection,
    product: str,
    name: str,
    day: dt.date,
    countries: Sequence[str],
    days: int = DAYS,
) -> Picture:
    frame = product_ranks(con, product, day, countries, days)
    first = day - dt.timedelta(days=days - 1)
    span = labels.day_range(first, day)
    title = f"{name}: rank day by day, {span}"
    places = ", ".join(labels.country(c) for c in countries[:-1])
    places = f"{places} and {labels.country(countries[-1])}" if len(countries) > 1 else places
    caption = (
        f"{name}'s best rank on the top free charts of both stores, day by day ({span}), in"
        f" {places}: the US and its biggest markets by downloads to date. A gap is a day off"
        " the chart; the rank axis is logarithmic."
    )
    us = frame.filter(pl.col("country") == "us", pl.col("date") == day)
    ranks = [f"#{r} {labels.on_store(s)}" for s, r in us.select("store", "rank").iter_rows() if r]
    if ranks:
        caption += f" In the US on {labels.day(day)}: {' and '.join(ranks)}."
    return Picture(title, caption, product_ranks_png(frame, title, countries), wide=True)


def reach_picture(
    con: duckdb.DuckDBPyConnection, product: str, name: str, day: dt.date, days: int = DAYS
) -> Picture:
    frame = chart_reach(con, product, day, days)
    first = day - dt.timedelta(days=days - 1)
    span = labels.day_range(first, day)
    title = f"{name}: countries at #1 and in the top 10, {span}"
    last = frame.filter(pl.col("date") == day)
    counts = {
        store: (rank_1, top_10) for store, rank_1, top_10 in last.select(
            "store", "countries_rank_1", "countries_top_10").iter_rows()
    }  # fmt: skip
    said = [
        f"{labels.store(store)}: #1 in {units.integer(counts[store][0])}, top 10 in"
        f" {units.integer(counts[store][1])}"
        for store, _ in STORE_CHARTS
        if store in counts
    ]
    caption = (
        f"In how many countries {name} was #1 (solid) and in the top 10 (dashed) of the top"
        f" free iPhone and Android charts, day by day ({span}). On {labels.day(day)}: "
        + "; ".join(said)
        + "."
    )
    return Picture(title, caption, chart_reach_png(frame, title), wide=True)


def downloads_picture(
    con: duckdb.DuckDBPyConnection,
    product: str,
    name: str,
    day: dt.date,
    vs: str | None = None,
    vs_name: str | None = None,
    modelled_share: float | None = None,
    days: int = DAYS,
) -> Picture:
    """Daily downloads and downloads to date through the day before ``day`` (the
    complete days a report of ``day`` reads), with the 80% band where it shows."""
    frame = downloads_series(con, product, day, vs, days)
    last = day - dt.timedelta(days=1)
    first = day - dt.timedelta(days=days)
    span = labels.day_range(first, last)
    title = f"{name}: downloads, {span}"
    own = frame.filter(pl.col("product") == product)
    total = own.filter(pl.col("date") == last)["cumulative_downloads"]
    total_text = units.human_count(total[0] if total.len() else None)
    versus = f", and {vs_name}'s for comparison" if vs else ""
    caption = (
        f"{name}'s downloads a day ({span}, both stores, every country){versus}; below,"
        f" its downloads to date: {total_text} through {labels.day(last)}."
    )
    modelled = (
        f" {units.fine_percent(modelled_share)} of {name}'s downloads to date come from the"
        " rank model"
        if modelled_share is not None
        else ""
    )
    if band_is_negligible(own):
        if modelled_share:
            caption += (
                f" The 80% interval is too narrow to draw:{modelled}, the rest are vendor or"
                " imported figures."
            )
        else:
            caption += " No figure here comes from the rank model: there is no interval to draw."
    else:
        caption += f" Whiskers and the shaded band: the 80% interval of the estimates.{modelled}."
    return Picture(
        title,
        caption,
        downloads_png(frame, title, product, name, vs, vs_name or vs or ""),
        wide=True,
    )


def day_pictures(
    con: duckdb.DuckDBPyConnection,
    day: dt.date,
    product: str | None = None,
    name: str | None = None,
) -> list[Picture]:
    """The pictures of a day's charts: its biggest US climbers and the countries where
    the leading apps are #1 over the two weeks to it, ``product`` (the headline
    product) singled out in both."""
    return [
        movers_picture(con, day, 1, product, name),
        leaders_picture(con, day, product, name),
    ]


def launch_pictures(
    con: duckdb.DuckDBPyConnection,
    product: str,
    date: dt.date,
    name: str | None = None,
    vs: str | None = None,
    vs_name: str | None = None,
    report: pl.DataFrame | None = None,
) -> list[Picture]:
    """The pictures of a launch report read on the morning of ``date``, as its figures
    read the warehouse (the charts of the day, the downloads through the day before):
    the product's rank, its reach, its downloads, where they came from; then the
    day's charts with the product singled out. ``report``: the report's rows, for the
    markets its rank picture follows and the modelled share of its downloads."""
    name = name or product
    modelled = None
    if report is not None:
        rows = report.filter(pl.col("figure") == "cumulative_downloads")["modelled_share"]
        modelled = rows[0] if rows.len() else None
    before = date - dt.timedelta(days=1)
    return [
        ranks_picture(con, product, name, date, markets(report)),
        reach_picture(con, product, name, date),
        downloads_picture(con, product, name, date, vs, vs_name, modelled),
        share_picture(con, product, name, before),
        movers_picture(con, date, 7, product, name),
        leaders_picture(con, date, product, name),
    ]

"""Pictures of what the warehouse says, for people who would rather look than read.

Each picture is a query (a frame a test can check) and a rendering of that frame
as a PNG (matplotlib, no display needed):

- ``rank_movers``: the biggest climbers of a day's chart in one storefront;
- ``countries_at_no1``: in how many countries each of the day's leading apps is #1,
  day by day;
- ``country_shares``: where a product's downloads to date came from.

The HTML launch report embeds them; the warehouse asset can show them in the UI.
"""

from __future__ import annotations

import datetime as dt
import io

import duckdb
import matplotlib

matplotlib.use("Agg")  # files only: no display on a server
import matplotlib.pyplot as plt
import polars as pl

# The chart a picture reads by default: the overall top free iPhone chart.
STORE, DEVICE, CHART = "app_store", "iphone", "top_free"


def rank_movers(
    con: duckdb.DuckDBPyConnection,
    date: dt.date,
    country: str = "us",
    store: str = STORE,
    device: str = DEVICE,
    chart: str = CHART,
    top: int = 10,
) -> pl.DataFrame:
    """The ``top`` apps that climbed most since the day before: name, rank, rank_1d_ago, climb."""
    return con.sql(
        """
        SELECT coalesce(a.name, h.app_id) AS name, h.rank, h.rank_1d_ago,
               h.rank_1d_ago - h.rank AS climb
        FROM app_rank_history AS h
        LEFT JOIN apps AS a USING (store, app_id)
        WHERE h.date = ? AND h.country = ? AND h.store = ? AND h.device = ? AND h.chart = ?
          AND h.rank_1d_ago IS NOT NULL AND h.rank_1d_ago > h.rank
        ORDER BY climb DESC, h.rank, name
        LIMIT ?
        """,
        params=[date, country, store, device, chart, top],
    ).pl()


def countries_at_no1(
    con: duckdb.DuckDBPyConnection,
    date: dt.date,
    days: int = 14,
    store: str = STORE,
    device: str = DEVICE,
    chart: str = CHART,
    top: int = 5,
) -> pl.DataFrame:
    """Countries where each of the ``top`` apps of ``date`` is #1, on each of ``days`` days."""
    return con.sql(
        """
        WITH leaders AS (
            SELECT app_id
            FROM app_chart_coverage
            WHERE date = ? AND store = ? AND device = ? AND chart = ? AND countries_rank_1 > 0
            ORDER BY countries_rank_1 DESC, app_id
            LIMIT ?
        ),
        days AS (
            SELECT CAST(d AS DATE) AS date
            FROM range(CAST(? AS DATE) - (? - 1), CAST(? AS DATE) + 1, INTERVAL 1 DAY) AS t (d)
        )
        SELECT days.date, coalesce(a.name, l.app_id) AS name,
               coalesce(c.countries_rank_1, 0) AS countries_rank_1
        FROM leaders AS l
        CROSS JOIN days
        LEFT JOIN app_chart_coverage AS c
            ON c.app_id = l.app_id AND c.date = days.date
            AND c.store = ? AND c.device = ? AND c.chart = ?
        LEFT JOIN apps AS a ON a.store = ? AND a.app_id = l.app_id
        ORDER BY name, days.date
        """,
        params=[date, store, device, chart, top, date, days, date, store, device, chart, store],
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


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def rank_movers_png(frame: pl.DataFrame, title: str) -> bytes:
    figure, ax = plt.subplots(figsize=(7, 0.45 * max(len(frame), 4) + 1))
    if frame.is_empty():
        _empty(ax, "no app climbed")
    else:
        rows = frame.reverse()
        labels = [
            f"{n}  ({b} -> {r})"
            for n, r, b in rows.select("name", "rank", "rank_1d_ago").iter_rows()
        ]
        ax.barh(labels, rows["climb"].to_list(), color="#2a7ab9")
        ax.set_xlabel("places climbed since the day before")
    ax.set_title(title)
    return _png(figure)


def countries_at_no1_png(frame: pl.DataFrame, title: str) -> bytes:
    figure, ax = plt.subplots(figsize=(10, 4))
    if frame.is_empty():
        _empty(ax, "no app is #1 anywhere")
    else:
        for (name,), series in frame.group_by("name", maintain_order=True):
            ax.plot(
                series["date"].to_list(),
                series["countries_rank_1"].to_list(),
                marker="o",
                label=name,
            )
        ax.set_ylabel("countries where it is #1")
        # Beside the plot, not over the lines.
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
        figure.autofmt_xdate()
    ax.set_title(title)
    return _png(figure)


def country_shares_png(frame: pl.DataFrame, title: str) -> bytes:
    figure, ax = plt.subplots(figsize=(7, 0.4 * max(len(frame), 4) + 1))
    if frame.is_empty():
        _empty(ax, "no downloads yet")
    else:
        rows = frame.reverse()
        ax.barh(
            rows["country"].to_list(), [100 * s for s in rows["share"].to_list()], color="#d9822b"
        )
        ax.set_xlabel("% of downloads to date")
    ax.set_title(title)
    return _png(figure)


# The chart the pictures show.
CHART = "top free iPhone"


def day_pictures(con: duckdb.DuckDBPyConnection, day: dt.date) -> dict[str, bytes]:
    """The pictures of a day that every product's report shares, by title: the biggest
    climbers of the day (US), and the countries where the leading apps are #1 over the
    two weeks to it."""
    movers = f"Biggest climbers, US {CHART}, {day}"
    leaders = f"Countries at #1, {CHART}, two weeks to {day}"
    return {
        movers: rank_movers_png(rank_movers(con, day), movers),
        leaders: countries_at_no1_png(countries_at_no1(con, day), leaders),
    }


def share_picture(
    con: duckdb.DuckDBPyConnection, product: str, name: str, day: dt.date
) -> tuple[str, bytes]:
    """(title, PNG): where a product's downloads came from, to the day."""
    png = country_shares_png(
        country_shares(con, product, day), f"{name}: share of downloads to {day}, by country"
    )
    return f"Where {name}'s downloads came from, to {day}", png


def launch_pictures(
    con: duckdb.DuckDBPyConnection, product: str, date: dt.date, name: str | None = None
) -> dict[str, bytes]:
    """The three pictures of a launch report read on the morning of ``date``, by
    title, as its figures read the warehouse: the charts of the day, the downloads
    through the day before."""
    title, share = share_picture(con, product, name or product, date - dt.timedelta(days=1))
    return {**day_pictures(con, date), title: share}

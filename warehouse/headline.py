"""The headline of a launch report: one paragraph written from its rows.

``headline(report, names)`` reads the rows of the launch_report macro (see
``models/90_launch_report.sql``) and says, in sentences, where the product was #1
and in the top 10, how it climbed in the US, its downloads to date and the share
of the last 7 days, how they compare with the competitor's, where they came from,
how its daily active users grew and how much it was searched for. Every number is
a report value in the units of the report's table; a figure without data is left
out of the paragraph rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from warehouse import labels, units


def _rows(report: pl.DataFrame, figure: str, store: str | None = None) -> list[dict]:
    rows = report.filter(pl.col("figure") == figure)
    if store is not None:
        rows = rows.filter(pl.col("store") == store)
    return rows.sort("position").to_dicts()


def _row(report: pl.DataFrame, figure: str, store: str | None = None) -> dict | None:
    rows = _rows(report, figure, store)
    return rows[0] if rows else None


def _value(row: dict | None) -> float | None:
    return None if row is None else row["value"]


def _countries(count: float | None) -> str:
    return units.plural(int(count or 0), "country", "countries")


def _joined(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def interval_text(row: dict, show) -> str:
    """', 80% interval 2.05M to 3.10M' when the row's bounds differ as shown; ''."""
    low, high = row.get("low"), row.get("high")
    if not row.get("estimated") or low is None or high is None or show(low) == show(high):
        return ""
    return f"80% interval {show(low)} to {show(high)}"


def _modelled(row: dict | None, show=units.human_count, within: str = "") -> str:
    """' (0.005% modelled)', ' (99.8% modelled, 80% interval 2.05M to 3.10M)', or ''
    when nothing of it is modelled; ``within``: the text goes inside parentheses
    already open, after that separator ('; 0.005% modelled')."""
    if row is None or not row.get("modelled_share"):
        return ""
    parts = [f"{units.fine_percent(row['modelled_share'])} modelled"]
    interval = interval_text(row, show)
    if interval:
        parts.append(interval)
    return f"{within}{', '.join(parts)}" if within else f" ({', '.join(parts)})"


def _charts_sentence(report: pl.DataFrame, name: str, date: dt.date) -> str:
    stores = ("app_store", "google_play")
    rank_1 = {s: _value(_row(report, "countries_rank_1", s)) for s in stores}
    top_10 = {s: _value(_row(report, "countries_top_10", s)) for s in stores}
    if not any(rank_1.values()) and not any(top_10.values()):
        return (
            f"On {labels.long_day(date)}, {name} was in the top 10 of no country's top free"
            " chart, in either store."
        )
    at_1 = [
        f"{_countries(rank_1[s])} {labels.on_store(s)}"
        if rank_1[s]
        else f"none {labels.on_store(s)}"
        for s in stores
    ]
    us_today = [
        s
        for s in stores
        if any(r["value"] == 1 and r["as_of"] == date for r in _rows(report, "us_rank", s))
    ]
    us = f" ({labels.country('us')} among them)" if us_today else ""
    where_1 = (
        f"the #1 free app in {at_1[0]}{us} and in {at_1[1]}"
        if any(rank_1.values())
        else "#1 in no country"
    )
    in_10 = _joined(
        [
            f"{_countries(top_10[s])} {labels.on_store(s)}"
            if top_10[s]
            else f"none {labels.on_store(s)}"
            for s in stores
        ]
    )
    return (
        f"On the morning of {labels.long_day(date)}, {name} was {where_1}, and in the top 10"
        f" in {in_10}."
    )


def _climb_clause(report: pl.DataFrame, store: str) -> str | None:
    """How the product moved on a store's US chart in the week: a climb to its peak
    ('climbed from #31 to #1 on the App Store in 3 days (23-26 Jan 2025)'), an entry
    onto the chart, or else where it stood on the report's day."""
    climb = _row(report, "us_rank_climb", store)
    before = _row(report, "us_rank_before_peak", store)
    week = [r for r in _rows(report, "us_rank", store) if r["as_of"] is not None]
    if climb is None or climb["value"] is None or climb["as_of"] is None:
        return None  # not on the US chart in the week
    peak, peak_day = int(climb["value"]), climb["as_of"]
    where = labels.on_store(store)
    if before is not None and before["as_of"] is not None:
        days = units.plural((peak_day - before["as_of"]).days, "day")
        if before["value"] is not None and before["value"] > peak:
            return (
                f"climbed from #{int(before['value'])} to #{peak} {where} in {days}"
                f" ({labels.day_range(before['as_of'], peak_day)})"
            )
        if before["value"] is None and "not charting" in (before["detail"] or ""):
            return (
                f"entered the chart {where} and reached #{peak} within {days}"
                f" ({labels.short_day(peak_day)})"
            )
    today = week[-1] if week else None
    if today is None or today["value"] is None:
        return f"peaked at #{peak} {where} on {labels.short_day(peak_day)}"
    text = f"was #{int(today['value'])} {where} on {labels.short_day(today['as_of'])}"
    if (peak, peak_day) != (int(today["value"]), today["as_of"]):
        text += f" (best of the week: #{peak} on {labels.short_day(peak_day)})"
    return text


def _us_sentence(report: pl.DataFrame) -> str | None:
    clauses = [c for c in (_climb_clause(report, s) for s in ("app_store", "google_play")) if c]
    if not clauses:
        return None
    if len(clauses) == 2:
        first, second = clauses
        if first.startswith("climbed from") and second.startswith("climbed from"):
            # "and from #133 to #14 on Google Play ...": the verb once.
            second = second.removeprefix("climbed ")
        return f"In {labels.country('us')} it {first}, and {second}."
    return f"In {labels.country('us')} it {clauses[0]}."


def _downloads_sentences(
    report: pl.DataFrame, product: str, name: str, names: Mapping[str, str]
) -> list[str]:
    sentences = []
    cumulative = _row(report, "cumulative_downloads")
    if cumulative is None or cumulative["value"] is None:
        return sentences
    share = _row(report, "share_last_7d")
    own_7d = next((r for r in _rows(report, "downloads_last_7d") if r["product"] == product), None)
    text = (
        f"It had {units.human_count(cumulative['value'])} downloads through"
        f" {labels.day(cumulative['as_of'])}{_modelled(cumulative)}"
    )
    if share is not None and share["value"] is not None:
        text += f", {units.percent(share['value'])} of them in the last 7 days"
        if own_7d is not None and own_7d["value"] is not None:
            text += f" ({units.human_count(own_7d['value'])})"
    milestone = _row(report, "downloads_milestone")
    if milestone is not None and milestone["as_of"] is not None:
        passed = (milestone["detail"] or "").removeprefix("passed ")
        text += f"; it passed {passed} on {labels.short_day(milestone['as_of'])}"
    sentences.append(text + ".")

    versus = _row(report, "downloads_vs_competitor")
    theirs = next((r for r in _rows(report, "downloads_last_7d") if r["product"] != product), None)
    if versus is not None and versus["value"] is not None and theirs is not None:
        vs_name = names.get(versus["detail"], versus["detail"])
        growth = versus["value"]
        more = "more" if growth >= 0 else "fewer"
        sentences.append(
            f"In those 7 days it had {abs(growth):.0%} {more} downloads than {vs_name}"
            f" ({units.human_count(own_7d['value'] if own_7d else None)} against"
            f" {units.human_count(theirs['value'])}{_modelled(versus, units.growth, '; ')})."
        )
    shares = [r for r in _rows(report, "country_share") if r["value"] is not None]
    if shares:
        places = [f"{labels.country(r['detail'])} ({units.percent(r['value'])})" for r in shares]
        sentences.append(f"Downloads to date came most from {_joined(places)}.")
    return sentences


def _dau_sentence(report: pl.DataFrame) -> str | None:
    growth = _row(report, "dau_wow_growth")
    if growth is None or growth["value"] is None or growth["as_of"] is None:
        return None
    settled = growth["as_of"]
    days = labels.day_range(settled - dt.timedelta(days=1), settled)
    week_before = labels.day_range(settled - dt.timedelta(days=8), settled - dt.timedelta(days=7))
    change = growth["value"]
    if f"{abs(change):.0%}" == "0%":
        moved = "held steady"
    else:
        moved = f"{'grew' if change >= 0 else 'fell'} {abs(change):.0%}"
    return f"Its daily active users {moved} week on week ({days} against {week_before})."


def _search_sentence(report: pl.DataFrame, names: Mapping[str, str]) -> str | None:
    week = _row(report, "search_interest_week")
    if week is None or week["value"] is None:
        return None
    last = week["as_of"]
    span = labels.day_range(last - dt.timedelta(days=6), last)
    text = f"Its Wikipedia articles drew {units.human_count(week['value'])} views in the week of {span}"
    ratio = _row(report, "search_interest_ratio_vs_next")
    if ratio is not None and ratio["value"] is not None and ratio["detail"]:
        competitor = names.get(ratio["detail"], ratio["detail"])
        text += f", {units.ratio(ratio['value'])} those of {competitor}, the most-read competitor"
    return text + "."


def headline(
    report: pl.DataFrame, names: Mapping[str, str] | None = None, product: str | None = None
) -> str:
    """The report in one paragraph, from its rows. ``names``: display names of the
    product keys in it (a key without one reads as itself)."""
    names = dict(names or {})
    if report.is_empty():
        return ""
    product = product or _rows(report, "countries_rank_1")[0]["product"]
    name = names.get(product, product)
    date = next(r["as_of"] for r in _rows(report, "countries_rank_1"))
    sentences = [
        _charts_sentence(report, name, date),
        _us_sentence(report),
        *_downloads_sentences(report, product, name, names),
        _dau_sentence(report),
        _search_sentence(report, names),
    ]
    return " ".join(s for s in sentences if s)

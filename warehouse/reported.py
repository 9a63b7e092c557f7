"""The figures the press reported about DeepSeek's launch, and the check of a
computed launch report against them.

``REPORTED_FIGURES`` holds the seed figures F1..F12 (the press's figures for
DeepSeek in January 2025) as data: what was reported and the tolerance the
sample market must meet. ``compare`` picks the matching rows out of a
``launch_report`` result and says, figure by figure, whether the computed value
is within tolerance. These values are only ever compared with: nothing here
feeds the computation, which is the generic SQL of ``models/90_launch_report.sql``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import polars as pl

from warehouse import units

# The report the figures belong to: DeepSeek on the morning of Monday 2025-01-27,
# compared with Perplexity.
SEED_REPORT = {"product": "deepseek", "date": dt.date(2025, 1, 27), "vs": "perplexity"}

Row = Mapping[str, Any]


@dataclass(frozen=True)
class ReportedFigure:
    """One reported figure: what the press said and how close the report must come.

    ``reported`` is the reported value and ``as_reported`` the press's wording.
    ``pick`` takes the launch report rows and returns the computed value, in the
    shape of ``reported``; ``tolerance`` is either inclusive (low, high) bounds on
    a number or a function of the computed value; ``show`` renders a value of this
    figure for people.
    """

    id: str
    description: str
    reported: Any
    as_reported: str
    pick: Callable[[list[Row]], Any]
    tolerance: tuple[float, float] | Callable[[Any], bool]
    tolerance_text: str
    show: Callable[[Any], str]

    def within_tolerance(self, computed: Any) -> bool:
        if computed is None:
            return False
        if callable(self.tolerance):
            return bool(self.tolerance(computed))
        low, high = self.tolerance
        return low <= computed <= high


class Comparison(NamedTuple):
    id: str
    description: str
    computed: Any
    reported: Any
    within_tolerance: bool


def _rows_of(rows: list[Row], figure: str, store: str | None = None) -> list[Row]:
    matching = [row for row in rows if row["figure"] == figure and row.get("store") == store]
    return sorted(matching, key=lambda row: row.get("position") or 0)


def _value(figure: str, store: str | None = None) -> Callable[[list[Row]], Any]:
    """The value of the figure's first row."""

    def pick(rows: list[Row]) -> Any:
        found = _rows_of(rows, figure, store)
        return found[0]["value"] if found else None

    return pick


def _value_on(figure: str) -> Callable[[list[Row]], Any]:
    """(value, as_of) of the figure's first row."""

    def pick(rows: list[Row]) -> Any:
        found = _rows_of(rows, figure)
        return (found[0]["value"], found[0]["as_of"]) if found else None

    return pick


def _rank_climb(store: str) -> Callable[[list[Row]], Any]:
    """((rank, date) three days before the US peak, (best rank, peak date))."""

    def pick(rows: list[Row]) -> Any:
        before = _rows_of(rows, "us_rank_before_peak", store)
        peak = _rows_of(rows, "us_rank_climb", store)
        if not before or not peak:
            return None
        return (
            (before[0]["value"], before[0]["as_of"]),
            (peak[0]["value"], peak[0]["as_of"]),
        )

    return pick


def _top_countries(count: int) -> Callable[[list[Row]], Any]:
    """[(country, share), ...] of the first ``count`` country_share rows."""

    def pick(rows: list[Row]) -> Any:
        found = _rows_of(rows, "country_share")[:count]
        return [(row["detail"], row["value"]) for row in found] or None

    return pick


def _same_top_countries(reported: list[tuple[str, float]], points: float):
    def check(computed: list[tuple[str, float]]) -> bool:
        return [country for country, _ in computed] == [country for country, _ in reported] and all(
            share is not None and abs(share - expected) <= points
            for (_, share), (_, expected) in zip(computed, reported, strict=True)
        )

    return check


def _show_rank_climb(value: Any) -> str:
    (before, before_date), (peak, peak_date) = value
    return f"{units.rank(before)} on {before_date} -> {units.rank(peak)} on {peak_date}"


def _show_downloads_on(value: Any) -> str:
    downloads, date = value
    return f"{units.human_count(downloads)} on {date}"


def _show_countries(value: Any) -> str:
    return ", ".join(f"{country} {units.percent(share)}" for country, share in value)


def _show(show: Callable[[Any], str]) -> Callable[[Any], str]:
    return lambda value: units.MISSING if value is None else show(value)


_F4 = ((31, dt.date(2025, 1, 23)), (1, dt.date(2025, 1, 26)))
_F5 = ((133, dt.date(2025, 1, 24)), (14, dt.date(2025, 1, 27)))
_F11 = [("cn", 0.23), ("us", 0.15), ("eg", 0.06)]

REPORTED_FIGURES: tuple[ReportedFigure, ...] = (
    ReportedFigure(
        id="F1",
        description="countries where it is the #1 free iPhone app (2025-01-27)",
        reported=52,
        as_reported="52 (the US and 51 others)",
        pick=_value("countries_rank_1", "app_store"),
        tolerance=(52, 52),
        tolerance_text="exact",
        show=_show(units.integer),
    ),
    ReportedFigure(
        id="F2",
        description="countries where it is in the App Store top-10 free (2025-01-27)",
        reported=111,
        as_reported="111",
        pick=_value("countries_top_10", "app_store"),
        tolerance=(111, 111),
        tolerance_text="exact",
        show=_show(units.integer),
    ),
    ReportedFigure(
        id="F3",
        description="countries where it is in the Google Play top-10 free (2025-01-27)",
        reported=18,
        as_reported="18",
        pick=_value("countries_top_10", "google_play"),
        tolerance=(18, 18),
        tolerance_text="exact",
        show=_show(units.integer),
    ),
    ReportedFigure(
        id="F4",
        description="US App Store top-free rank, 3 days before the peak -> at the peak",
        reported=_F4,
        as_reported="31 on 2025-01-23, then 1 on 2025-01-26",
        pick=_rank_climb("app_store"),
        tolerance=lambda computed: computed == _F4,
        tolerance_text="exact",
        show=_show(_show_rank_climb),
    ),
    ReportedFigure(
        id="F5",
        description="US Google Play top-free rank, 3 days before the peak -> at the peak",
        reported=_F5,
        as_reported="133 on 2025-01-24, then 14 on 2025-01-27",
        pick=_rank_climb("google_play"),
        tolerance=lambda computed: computed == _F5,
        tolerance_text="exact",
        show=_show(_show_rank_climb),
    ),
    ReportedFigure(
        id="F6",
        description="cumulative downloads passed 1 million",
        reported=(1_000_000, dt.date(2025, 1, 24)),
        as_reported="passed 1M by end of 2025-01-24",
        pick=_value_on("downloads_milestone"),
        tolerance=lambda computed: (
            computed[0] is not None
            and 950_000 <= computed[0] <= 1_050_000
            and computed[1] == dt.date(2025, 1, 24)
        ),
        tolerance_text="0.95M-1.05M on 2025-01-24",
        show=_show(_show_downloads_on),
    ),
    ReportedFigure(
        id="F7",
        description="cumulative downloads through 2025-01-26",
        reported=2_600_000,
        as_reported="2.6M",
        pick=_value("cumulative_downloads"),
        tolerance=(2_500_000, 2_700_000),
        tolerance_text="2.5M-2.7M",
        show=_show(units.human_count),
    ),
    ReportedFigure(
        id="F8",
        description="share of all downloads ever in the 7 days through 2025-01-26",
        reported=0.80,
        as_reported="over 80%",
        pick=_value("share_last_7d"),
        tolerance=(0.80, 0.90),
        tolerance_text="80%-90%",
        show=_show(units.percent),
    ),
    ReportedFigure(
        id="F9",
        description="downloads vs Perplexity, the 7 days through 2025-01-26",
        reported=3.0,
        as_reported="about +300% (4x)",
        pick=_value("downloads_vs_competitor"),
        tolerance=(2.70, 3.30),
        tolerance_text="+270% to +330%",
        show=_show(units.growth),
    ),
    ReportedFigure(
        id="F10",
        description="DAU week over week, 2025-01-24..25 vs 2025-01-17..18",
        reported=1.10,
        as_reported="+110%",
        pick=_value("dau_wow_growth"),
        tolerance=(1.05, 1.15),
        tolerance_text="+105% to +115%",
        show=_show(units.growth),
    ),
    ReportedFigure(
        id="F11",
        description="top three countries by share of downloads through 2025-01-26",
        reported=_F11,
        as_reported="cn 23%, us 15%, eg 6%",
        pick=_top_countries(3),
        tolerance=_same_top_countries(_F11, points=0.01),
        tolerance_text="same top three, +-1 point each",
        show=_show(_show_countries),
    ),
    ReportedFigure(
        id="F12",
        description="search interest vs the next AI product, week of 2025-01-27",
        reported=2.0,
        as_reported="far above every other AI product",
        pick=_value("search_interest_ratio_vs_next"),
        tolerance=(2.0, float("inf")),
        tolerance_text=">= 2x the next",
        show=_show(units.ratio),
    ),
)


def compare(report_rows: pl.DataFrame | Iterable[Row]) -> list[Comparison]:
    """Each reported figure beside its computed value from ``launch_report`` rows."""
    rows = report_rows.to_dicts() if isinstance(report_rows, pl.DataFrame) else list(report_rows)
    comparisons = []
    for figure in REPORTED_FIGURES:
        computed = figure.pick(rows)
        comparisons.append(
            Comparison(
                figure.id,
                figure.description,
                computed,
                figure.reported,
                figure.within_tolerance(computed),
            )
        )
    return comparisons


def figure_by_id(figure_id: str) -> ReportedFigure:
    return next(figure for figure in REPORTED_FIGURES if figure.id == figure_id)

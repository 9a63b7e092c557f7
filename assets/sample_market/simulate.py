"""Simulate the sample market's daily demand: downloads, daily active users and
revenue per app, country, store and day, from which every chart emerges.

The model, per app ``a``, storefront ``s`` (a country in one store) and day ``t``:

* unit demand ``B[a, s, t] = popularity x local affinity x trend x weekday x noise``,
  normalised to shares of the storefront's market; downloads are ``M[s] x B``
  where ``M[s]`` is the storefront's market size (downloads a day);
* DeepSeek's demand follows its calibrated launch (``calibration.py``): on anchor
  days it is placed between the background apps so that it lands exactly at the
  reported rank, and between anchors it follows the worldwide launch curve;
* DAU is a retention-weighted sum of past downloads (cohorts from before the
  window included), revenue is ``downloads x price + DAU x ARPDAU``;
* each day's top-free, top-paid and top-grossing charts are the apps ordered by
  that day's downloads (free or paid apps) or revenue.

Everything is drawn from one seeded generator, so the output is identical on
every run and machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from assets.sample_market import calibration as cal
from assets.sample_market.catalog import SampleApp, build_catalog
from assets.storefronts import APP_STORE_COUNTRIES, GOOGLE_PLAY_COUNTRIES

# Relative market size (daily downloads) of the biggest storefronts; the rest get a
# seeded size between SMALL_MARKET bounds. Units are arbitrary: the calibration fixes
# the absolute scale.
APP_STORE_MARKET = {
    "us": 100,
    "cn": 110,
    "jp": 35,
    "gb": 20,
    "br": 12,
    "ca": 12,
    "de": 14,
    "fr": 14,
    "kr": 10,
    "in": 10,
    "au": 9,
    "mx": 9,
    "ru": 8,
    "it": 8,
    "es": 8,
    "tw": 6,
    "sa": 6,
    "tr": 6,
    "id": 6,
    "th": 5,
    "vn": 5,
    "ph": 4,
    "my": 4,
    "nl": 4,
    "ae": 4,
    "eg": 3,
    "se": 3,
    "ch": 3,
    "pl": 3,
    "hk": 5,
    "sg": 3,
    "il": 2,
    "ar": 3,
    "cl": 2,
    "co": 3,
}
GOOGLE_PLAY_MARKET = {
    "in": 120,
    "br": 60,
    "id": 55,
    "us": 40,
    "mx": 30,
    "ru": 25,
    "tr": 20,
    "vn": 20,
    "ph": 18,
    "pk": 18,
    "eg": 15,
    "bd": 12,
    "ng": 10,
    "de": 12,
    "fr": 10,
    "gb": 9,
    "jp": 10,
    "kr": 9,
    "th": 12,
    "co": 8,
    "ar": 8,
    "sa": 8,
    "it": 8,
    "es": 8,
    "pl": 6,
    "ua": 6,
    "ma": 5,
    "dz": 5,
    "iq": 5,
    "my": 6,
    "za": 5,
    "pe": 5,
    "ke": 3,
    "ve": 3,
}
SMALL_MARKET = (0.15, 2.0)

CHART_DEPTH = {
    ("app_store", "top_free"): 100,  # Apple's current RSS: at most 100
    ("app_store", "top_paid"): 100,
    # The legacy iTunes RSS serves up to 200; the sample serves 100, which keeps its
    # raw archive (the largest part of a day) half the size with no figure depending on it.
    ("app_store", "top_grossing"): 100,
    ("google_play", "top_free"): 200,
    ("google_play", "top_paid"): 200,
    ("google_play", "top_grossing"): 200,
}

_EARLY, _LATE = 4.0, 60.0  # retention time constants (days) of casual and loyal users
_ACTIVE_ON_INSTALL = 0.7


@dataclass(frozen=True)
class Storefront:
    country: str
    store: str


@dataclass
class SampleMarket:
    """The simulated market: the catalog, demand per app/storefront/day, and charts."""

    apps: (
        pl.DataFrame
    )  # app_idx, key, name, developer, genre_id, price, app_store_id, play_id, release
    demand: pl.DataFrame  # date, country, store, app_idx, downloads, dau, revenue (available apps)
    charts: pl.DataFrame  # date, country, store, chart, rank, app_idx
    dates: list[dt.date]

    @cached_property
    def _charts_by_date(self) -> dict[dt.date, pl.DataFrame]:
        return {
            key[0]: part for key, part in self.charts.partition_by("date", as_dict=True).items()
        }

    @cached_property
    def _demand_by_date(self) -> dict[dt.date, pl.DataFrame]:
        return {
            key[0]: part for key, part in self.demand.partition_by("date", as_dict=True).items()
        }

    @cached_property
    def app_store_installs_by_date(self) -> dict[dt.date, pl.DataFrame]:
        """Per day: each App Store app's whole downloads in each storefront through that
        day (``through``) and on the window's first day (``first_day``); lookups read
        these. Whole numbers: integer sums do not depend on the order Polars adds them in.
        """
        downloads = pl.col("downloads").round().cast(pl.Int64)
        pair = ["country", "app_idx"]
        rows = (
            self.demand.filter(pl.col("store") == "app_store")
            .select("date", "country", "app_idx", downloads=downloads)
            .sort("country", "app_idx", "date")
            .with_columns(
                through=pl.col("downloads").cum_sum().over(pair),
                first_day=pl.col("downloads")
                .filter(pl.col("date") == self.first_day)
                .sum()
                .over(pair),
            )
            .select("date", "country", "app_idx", "through", "first_day")
        )
        return {key[0]: part for key, part in rows.partition_by("date", as_dict=True).items()}

    @cached_property
    def worldwide_downloads(self) -> pl.DataFrame:
        """Downloads per app key and day, all storefronts."""
        return (
            self.demand.join(self.apps.select("app_idx", "key"), on="app_idx")
            .group_by("key", "date")
            .agg(pl.col("downloads").sum())
            .sort("key", "date")
        )

    def charts_on(self, dates: list[dt.date]) -> pl.DataFrame:
        return pl.concat(
            [self._charts_by_date[d] for d in dates if d in self._charts_by_date]
            or [self.charts.clear()]
        )

    def demand_on(self, dates: list[dt.date]) -> pl.DataFrame:
        return pl.concat(
            [self._demand_by_date[d] for d in dates if d in self._demand_by_date]
            or [self.demand.clear()]
        )

    @property
    def first_day(self) -> dt.date:
        return self.dates[0]

    @property
    def last_day(self) -> dt.date:
        return self.dates[-1]


def storefronts() -> list[Storefront]:
    return [Storefront(c, "app_store") for c in APP_STORE_COUNTRIES] + [
        Storefront(c, "google_play") for c in GOOGLE_PLAY_COUNTRIES
    ]


def _market_sizes(rng: np.random.Generator, fronts: list[Storefront]) -> np.ndarray:
    small = rng.uniform(*SMALL_MARKET, size=len(fronts))
    table = {"app_store": APP_STORE_MARKET, "google_play": GOOGLE_PLAY_MARKET}
    return np.array(
        [table[f.store].get(f.country, small[i]) for i, f in enumerate(fronts)], dtype=float
    )


def _availability(apps: list[SampleApp], fronts: list[Storefront]) -> np.ndarray:
    avail = np.zeros((len(apps), len(fronts)), dtype=bool)
    for a, app in enumerate(apps):
        for s, front in enumerate(fronts):
            listed = app.app_store_id if front.store == "app_store" else app.play_id
            avail[a, s] = (
                listed is not None
                and (app.markets is None or front.country in app.markets)
                and front.country not in app.excluded
            )
    return avail


def _unit_demand(
    rng: np.random.Generator,
    apps: list[SampleApp],
    fronts: list[Storefront],
    dates: list[dt.date],
    avail: np.ndarray,
) -> np.ndarray:
    """Background demand as shares of each storefront's market, shape (apps, fronts, days)."""
    n_apps, n_fronts, n_days = len(apps), len(fronts), len(dates)
    popularity = np.array([app.popularity for app in apps])
    boost = np.ones((n_apps, n_fronts))
    for a, app in enumerate(apps):
        for s, front in enumerate(fronts):
            boost[a, s] = app.boost.get(front.country, 1.0) * (
                25.0 if app.home == front.country else 1.0
            )
    affinity = rng.lognormal(0.0, 0.5, size=(n_apps, n_fronts))
    level = popularity[:, None] * boost * affinity * avail

    # Trend: a slow random walk per app, launches ramp up and decay after release.
    drift = np.cumsum(rng.normal(0.0, 0.02, size=(n_apps, n_days)), axis=1)
    day_index = np.array([(d - dates[0]).days for d in dates])
    release = np.array([(app.release - dates[0]).days for app in apps])
    since = day_index[None, :] - release[:, None]
    launch = np.where(since < 0, 0.0, 1.0 + 4.0 * np.exp(-np.clip(since, 0, None) / 5.0))
    trend = np.exp(drift) * launch

    weekend = np.array([d.weekday() >= 5 for d in dates], dtype=float)
    genre_swing = np.array(
        [
            0.12
            if app.genre_id in ("6014", "6016")
            else -0.12
            if app.genre_id in ("6000", "6007")
            else 0.04
            for app in apps
        ]
    )
    weekday = 1.0 + genre_swing[:, None] * weekend[None, :]

    noise = rng.lognormal(0.0, 0.10, size=(n_apps, n_fronts, n_days))
    unit = level[:, :, None] * (trend * weekday)[:, None, :] * noise
    total = level.sum(axis=0)
    return unit / np.where(total > 0, total, 1.0)[None, :, None]


def _place(
    values: np.ndarray, eligible: np.ndarray, targets: dict[int, int], lead: float
) -> dict[int, float]:
    """Demand for the ``targets`` apps (app -> rank) that puts each exactly at its rank.

    The other eligible apps keep their demand; a targeted app at rank k with j
    targeted apps above it sits between background apps k-1-j and k-j, several
    targeted apps in one gap share it evenly in log space.
    """
    background = np.sort(values[eligible & ~np.isin(np.arange(len(values)), list(targets))])[::-1]
    ordered = sorted(targets.items(), key=lambda item: item[1])
    gaps: dict[int, list[int]] = {}
    for j, (app, rank) in enumerate(ordered):
        gap = rank - 1 - j
        if gap < 0 or gap > len(background):
            raise ValueError(
                f"cannot place app {app} at rank {rank}: only {len(background)} apps compete"
            )
        gaps.setdefault(gap, []).append(app)
    placed: dict[int, float] = {}
    for gap, members in gaps.items():
        upper = background[gap - 1] if gap > 0 else background[0] * lead
        lower = background[gap] if gap < len(background) else background[-1] * 0.5
        for i, app in enumerate(members):
            frac = (i + 1) / (len(members) + 1)
            placed[app] = float(np.exp(np.log(upper) + frac * (np.log(lower) - np.log(upper))))
    return placed


def _breakout_ranks(rng: np.random.Generator, fronts: list[Storefront]) -> dict[int, int]:
    """DeepSeek's top-free rank on the breakout day, per storefront."""
    ranks: dict[int, int] = {}
    for store, n_first, n_top10, always in (
        (
            "app_store",
            cal.BREAKOUT_RANK_1_APP_STORE,
            cal.BREAKOUT_TOP_10_APP_STORE,
            cal.ALWAYS_RANK_1_APP_STORE,
        ),
        ("google_play", 0, cal.BREAKOUT_TOP_10_GOOGLE_PLAY, cal.ALWAYS_TOP_10_GOOGLE_PLAY),
    ):
        idx = [s for s, f in enumerate(fronts) if f.store == store]
        fixed = {
            s: cal.RANK_ANCHORS[(fronts[s].country, store)][cal.BREAKOUT_DAY]
            for s in idx
            if (fronts[s].country, store) in cal.RANK_ANCHORS
        }
        score = rng.random(len(idx)) + np.array(
            [2.0 if fronts[s].country in always else 0.0 for s in idx]
        )
        free = [s for _, s in sorted(zip(-score, idx, strict=True)) if s not in fixed]
        n_first -= sum(1 for r in fixed.values() if r == 1)
        n_top10 -= sum(1 for r in fixed.values() if r <= 10)
        for pos, s in enumerate(free):
            if pos < n_first:
                ranks[s] = 1
            elif pos < n_top10:
                ranks[s] = int(rng.integers(2, 11))
            else:
                ranks[s] = int(np.exp(rng.uniform(np.log(11), np.log(180))))
        ranks.update(fixed)
    return ranks


def simulate(seed: int = cal.SEED) -> SampleMarket:
    """Run the whole simulation for the sample window (a few seconds)."""
    rng = np.random.default_rng(seed)
    apps = build_catalog(rng)
    fronts = storefronts()
    dates = [
        cal.WINDOW_START + dt.timedelta(days=i)
        for i in range((cal.WINDOW_END - cal.WINDOW_START).days + 1)
    ]
    key_index = {app.key: a for a, app in enumerate(apps)}
    ds, rival = key_index[cal.LAUNCH_APP], key_index[cal.COMPETITOR]
    avail = _availability(apps, fronts)
    free = np.array([app.price == 0 for app in apps])
    base_unit = _unit_demand(rng, apps, fronts, dates, avail)
    market0 = _market_sizes(rng, fronts)
    breakout = _breakout_ranks(rng, fronts)
    leads = rng.uniform(1.15, 2.0, size=len(fronts))
    day_of = {d: t for t, d in enumerate(dates)}
    curve = np.array(cal.launch_curve(dates))
    upto = day_of[cal.DOWNLOADS_THROUGH]

    # The rival's scale is solved by fixed-point iteration: its demand shifts the
    # placements, which shift the market sizes, which shift its downloads.
    # The storefronts whose ranks are anchored on several days bend the worldwide
    # curve, so the curve each storefront follows is corrected until the worldwide
    # total matches the calibration.
    rival_scale = 1.0
    shape = curve.copy()
    for _ in range(8):
        unit = base_unit.copy()
        unit[rival] *= rival_scale
        market, unit = _place_launch(
            unit,
            fronts,
            dates,
            day_of,
            free,
            avail,
            breakout,
            leads,
            shape,
            upto,
            market0,
            ds,
            key_index,
        )
        downloads = unit * market[None, :, None]
        realised = downloads[ds].sum(axis=0)
        shape *= curve / realised * (realised[: upto + 1].sum() / curve[: upto + 1].sum())
        window = slice(upto - 6, upto + 1)
        ratio = downloads[ds, :, window].sum() / downloads[rival, :, window].sum()
        rival_scale *= ratio / cal.COMPETITOR_RATIO_LAST_7D
        if (
            abs(ratio / cal.COMPETITOR_RATIO_LAST_7D - 1) < 1e-4
            and np.abs(realised / curve - 1).max() < 1e-3
        ):
            break

    dau = _daily_active_users(apps, downloads, dates, ds)
    price = np.array([app.price for app in apps])
    arpdau = np.array([app.arpdau for app in apps])
    revenue = downloads * price[:, None, None] * 0.7 + dau * arpdau[:, None, None]
    return SampleMarket(
        apps=_apps_frame(apps),
        demand=_demand_frame(downloads, dau, revenue, avail, fronts, dates),
        charts=_charts_frame(downloads, revenue, free, avail, fronts, dates),
        dates=dates,
    )


def _place_launch(
    unit, fronts, dates, day_of, free, avail, breakout, leads, curve, upto, market0, ds, key_index
):
    """Give the launch app its calibrated demand; return (market sizes, unit demand)."""
    n_fronts = len(fronts)
    eligible_free = free[:, None] & avail
    us_app_store = next(s for s, f in enumerate(fronts) if f == Storefront("us", "app_store"))
    launch = np.zeros((n_fronts, len(dates)))
    for s, front in enumerate(fronts):
        anchors = dict(cal.RANK_ANCHORS.get((front.country, front.store), {}))
        anchors[cal.BREAKOUT_DAY] = breakout[s]
        anchor_days, anchor_gap = [], []
        for day, rank in sorted(anchors.items()):
            t = day_of[day]
            targets = {ds: rank}
            if s == us_app_store and day == cal.BREAKOUT_DAY:
                targets = {key_index[k]: r for k, r in cal.US_CHART_ON_BREAKOUT.items()}
            placed = _place(
                unit[:, s, t],
                eligible_free[:, s],
                targets,
                lead=leads[s] if s != us_app_store else 3.0,
            )
            for app, value in placed.items():
                if app != ds:
                    unit[app, s, t] = value
            anchor_days.append(t)
            anchor_gap.append(np.log(placed[ds]) - np.log(curve[t]))
        # Between anchors the launch follows the worldwide curve, its offset from the
        # curve interpolated in log space.
        offset = np.interp(np.arange(len(dates)), anchor_days, anchor_gap)
        launch[s] = curve * np.exp(offset)
    unit[ds] = launch

    # Market sizes: each storefront's share of the launch app's downloads follows its
    # natural weight (market size x how high it charted), with the reported country
    # shares imposed and no other country above MAX_OTHER_COUNTRY_SHARE.
    natural = market0 * launch[:, : upto + 1].sum(axis=1)
    countries = sorted({f.country for f in fronts})
    by_country = {
        c: sum(natural[s] for s, f in enumerate(fronts) if f.country == c) for c in countries
    }
    shares = _country_shares(by_country)
    market = np.array(
        [
            shares[f.country]
            * cal.TOTAL_DOWNLOADS
            * (natural[s] / by_country[f.country])
            / launch[s, : upto + 1].sum()
            for s, f in enumerate(fronts)
        ]
    )
    return market, unit


def _country_shares(natural: dict[str, float]) -> dict[str, float]:
    fixed = dict(cal.COUNTRY_SHARES)
    while True:
        rest = {c: w for c, w in natural.items() if c not in fixed}
        budget = 1.0 - sum(fixed.values())
        total = sum(rest.values())
        shares = {c: budget * w / total for c, w in rest.items()}
        over = {c for c, v in shares.items() if v > cal.MAX_OTHER_COUNTRY_SHARE}
        if not over:
            return {**shares, **fixed}
        fixed.update({c: cal.MAX_OTHER_COUNTRY_SHARE for c in over})


def _retention(apps: list[SampleApp], lags: np.ndarray) -> np.ndarray:
    """Share of a day's installers active ``lag`` days later, shape (apps, lags)."""
    loyal = np.array([app.retention for app in apps])[:, None]
    curve = (1 - loyal) * np.exp(-lags[None, :] / _EARLY) + loyal * np.exp(-lags[None, :] / _LATE)
    return _ACTIVE_ON_INSTALL * curve


def _tail(apps: list[SampleApp], t: np.ndarray) -> np.ndarray:
    """Sum of the retention curve over lags > t: the still-active cohorts from before day 0."""
    loyal = np.array([app.retention for app in apps])[:, None]
    geo = lambda tau: np.exp(-(t[None, :] + 1) / tau) / (1 - np.exp(-1 / tau))  # noqa: E731
    return _ACTIVE_ON_INSTALL * ((1 - loyal) * geo(_EARLY) + loyal * geo(_LATE))


def _daily_active_users(apps, downloads: np.ndarray, dates, ds: int) -> np.ndarray:
    n_days = len(dates)
    days = np.arange(n_days)
    kernel = _retention(apps, days)
    dau = np.zeros_like(downloads)
    for lag in range(n_days):
        dau[:, :, lag:] += downloads[:, :, : n_days - lag] * kernel[:, None, lag, None]
    # Cohorts from before the window installed at the first day's rate (kappa = 1), except
    # the launch app, whose prior user base is solved so that its week-over-week DAU
    # growth matches the calibration.
    prior = downloads[:, :, :1] * _tail(apps, days)[:, None, :]
    (now_a, now_b), (then_a, then_b) = cal.DAU_WOW_DAYS
    t0 = dates[0]
    now = [(now_a - t0).days, (now_b - t0).days]
    then = [(then_a - t0).days, (then_b - t0).days]
    conv_now, conv_then = dau[ds][:, now].sum(), dau[ds][:, then].sum()
    prior_now, prior_then = prior[ds][:, now].sum(), prior[ds][:, then].sum()
    growth = 1.0 + cal.DAU_WOW_GROWTH
    kappa = (conv_now - growth * conv_then) / (growth * prior_then - prior_now)
    prior[ds] *= max(kappa, 0.0)
    return dau + prior


def _apps_frame(apps: list[SampleApp]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "app_idx": list(range(len(apps))),
            "key": [a.key for a in apps],
            "name": [a.name for a in apps],
            "developer": [a.developer for a in apps],
            "genre_id": [a.genre_id for a in apps],
            "price": [a.price for a in apps],
            "app_store_id": [a.app_store_id for a in apps],
            "play_id": [a.play_id for a in apps],
            "release": [a.release for a in apps],
        },
        schema_overrides={"app_idx": pl.Int32},
    )


def _long(array: np.ndarray, avail: np.ndarray, name: str) -> pl.DataFrame:
    a_idx, s_idx, t_idx = np.nonzero(np.broadcast_to(avail[:, :, None], array.shape))
    return pl.DataFrame(
        {
            "app_idx": a_idx.astype(np.int32),
            "front": s_idx.astype(np.int32),
            "day": t_idx.astype(np.int32),
            name: array[a_idx, s_idx, t_idx],
        }
    )


def _with_keys(frame: pl.DataFrame, fronts: list[Storefront], dates: list[dt.date]) -> pl.DataFrame:
    """Replace the storefront and day indexes by country, store and date columns."""
    countries = pl.Series([f.country for f in fronts], dtype=pl.String)
    stores = pl.Series([f.store for f in fronts], dtype=pl.String)
    days = pl.Series(dates, dtype=pl.Date)
    return frame.with_columns(
        country=countries.gather(frame["front"]),
        store=stores.gather(frame["front"]),
        date=days.gather(frame["day"]),
    ).drop("front", "day")


def _demand_frame(downloads, dau, revenue, avail, fronts, dates) -> pl.DataFrame:
    frame = _long(downloads, avail, "downloads").with_columns(
        dau=pl.Series(dau[np.broadcast_to(avail[:, :, None], dau.shape)]),
        revenue=pl.Series(revenue[np.broadcast_to(avail[:, :, None], revenue.shape)]),
    )
    return _with_keys(frame, fronts, dates).select(
        "date", "country", "store", "app_idx", "downloads", "dau", "revenue"
    )


def _charts_frame(downloads, revenue, free, avail, fronts, dates) -> pl.DataFrame:
    frames = []
    store_of = np.array([f.store for f in fronts])
    for chart, values, eligible in (
        ("top_free", downloads, free[:, None] & avail),
        ("top_paid", downloads, ~free[:, None] & avail),
        ("top_grossing", revenue, avail & (revenue.max(axis=2) > 0)),
    ):
        score = np.where(eligible[:, :, None], values, -np.inf)
        order = np.argsort(-score, axis=0, kind="stable")  # ties: lower app index first
        for store in ("app_store", "google_play"):
            depth = CHART_DEPTH[(store, chart)]
            cols = np.nonzero(store_of == store)[0]
            top = order[:depth][:, cols, :]  # (rank, fronts of store, days)
            top_score = np.take_along_axis(score[:, cols, :], top, axis=0)
            r_idx, s_idx, t_idx = np.nonzero(np.isfinite(top_score))
            frames.append(
                pl.DataFrame(
                    {
                        "app_idx": top[r_idx, s_idx, t_idx].astype(np.int32),
                        "front": cols[s_idx].astype(np.int32),
                        "day": t_idx.astype(np.int32),
                        "rank": (r_idx + 1).astype(np.int32),
                    }
                ).with_columns(chart=pl.lit(chart))
            )
    return _with_keys(pl.concat(frames), fronts, dates).select(
        "date", "country", "store", "chart", "rank", "app_idx"
    )

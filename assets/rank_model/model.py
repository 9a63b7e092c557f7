"""Chartwatch's own download estimates: a power law from chart rank to downloads,
calibrated on a panel of apps whose downloads are known.

Downloads at rank ``r`` of a chart follow ``d(r) = b * r^(-a)`` (Garg & Telang
2013), for each store, device, chart and country. Taking logs, ``ln d = c - a ln r``
with ``c = ln b``. The fit, on one day's panel observations (a panel app's rank on
an overall chart, with its known downloads that day in that country):

* **exponent** ``a``: one per store, device and chart, shared by every country
  (the within-country least-squares slope, so a country's level does not bias it),
  which may change at ranks 10 and 50 (a broken power law: one ``(a, b)`` per rank
  band, meeting at the band limits); a chart with too few observations fits one
  exponent, and one with too few for that borrows its store's;
* **scale** ``c``: per country, the mean of ``ln d + a ln r`` of its observations,
  shrunk towards a prior (empirical Bayes): the prior is a regression of the fitted
  countries' scales on the log of their market size (``market_sizes.csv``) when
  enough fitted countries have one, or else the mean of the fitted scales. A country
  with few observations leans on the prior; one with none takes it (``method``
  ``market_size`` or ``pooled``) with the prior's spread as its uncertainty;
* **spread** ``sigma``: the residual standard deviation of ``ln d`` per chart and
  rank band (pooled over countries).

The warehouse turns the parameters into estimates (warehouse/models/
17_model_estimates.sql): an app is estimated from the overall chart that predicts
it best (the smallest predictive spread among the charts it is ranked on that
day), the median ``exp(c - a ln r)`` with an 80% interval ``exp(c - a ln r -/+ z s)``,
``s`` combining ``sigma`` and the uncertainty of the country's scale.

Pure functions of Polars frames; the lake assets (assets/lake.py) read their
inputs from the lake and write model_calibration and model_parameters there.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
from pathlib import Path

import numpy as np
import polars as pl

from assets.parsing import conform
from assets.schemas import MODEL_CALIBRATION, MODEL_PARAMETERS
from warehouse.errors import ChartwatchError

# The sample's panel: a fixed share of apps, drawn with a seed (see in_panel).
PANEL_SHARE = 0.10
PANEL_SEED = "chartwatch-panel-1"
# A chart's own exponent needs this many observations; fewer borrow the store's.
MIN_OBS_EXPONENT = 20
# The market-size prior needs this many fitted countries with a known size.
MIN_COUNTRIES_PRIOR = 5
# Floor of the prior's variance of a country's scale (ln units), so a prior that
# fits the fitted countries perfectly never makes an unfitted country certain.
MIN_PRIOR_VAR = 0.05**2
MARKET_SIZES_FILE = Path(__file__).with_name("market_sizes.csv")

# Rank bands: the exponent of the power law may change at their limits (a broken
# power law: the sample's top ranks fall off faster than one exponent allows), and
# each band has its own spread. Ranks past 200 (Google Play) are in the last band.
# (Finer bands at the top, #1 and #2-3 alone, were tried: a 10% panel has one or two
# apps at #1 on a day, too few to fit them, and the backtest did not move.)
BANDS = ((1, 10), (11, 50), (51, 1000))
# ln of the band limits (between ranks): where the curve may bend.
KNOTS = tuple(math.log(lo - 0.5) for lo, _ in BANDS[1:])
# The curves tried in turn, as the knots they bend at: every band's own exponent,
# then one exponent.
_KNOT_SETS = (tuple(range(len(KNOTS))), ())
# A band needs this many observations for its own exponent.
MIN_OBS_BAND = 10

GROUP = ["store", "device", "chart"]
KEY = ["date", "country", "store", "app_id"]


class PanelError(ChartwatchError, ValueError):
    """A panel file that cannot be used."""


def in_panel(store: str, app_id: str, share: float = PANEL_SHARE, seed: str = PANEL_SEED) -> bool:
    """Whether the seeded draw puts the app in the panel: a stable hash of the seed,
    store and app id below ``share``. The same app is in or out on every day, run
    and machine, and a new app does not change anyone else's draw."""
    digest = hashlib.blake2b(f"{seed}\x00{store}\x00{app_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") < share * 2**64


def drawn_panel(apps: pl.DataFrame, share: float = PANEL_SHARE, seed: str = PANEL_SEED):
    """The (store, app_id) of ``apps`` that the seeded draw puts in the panel."""
    unique = apps.select("store", "app_id").unique()
    chosen = [in_panel(s, a, share, seed) for s, a in unique.iter_rows()]
    return unique.filter(pl.Series(chosen, dtype=pl.Boolean)).sort("store", "app_id")


def read_panel_file(path: Path) -> pl.DataFrame:
    """A user's panel: a CSV with the header ``store,app_id`` (their own apps, whose
    true downloads they import into the raw archive as vendor estimates)."""
    try:
        frame = pl.read_csv(path, schema={"store": pl.String, "app_id": pl.String})
    except (OSError, pl.exceptions.PolarsError) as error:
        raise PanelError(
            f"panel file {path} cannot be read ({error}); it must be a CSV with the header"
            " store,app_id (CHARTWATCH_PANEL)"
        ) from error
    bad = frame.filter(
        ~pl.col("store").is_in(["app_store", "google_play"]) | pl.col("app_id").is_null()
    )
    if bad.height:
        store, app_id = bad.row(0)
        raise PanelError(
            f"panel file {path}: row {store},{app_id} is not an app (store is app_store or"
            " google_play, app_id is the store's id)"
        )
    return frame.unique().sort("store", "app_id")


def read_market_sizes(path: Path = MARKET_SIZES_FILE) -> pl.DataFrame:
    """Relative market sizes (store, country, size): a rough public guide to how many
    downloads a storefront sees in a day, used only to place the scale of a country
    without panel data. Lines starting with # are comments."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.reader(line for line in handle if not line.startswith("#")) if r]
    header, *body = rows
    if header != ["store", "country", "size"]:
        raise ValueError(f"{path}: header is {','.join(header)}, expected store,country,size")
    parsed = []
    for row in body:
        try:
            store, country, size = row
            parsed.append((store, country, float(size)))
        except ValueError:
            raise ValueError(
                f"{path}: row {','.join(row)} is not store,country,size with a number as size;"
                " fix or remove it"
            ) from None
        if not parsed[-1][2] > 0:
            raise ValueError(f"{path}: row {','.join(row)}: a market size must be above 0")
    return pl.DataFrame(
        parsed,
        schema={"store": pl.String, "country": pl.String, "size": pl.Float64},
        orient="row",
    )


def overall_fronts(charts: pl.DataFrame) -> pl.DataFrame:
    """The (country, store, device, chart) of the day's overall charts (genre_id null)."""
    return charts.filter(pl.col("genre_id").is_null()).select("country", *GROUP).unique()


def calibration(estimates: pl.DataFrame, panel: pl.DataFrame) -> pl.DataFrame:
    """The panel's known downloads of the day (MODEL_CALIBRATION): the estimates of
    the panel's apps. Those that chart that day enter the fit (``observations``)."""
    return (
        estimates.join(panel.select("store", "app_id"), on=["store", "app_id"], how="semi")
        .filter(pl.col("downloads").is_not_null())
        .select(
            *KEY,
            "app_name",
            "downloads",
            pl.col("source").alias("truth_source"),
            window_start=pl.col("date"),
            window_end=pl.col("date"),
        )
        .sort(KEY)
        .pipe(conform, MODEL_CALIBRATION)
    )


def observations(calibrated: pl.DataFrame, charts: pl.DataFrame) -> pl.DataFrame:
    """(chart, country, ln rank, ln downloads) of every panel app on every overall
    chart of the day, at its best rank there (an app can be listed twice)."""
    known = calibrated.filter(pl.col("downloads") > 0).select(*KEY, "downloads")
    return (
        charts.filter(pl.col("genre_id").is_null())
        .join(known, on=KEY)
        .group_by("date", "country", *GROUP, "app_id")
        .agg(pl.col("rank").min(), pl.col("downloads").first())
        .select(
            "date",
            "country",
            *GROUP,
            x=pl.col("rank").cast(pl.Float64).log(),
            y=pl.col("downloads").cast(pl.Float64).log(),
        )
        .sort("country", *GROUP, "x")  # the same input, the same fit: group order is free
    )


def fit(
    obs: pl.DataFrame,
    fronts: pl.DataFrame,
    market_sizes: pl.DataFrame,
    window: tuple[dt.date, dt.date],
) -> pl.DataFrame:
    """MODEL_PARAMETERS for every (store, device, chart, country) of ``fronts`` (the
    day's charts) and rank band, fitted on ``obs`` (see ``observations``). A chart
    with no observation in any country gets no rows (nothing to scale it by)."""
    curves = _curves(obs)
    # Every join keeps its left side's order and every aggregate sees its rows in a
    # fixed order, so float sums add up the same way on every run: identical inputs
    # give byte-identical parameters.
    levels = obs.with_columns(band=_band(pl.col("x"))).join(
        curves, on=[*GROUP, "band"], maintain_order="left"
    )
    levels = levels.with_columns(
        level=pl.col("y") - pl.col("slope") * pl.col("x") + pl.col("shift")
    )
    countries = (
        levels.group_by(*GROUP, "country")
        .agg(n_obs=pl.len(), raw_scale=pl.col("level").mean())
        .sort(*GROUP, "country")
    )
    residuals = levels.join(countries, on=[*GROUP, "country"], maintain_order="left").with_columns(
        residual=pl.col("level") - pl.col("raw_scale")
    )
    # The residual spread of ln d per rank band, pooled over the chart's countries
    # (degrees of freedom: one per country for its scale, one per band for the curve).
    dof = (
        residuals.group_by(*GROUP)
        .agg(share=1 - (pl.col("country").n_unique() + len(BANDS)) / pl.len())
        .with_columns(pl.col("share").clip(0.1))
    )
    # A band with fewer than MIN_OBS_BAND observations takes the widest spread of the
    # chart's other bands (a handful of observations says little about a spread).
    spread = (
        residuals.group_by(*GROUP, "band")
        .agg(ss=(pl.col("residual") ** 2).sum(), n=pl.len())
        .join(dof, on=GROUP)
        .with_columns(
            sigma=pl.when(pl.col("n") >= MIN_OBS_BAND).then(
                (pl.col("ss") / (pl.col("n") * pl.col("share"))).sqrt()
            )
        )
        .with_columns(widest=pl.col("sigma").max().over(GROUP))
        .select(*GROUP, "band", sigma=pl.col("sigma").fill_null(pl.col("widest")))
    )
    # A chart's overall spread, for a band without observations.
    chart_spread = (
        residuals.group_by(*GROUP)
        .agg(ss=(pl.col("residual") ** 2).sum(), n=pl.len())
        .join(dof, on=GROUP)
        .select(*GROUP, chart_sigma=(pl.col("ss") / (pl.col("n") * pl.col("share"))).sqrt())
    )
    prior = _prior(countries.join(chart_spread, on=GROUP, maintain_order="left"), market_sizes)
    grid = (
        fronts.select("country", *GROUP)
        .unique()
        .join(chart_spread, on=GROUP)
        .join(countries, on=[*GROUP, "country"], how="left")
        .join(market_sizes, on=["store", "country"], how="left")
        .join(prior, on=GROUP)
    )
    sized = pl.col("size").is_not_null() & pl.col("size_slope").is_not_null()
    prior_mean = (
        pl.when(sized)
        .then(pl.col("intercept") + pl.col("size_slope") * pl.col("size").log())
        .otherwise(pl.col("mean_scale"))
    )
    prior_var = pl.when(sized).then(pl.col("size_var")).otherwise(pl.col("pooled_var"))
    n = pl.col("n_obs").fill_null(0)
    precision = n / pl.col("chart_sigma") ** 2 + 1 / pl.col("prior_var")
    scaled = grid.with_columns(prior_mean=prior_mean, prior_var=prior_var).with_columns(
        scale=(
            n * pl.col("raw_scale").fill_null(0) / pl.col("chart_sigma") ** 2
            + pl.col("prior_mean") / pl.col("prior_var")
        )
        / precision,
        scale_se=(1 / precision).sqrt(),
        method=pl.when(n > 0)
        .then(pl.lit("country"))
        .when(sized)
        .then(pl.lit("market_size"))
        .otherwise(pl.lit("pooled")),
    )
    # Within a band, ln d = scale + slope * ln r - shift: a power law of exponent
    # -slope and log scale scale - shift.
    return (
        scaled.join(curves, on=GROUP)
        .join(spread, on=[*GROUP, "band"], how="left")
        .select(
            pl.lit(window[1]).alias("date"),
            "country",
            *GROUP,
            rank_from=pl.col("band").replace_strict(
                dict(enumerate(lo for lo, _ in BANDS)), return_dtype=pl.Int32
            ),
            rank_to=pl.col("band").replace_strict(
                dict(enumerate(hi for _, hi in BANDS)), return_dtype=pl.Int32
            ),
            exponent=-pl.col("slope"),
            log_scale=pl.col("scale") - pl.col("shift"),
            scale=(pl.col("scale") - pl.col("shift")).exp(),
            sigma=pl.col("sigma").fill_null(pl.col("chart_sigma")),
            scale_se="scale_se",
            n_obs=n.cast(pl.Int64),
            method="method",
            window_start=pl.lit(window[0]),
            window_end=pl.lit(window[1]),
        )
        .sort("country", *GROUP, "rank_from")
        .pipe(conform, MODEL_PARAMETERS)
    )


def _band(x: pl.Expr) -> pl.Expr:
    """The rank band (an index into BANDS) of ln rank ``x``."""
    band = pl.lit(0, pl.Int32)
    for knot in KNOTS:
        band = band + (x >= knot).cast(pl.Int32)
    return band


def _curves(obs: pl.DataFrame) -> pl.DataFrame:
    """The shape of each chart's curve, per band: ``slope`` and ``shift`` such that
    ln d = scale + slope * ln r - shift in the band. Least squares of ln d on ln r
    and hinges at the band limits, within countries (each country's mean removed,
    so its level does not bias the shape): every band's own exponent when each band
    has MIN_OBS_BAND observations, else one exponent; a chart with too few observations for that takes its store's."""
    store_slope = {
        store: hinges[0]
        for (store,), group in obs.group_by("store")
        if (hinges := _hinges(group, ())) is not None
    }
    rows = []
    for (store, device, chart), group in obs.group_by(GROUP, maintain_order=True):
        fitted = _hinges(group)
        if fitted is None and store in store_slope:
            fitted = (store_slope[store], [0.0] * len(KNOTS))
        if fitted is None:
            continue
        b1, bends = fitted
        for band in range(len(BANDS)):
            slope = b1 + sum(bends[:band])
            shift = sum(h * k for h, k in zip(bends[:band], KNOTS[:band], strict=True))
            rows.append((store, device, chart, band, slope, shift))
    return pl.DataFrame(
        rows,
        schema={
            "store": pl.String,
            "device": pl.String,
            "chart": pl.String,
            "band": pl.Int32,
            "slope": pl.Float64,
            "shift": pl.Float64,
        },
        orient="row",
    )


def _hinges(
    group: pl.DataFrame, knot_sets: tuple[tuple[int, ...], ...] | tuple[()] = _KNOT_SETS
) -> tuple[float, list[float]] | None:
    """(slope at the top, the change of slope at each knot) of one chart's (or
    store's) observations, with the first of ``knot_sets`` the data supports; None
    when even one exponent cannot be fitted."""
    x = group["x"].to_numpy()
    y = group["y"].to_numpy()
    country = group["country"].to_numpy()
    if len(x) < MIN_OBS_EXPONENT:
        return None
    target = y - _country_means(y[:, None], country)[:, 0]
    for used in knot_sets or ((),):
        segments = np.bincount(np.digitize(x, [KNOTS[i] for i in used]), minlength=len(used) + 1)
        if used and segments.min() < MIN_OBS_BAND:
            continue
        design = np.column_stack([x, *(np.clip(x - KNOTS[i], 0, None) for i in used)])
        design = design - _country_means(design, country)
        if np.linalg.matrix_rank(design) < design.shape[1]:
            continue
        coefficients = np.linalg.lstsq(design, target, rcond=None)[0]
        bends = [0.0] * len(KNOTS)
        for i, value in zip(used, coefficients[1:], strict=True):
            bends[i] = float(value)
        return float(coefficients[0]), bends
    return None


def _country_means(values: np.ndarray, country: np.ndarray) -> np.ndarray:
    """Each row's country mean of ``values`` (one column per variable)."""
    _, index = np.unique(country, return_inverse=True)
    sums = np.zeros((index.max() + 1, values.shape[1]))
    np.add.at(sums, index, values)
    counts = np.bincount(index)[:, None]
    return (sums / counts)[index]


def _prior(countries: pl.DataFrame, market_sizes: pl.DataFrame) -> pl.DataFrame:
    """Per chart: the pooled mean and variance of the fitted countries' scales, and a
    least-squares line of scale on ln(market size) with its residual variance."""
    # Each country's scale is itself noisy (variance sigma^2 / n): only the excess
    # spread between countries is the prior's.
    noise = pl.col("chart_sigma") ** 2 / pl.col("n_obs")
    pooled = countries.group_by(*GROUP).agg(
        mean_scale=pl.col("raw_scale").mean(),
        pooled_var=(pl.col("raw_scale").var(ddof=1).fill_null(0) - noise.mean()).clip(
            MIN_PRIOR_VAR
        ),
    )
    sized = countries.join(
        market_sizes, on=["store", "country"], maintain_order="left"
    ).with_columns(ls=pl.col("size").log())
    line = (
        sized.group_by(*GROUP)
        .agg(
            k=pl.len(),
            size_slope=pl.cov("ls", "raw_scale") / pl.col("ls").var(),
            ls_mean=pl.col("ls").mean(),
            scale_mean=pl.col("raw_scale").mean(),
            noise=noise.mean(),
        )
        .with_columns(intercept=pl.col("scale_mean") - pl.col("size_slope") * pl.col("ls_mean"))
    )
    residual = (
        sized.join(line.select(*GROUP, "size_slope", "intercept"), on=GROUP, maintain_order="left")
        .group_by(*GROUP)
        .agg(
            rss=(
                (pl.col("raw_scale") - pl.col("intercept") - pl.col("size_slope") * pl.col("ls"))
                ** 2
            ).sum()
        )
    )
    line = line.join(residual, on=GROUP).with_columns(
        size_var=(pl.col("rss") / (pl.col("k") - 2).clip(1) - pl.col("noise")).clip(MIN_PRIOR_VAR),
        size_slope=pl.when(
            (pl.col("k") >= MIN_COUNTRIES_PRIOR) & pl.col("size_slope").is_finite()
        ).then("size_slope"),
    )
    return pooled.join(
        line.select(*GROUP, "size_slope", "intercept", "size_var"), on=GROUP, how="left"
    )

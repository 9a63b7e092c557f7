"""Polars schemas of the lake datasets: the columns promised in
docs/warehouse-contract (see README), in the order they are written.

Parsers return frames of exactly these schemas, so every writer and reader of
the lake agrees on names and types.
"""

import polars as pl

CHART_ENTRIES = pl.Schema(
    {
        "date": pl.Date,
        "country": pl.String,
        "store": pl.String,
        "device": pl.String,
        "chart": pl.String,
        "genre_id": pl.String,
        "rank": pl.Int32,
        "app_id": pl.String,
        "app_name": pl.String,
        "developer": pl.String,
        "source": pl.String,
    }
)

APP_ESTIMATES = pl.Schema(
    {
        "date": pl.Date,
        "country": pl.String,
        "store": pl.String,
        "app_id": pl.String,
        "app_name": pl.String,
        "downloads": pl.Int64,
        "dau": pl.Int64,
        "source": pl.String,
    }
)

# Rank histories bought from a vendor (Appfigures): the tracked products' positions
# only, so not charts (ranks are not 1..N); kept apart from chart_entries.
VENDOR_RANKS = pl.Schema(
    {
        "date": pl.Date,
        "country": pl.String,
        "store": pl.String,
        "device": pl.String,
        "chart": pl.String,
        "genre_id": pl.String,
        "app_id": pl.String,
        "rank": pl.Int32,
        "source": pl.String,
    }
)

SEARCH_INTEREST = pl.Schema(
    {
        "date": pl.Date,
        "country": pl.String,
        "source": pl.String,
        "term": pl.String,
        "product": pl.String,
        "interest": pl.Int64,
    }
)

# App metadata as the App Store lists it (iTunes Lookup API), one row per date,
# country (the storefront asked), store and app_id. developer is the seller,
# falling back to the artist; rating_count and average_rating are the storefront's.
APP_METADATA = pl.Schema(
    {
        "date": pl.Date,
        "country": pl.String,
        "store": pl.String,
        "app_id": pl.String,
        "name": pl.String,
        "developer": pl.String,
        "bundle_id": pl.String,
        "genre": pl.String,
        "genre_id": pl.String,
        "price": pl.Float64,
        "currency": pl.String,
        "rating_count": pl.Int64,
        "average_rating": pl.Float64,
        "release_date": pl.Date,
        "version": pl.String,
        "source": pl.String,
    }
)

# The rank -> downloads model (assets/rank_model/model.py). The panel's known
# downloads of a day (those of apps that charted enter the fit), the source of the
# known figure and the date range of the fit.
MODEL_CALIBRATION = pl.Schema(
    {
        "date": pl.Date,
        "country": pl.String,
        "store": pl.String,
        "app_id": pl.String,
        "app_name": pl.String,
        "downloads": pl.Int64,
        "truth_source": pl.String,
        "window_start": pl.Date,
        "window_end": pl.Date,
    }
)

# d(r) = scale * r^(-exponent) for ranks rank_from..rank_to, per store, device,
# chart and country, fitted on the panel of window_start..window_end; sigma is the residual spread of ln d, scale_se
# the uncertainty of ln scale; method: country (fitted on the country's panel
# observations, shrunk to the prior), market_size or pooled (no observations: the
# prior from the market size, or the mean of the fitted countries).
MODEL_PARAMETERS = pl.Schema(
    {
        "date": pl.Date,
        "country": pl.String,
        "store": pl.String,
        "device": pl.String,
        "chart": pl.String,
        "rank_from": pl.Int32,
        "rank_to": pl.Int32,
        "exponent": pl.Float64,
        "log_scale": pl.Float64,
        "scale": pl.Float64,
        "sigma": pl.Float64,
        "scale_se": pl.Float64,
        "n_obs": pl.Int64,
        "method": pl.String,
        "window_start": pl.Date,
        "window_end": pl.Date,
    }
)

# A batch of raw files read from the archive, the input of every parser.
RAW_BATCH = pl.Schema(
    {
        "date": pl.Date,
        "country": pl.String,
        "item": pl.String,
        "path": pl.String,
        "body": pl.String,
    }
)

STORES = ("app_store", "google_play")
DEVICES = ("iphone", "ipad", "android")
CHARTS = ("top_free", "top_paid", "top_grossing")

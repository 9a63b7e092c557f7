-- model_calibration: a copy of the lake's model_calibration dataset.
-- One row per date, country, store, app_id of the panel: the known downloads that
-- calibrated the rank -> downloads model that day (assets/rank_model/model.py; the
-- panel's apps that charted entered the fit), the source of the known figure and
-- the date range of the fit.
--
-- Base table: loaded window by window by build.py.
CREATE TABLE IF NOT EXISTS model_calibration (
    date DATE,
    country VARCHAR,
    store VARCHAR,
    app_id VARCHAR,
    app_name VARCHAR,
    downloads BIGINT,
    truth_source VARCHAR,
    window_start DATE,
    window_end DATE
);

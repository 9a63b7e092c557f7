-- model_parameters: a copy of the lake's model_parameters dataset.
-- One row per date, country, store, device, chart and rank band (rank_from ..
-- rank_to): the power law d(r) = scale * r^(-exponent) fitted on the panel of
-- window_start .. window_end; sigma is the spread of ln downloads around it,
-- scale_se the uncertainty of ln scale, n_obs the country's panel observations on
-- the chart, method how the scale was set ('country': the country's panel, shrunk
-- towards the prior; 'market_size' or 'pooled': no panel app charted there).
--
-- Base table: loaded window by window by build.py.
CREATE TABLE IF NOT EXISTS model_parameters (
    date DATE,
    country VARCHAR,
    store VARCHAR,
    device VARCHAR,
    chart VARCHAR,
    rank_from INTEGER,
    rank_to INTEGER,
    exponent DOUBLE,
    log_scale DOUBLE,
    scale DOUBLE,
    sigma DOUBLE,
    scale_se DOUBLE,
    n_obs BIGINT,
    method VARCHAR,
    window_start DATE,
    window_end DATE
);

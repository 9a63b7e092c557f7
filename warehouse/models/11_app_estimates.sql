-- app_estimates: a copy of the lake's app_estimates dataset, all columns.
-- One row per date, country, store, app_id: the estimated downloads and daily
-- active users (dau, null when unknown) of one app in one storefront on one day;
-- source says where the estimate came from ('model' = Chartwatch's own model).
--
-- Base table: declared here, loaded window by window by build.py (delete the
-- window's dates, insert them from the staged temp table lake_app_estimates).
CREATE TABLE IF NOT EXISTS app_estimates (
    date DATE,
    country VARCHAR,
    store VARCHAR,
    app_id VARCHAR,
    app_name VARCHAR,
    downloads BIGINT,
    dau BIGINT,
    source VARCHAR
);

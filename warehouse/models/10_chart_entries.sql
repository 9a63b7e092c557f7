-- chart_entries: a copy of the lake's chart_entries dataset, all columns.
-- One row per date, country, store, device, chart, genre_id (null = all genres), rank.
--
-- Base table: this file only declares it (types as in assets/schemas.py). build.py
-- loads it window by window: it deletes the window's dates, then inserts them from
-- the lake Parquet (staged as the temp table lake_chart_entries). Columns the lake
-- gains later are added by build.py, so the table stays a copy of the lake.
CREATE TABLE IF NOT EXISTS chart_entries (
    date DATE,
    country VARCHAR,
    store VARCHAR,
    device VARCHAR,
    chart VARCHAR,
    genre_id VARCHAR,
    rank INTEGER,
    app_id VARCHAR,
    app_name VARCHAR,
    developer VARCHAR,
    source VARCHAR
);

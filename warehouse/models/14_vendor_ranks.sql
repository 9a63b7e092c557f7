-- vendor_ranks: a copy of the lake's vendor_ranks dataset (Appfigures rank histories).
-- One row per date, country, store, device, chart, genre_id (null = all genres), app_id.
--
-- Base table: declared here, loaded window by window by build.py like chart_entries.
-- These are the tracked products' positions only (not whole charts), so they are kept
-- apart from chart_entries; they fill the days before Chartwatch captured any chart.
CREATE TABLE IF NOT EXISTS vendor_ranks (
    date DATE,
    country VARCHAR,
    store VARCHAR,
    device VARCHAR,
    chart VARCHAR,
    genre_id VARCHAR,
    app_id VARCHAR,
    rank INTEGER,
    source VARCHAR
);

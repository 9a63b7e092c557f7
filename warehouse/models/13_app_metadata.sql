-- app_metadata: a copy of the lake's app_metadata dataset, all columns.
-- One row per date, country, store, app_id: the App Store listing of one app as
-- the iTunes Lookup API showed it on that day in that storefront (country is the
-- storefront asked): name, seller (developer), bundle id, primary genre, price,
-- the storefront's rating count and average, release date and current version.
-- Apps the store does not know on that day have no row.
--
-- Base table: declared here, loaded window by window by build.py (delete the
-- window's dates, insert them from the staged temp table lake_app_metadata). A
-- lake without the dataset (lookups never fetched) leaves it empty.
CREATE TABLE IF NOT EXISTS app_metadata (
    date DATE,
    country VARCHAR,
    store VARCHAR,
    app_id VARCHAR,
    name VARCHAR,
    developer VARCHAR,
    bundle_id VARCHAR,
    genre VARCHAR,
    genre_id VARCHAR,
    price DOUBLE,
    currency VARCHAR,
    rating_count BIGINT,
    average_rating DOUBLE,
    release_date DATE,
    version VARCHAR,
    source VARCHAR
);

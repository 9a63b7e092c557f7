-- search_interest: a copy of the lake's search_interest dataset, all columns.
-- One row per date, country ('ww' when the source has no country), source, term:
-- the interest (page views or search volume, as the source counts) in one term,
-- already mapped to its product.
--
-- Base table: declared here, loaded window by window by build.py (delete the
-- window's dates, insert them from the staged temp table lake_search_interest).
CREATE TABLE IF NOT EXISTS search_interest (
    date DATE,
    country VARCHAR,
    source VARCHAR,
    term VARCHAR,
    product VARCHAR,
    interest BIGINT
);

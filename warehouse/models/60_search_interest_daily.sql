-- search_interest_daily: a product's search interest, summed over countries and
-- editions (e.g. all Wikipedia languages of its articles).
-- One row per date, product, source. Terms not mapped to a product are left out.
--
-- Incremental (see warehouse/build.py): a build recomputes the days from
-- build_since() to build_until().
CREATE TABLE IF NOT EXISTS search_interest_daily (
    date DATE,
    product VARCHAR,
    source VARCHAR,
    interest BIGINT,
    terms BIGINT
);

DELETE FROM search_interest_daily WHERE date BETWEEN build_since() AND build_until();

INSERT INTO search_interest_daily
SELECT
    date,
    product,
    source,
    CAST(sum(interest) AS BIGINT) AS interest,
    count(DISTINCT term) AS terms
FROM search_interest
WHERE product IS NOT NULL AND date BETWEEN build_since() AND build_until()
GROUP BY date, product, source;

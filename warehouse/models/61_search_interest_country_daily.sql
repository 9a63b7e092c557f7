-- search_interest_country_daily: a product's search interest by country, summed over
-- the language editions of its article (Wikimedia's pageviews per country).
-- One row per date, product, country, source. Worldwide counts (country 'ww') and
-- terms not mapped to a product are left out; a country whose count did not pass the
-- source's release threshold that day has no row (absent is not zero).
--
-- Incremental (see warehouse/build.py): a build recomputes the days from
-- build_since() to build_until().
CREATE TABLE IF NOT EXISTS search_interest_country_daily (
    date DATE,
    product VARCHAR,
    country VARCHAR,
    source VARCHAR,
    interest BIGINT,
    terms BIGINT
);

DELETE FROM search_interest_country_daily WHERE date BETWEEN build_since() AND build_until();

INSERT INTO search_interest_country_daily
SELECT
    date,
    product,
    country,
    source,
    CAST(sum(interest) AS BIGINT) AS interest,
    count(DISTINCT term) AS terms
FROM search_interest
WHERE product IS NOT NULL AND country <> 'ww'
    AND date BETWEEN build_since() AND build_until()
GROUP BY date, product, country, source;

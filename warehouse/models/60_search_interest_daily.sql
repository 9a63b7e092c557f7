-- search_interest_daily: a product's search interest, summed over countries and
-- editions (e.g. all Wikipedia languages of its articles).
-- One row per date, product, source. Terms not mapped to a product are left out.
CREATE OR REPLACE TABLE search_interest_daily AS
SELECT
    date,
    product,
    source,
    CAST(sum(interest) AS BIGINT) AS interest,
    count(DISTINCT term) AS terms
FROM search_interest
WHERE product IS NOT NULL
GROUP BY date, product, source
ORDER BY product, source, date;

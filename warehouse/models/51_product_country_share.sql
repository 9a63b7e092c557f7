-- product_country_share: where a product's downloads came from, all time to date.
-- One row per date, product, country: every date of product_downloads_daily, and
-- every country with an estimate for the product on or before that date.
--
-- downloads_to_date is the country's cumulative downloads through date (carried
-- over days without an estimate, as the grid has every day); share is its part of
-- the product's downloads to date, so the shares of one date and product sum to 1
-- (null while the product has no downloads at all).
CREATE OR REPLACE TABLE product_country_share AS
WITH country_daily AS (
    SELECT e.date, a.product, e.country, sum(e.downloads) AS downloads
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    GROUP BY e.date, a.product, e.country
),

country_first_day AS (
    SELECT product, country, min(date) AS first_date
    FROM country_daily
    GROUP BY product, country
),

to_date AS (
    SELECT
        p.date,
        p.product,
        f.country,
        coalesce(
            sum(c.downloads) OVER (PARTITION BY p.product, f.country ORDER BY p.date), 0
        ) AS downloads_to_date
    FROM product_downloads_daily AS p
    JOIN country_first_day AS f ON f.product = p.product AND f.first_date <= p.date
    LEFT JOIN country_daily AS c
        ON c.product = p.product AND c.country = f.country AND c.date = p.date
)

SELECT
    date,
    product,
    country,
    CAST(downloads_to_date AS BIGINT) AS downloads_to_date,
    downloads_to_date / nullif(sum(downloads_to_date) OVER (PARTITION BY date, product), 0)
        AS share
FROM to_date;

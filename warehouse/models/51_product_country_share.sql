-- product_country_share: where a product's downloads came from, all time to date.
-- One row per date, product, country: every date of product_downloads_daily, and
-- every country with an estimate for the product on or before that date.
--
-- downloads_to_date is the country's cumulative downloads through date (carried
-- over days without an estimate, as the grid has every day); share is its part of
-- the product's downloads to date, so the shares of one date and product sum to 1
-- (null while the product has no downloads at all).
--
-- Incremental (see warehouse/build.py): a build recomputes the days from
-- build_since() to build_until(), and every day of the products whose apps changed
-- (changed_products). Every product's days run to the same last day, so the totals
-- carry on from the last kept day.
CREATE TABLE IF NOT EXISTS product_country_share (
    date DATE,
    product VARCHAR,
    country VARCHAR,
    downloads_to_date BIGINT,
    share DOUBLE
);

DELETE FROM product_country_share
WHERE
    date BETWEEN build_since() AND build_until()
    OR (date <= build_until() AND product IN (SELECT product FROM changed_products));

INSERT INTO product_country_share
WITH kept_day AS (
    SELECT max(date) AS date FROM product_country_share WHERE date < build_since()
),

-- The countries' totals on the last kept day.
kept AS (
    SELECT s.product, s.country, s.downloads_to_date
    FROM product_country_share AS s
    JOIN kept_day AS k ON s.date = k.date
),

kept_products AS (
    SELECT DISTINCT product FROM kept
),

-- The rebuilt days: a kept product's days after the last kept day, every day of
-- another product.
days AS (
    SELECT p.date, p.product
    FROM product_downloads_daily AS p
    LEFT JOIN kept_products AS k ON k.product = p.product
    WHERE
        p.date <= build_until()
        AND (k.product IS NULL OR p.date > (SELECT date FROM kept_day))
),

-- The estimates of the rebuilt days: the scope's, and every day of a changed
-- product. (The days between the last kept day and build_since() have none: the
-- tables were complete for the days before build_since().)
estimates AS (
    SELECT e.date, a.product, e.country, e.downloads
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    WHERE e.date BETWEEN build_since() AND build_until()
    UNION ALL
    SELECT e.date, a.product, e.country, e.downloads
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    JOIN changed_products AS c ON c.product = a.product
    WHERE e.date < build_since()
),

country_daily AS (
    SELECT date, product, country, sum(downloads) AS downloads
    FROM estimates
    GROUP BY date, product, country
),

countries AS (
    SELECT product, country, min(first_date) AS first_date, sum(base) AS base
    FROM (
        SELECT product, country, DATE '-infinity' AS first_date, downloads_to_date AS base
        FROM kept
        UNION ALL
        SELECT product, country, min(date) AS first_date, 0 AS base
        FROM country_daily
        GROUP BY product, country
    )
    GROUP BY product, country
),

to_date AS (
    SELECT
        d.date,
        d.product,
        c.country,
        c.base + coalesce(
            sum(cd.downloads) OVER (PARTITION BY d.product, c.country ORDER BY d.date), 0
        ) AS downloads_to_date
    FROM days AS d
    JOIN countries AS c ON c.product = d.product AND c.first_date <= d.date
    LEFT JOIN country_daily AS cd
        ON cd.product = d.product AND cd.country = c.country AND cd.date = d.date
)

SELECT
    date,
    product,
    country,
    CAST(downloads_to_date AS BIGINT) AS downloads_to_date,
    downloads_to_date / nullif(sum(downloads_to_date) OVER (PARTITION BY date, product), 0)
        AS share
FROM to_date;

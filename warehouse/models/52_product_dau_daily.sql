-- product_dau_daily: a product's daily active users, all countries and both stores,
-- against the same weekday a week earlier.
-- One row per date, product (the days with estimates for the product).
--
-- dau sums the known values (null when no estimate of the day knows the DAU).
-- dau_7d_ago is the value on date - 7, null when that day has none;
-- wow_growth = dau / dau_7d_ago - 1, null when either is unknown or the base is 0.
--
-- Incremental (see warehouse/build.py): a build recomputes the days from
-- build_since() to build_until(), reading estimates from a week before, and every
-- day of the products whose apps changed (changed_products).
CREATE TABLE IF NOT EXISTS product_dau_daily (
    date DATE,
    product VARCHAR,
    dau BIGINT,
    dau_7d_ago BIGINT,
    wow_growth DOUBLE
);

DELETE FROM product_dau_daily
WHERE
    date BETWEEN build_since() AND build_until()
    OR (date <= build_until() AND product IN (SELECT product FROM changed_products));

INSERT INTO product_dau_daily
WITH estimates AS (
    SELECT e.date, a.product, e.dau
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    WHERE e.date BETWEEN build_since() - 7 AND build_until()
    UNION ALL
    SELECT e.date, a.product, e.dau
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    JOIN changed_products AS c ON c.product = a.product
    WHERE e.date < build_since() - 7
),

daily AS (
    SELECT date, product, CAST(sum(dau) AS BIGINT) AS dau
    FROM estimates
    GROUP BY date, product
)

SELECT
    d.date,
    d.product,
    d.dau,
    week_before.dau AS dau_7d_ago,
    d.dau / nullif(week_before.dau, 0) - 1 AS wow_growth
FROM daily AS d
LEFT JOIN daily AS week_before
    ON week_before.product = d.product AND week_before.date = d.date - 7
LEFT JOIN changed_products AS c ON c.product = d.product
WHERE d.date <= build_until() AND (d.date >= build_since() OR c.product IS NOT NULL);

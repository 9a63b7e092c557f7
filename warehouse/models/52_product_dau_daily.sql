-- product_dau_daily: a product's daily active users, all countries and both stores,
-- against the same weekday a week earlier.
-- One row per date, product (the days with estimates for the product).
--
-- dau sums the known values (null when no estimate of the day knows the DAU).
-- dau_7d_ago is the value on date - 7, null when that day has none;
-- wow_growth = dau / dau_7d_ago - 1, null when either is unknown or the base is 0.
CREATE OR REPLACE TABLE product_dau_daily AS
WITH daily AS (
    SELECT e.date, a.product, CAST(sum(e.dau) AS BIGINT) AS dau
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    GROUP BY e.date, a.product
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
ORDER BY d.product, d.date;

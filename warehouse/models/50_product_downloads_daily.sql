-- product_downloads_daily: a product's downloads, all countries and both stores.
-- One row per date, product, for every calendar day from the product's first day
-- with estimates to the last day of app_estimates in the lake.
--
-- A day without any estimate for the product keeps its row with downloads null:
-- cumulative_downloads carries over and downloads_last_7d (the 7 calendar days
-- ending on date, a RANGE frame so it never reaches past 7 days) sums the days
-- that have data. This way every date has the figures "as of" that day.
-- share_last_7d = downloads_last_7d / cumulative_downloads (null while nothing was
-- downloaded). estimated is true when any of the day's estimates was modelled
-- (source 'model') rather than imported.
CREATE OR REPLACE TABLE product_downloads_daily AS
WITH daily AS (
    SELECT
        e.date,
        a.product,
        sum(e.downloads) AS downloads,
        bool_or(e.source = 'model') AS estimated
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    GROUP BY e.date, a.product
),

calendar AS (
    SELECT
        product,
        CAST(unnest(range(min(date), (SELECT max(date) FROM daily) + 1, INTERVAL 1 DAY)) AS DATE)
            AS date
    FROM daily
    GROUP BY product
),

running AS (
    SELECT
        c.date,
        c.product,
        d.downloads,
        coalesce(sum(d.downloads) OVER to_date, 0) AS cumulative_downloads,
        coalesce(sum(d.downloads) OVER last_7_days, 0) AS downloads_last_7d,
        coalesce(d.estimated, FALSE) AS estimated
    FROM calendar AS c
    LEFT JOIN daily AS d ON d.product = c.product AND d.date = c.date
    WINDOW
        to_date AS (PARTITION BY c.product ORDER BY c.date),
        last_7_days AS (
            PARTITION BY c.product ORDER BY c.date
            RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW
        )
)

SELECT
    date,
    product,
    CAST(downloads AS BIGINT) AS downloads,
    CAST(cumulative_downloads AS BIGINT) AS cumulative_downloads,
    CAST(downloads_last_7d AS BIGINT) AS downloads_last_7d,
    downloads_last_7d / nullif(cumulative_downloads, 0) AS share_last_7d,
    estimated
FROM running
ORDER BY product, date;

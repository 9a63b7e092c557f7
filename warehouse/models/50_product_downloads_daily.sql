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
--
-- The _low and _high columns bound each figure with the 80% intervals of its
-- modelled inputs (a known figure is its own bound). They add the apps' and days'
-- bounds, as if every error pointed the same way: a model error is shared by the
-- apps of a chart and persists from day to day, so this is the honest side to err
-- on (make backtest reports how often the bounds hold).
--
-- Incremental (see warehouse/build.py): a build recomputes the days from
-- build_since() to build_until(), and every day of the products whose apps changed
-- (changed_products). The running figures carry on from each product's last kept
-- day, and the 7-day sums read the kept days they reach back to.
CREATE TABLE IF NOT EXISTS product_downloads_daily (
    date DATE,
    product VARCHAR,
    downloads BIGINT,
    cumulative_downloads BIGINT,
    downloads_last_7d BIGINT,
    share_last_7d DOUBLE,
    estimated BOOLEAN,
    downloads_low BIGINT,
    downloads_high BIGINT,
    cumulative_low BIGINT,
    cumulative_high BIGINT,
    downloads_last_7d_low BIGINT,
    downloads_last_7d_high BIGINT
);

DELETE FROM product_downloads_daily
WHERE
    date BETWEEN build_since() AND build_until()
    OR (date <= build_until() AND product IN (SELECT product FROM changed_products));

INSERT INTO product_downloads_daily
WITH estimates AS (
    SELECT
        e.date,
        a.product,
        e.downloads,
        e.source,
        coalesce(e.downloads_low, e.downloads) AS low,
        coalesce(e.downloads_high, e.downloads) AS high
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    WHERE e.date BETWEEN build_since() AND build_until()
    UNION ALL
    SELECT
        e.date,
        a.product,
        e.downloads,
        e.source,
        coalesce(e.downloads_low, e.downloads) AS low,
        coalesce(e.downloads_high, e.downloads) AS high
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    JOIN changed_products AS c ON c.product = a.product
    WHERE e.date < build_since()
),

daily AS (
    SELECT
        date,
        product,
        sum(downloads) AS downloads,
        bool_or(source = 'model') AS estimated,
        sum(low) AS low,
        sum(high) AS high
    FROM estimates
    GROUP BY date, product
),

-- Each product's last kept day (the rows before the rebuilt ones) and its total then.
kept AS (
    SELECT
        product,
        max(date) AS last_date,
        arg_max(cumulative_downloads, date) AS cumulative,
        arg_max(cumulative_low, date) AS cumulative_low,
        arg_max(cumulative_high, date) AS cumulative_high
    FROM product_downloads_daily
    WHERE date < build_since()
    GROUP BY product
),

-- The first rebuilt day of each product: the day after its last kept day (so days
-- between builds are filled), or its first day with estimates.
starts AS (
    SELECT product, min(start) AS start
    FROM (
        SELECT product, last_date + 1 AS start FROM kept
        UNION ALL
        SELECT product, min(date) AS start FROM daily GROUP BY product
    )
    GROUP BY product
),

calendar AS (
    SELECT
        s.product,
        CAST(unnest(range(s.start, l.last_day + 1, INTERVAL 1 DAY)) AS DATE) AS date
    FROM starts AS s
    CROSS JOIN (
        SELECT least(max(date), build_until()) AS last_day
        FROM app_estimates
        WHERE app_id IS NOT NULL
    ) AS l
),

series AS (
    SELECT
        c.date,
        c.product,
        d.downloads,
        coalesce(d.estimated, FALSE) AS estimated,
        d.low,
        d.high,
        TRUE AS rebuilt
    FROM calendar AS c
    LEFT JOIN daily AS d ON d.product = c.product AND d.date = c.date
    UNION ALL
    -- The kept days the 7-day sums of the first rebuilt days reach back to.
    SELECT
        p.date,
        p.product,
        p.downloads,
        p.estimated,
        p.downloads_low,
        p.downloads_high,
        FALSE AS rebuilt
    FROM product_downloads_daily AS p
    JOIN starts AS s ON s.product = p.product
    WHERE p.date BETWEEN s.start - 6 AND s.start - 1
),

running AS (
    SELECT
        s.date,
        s.product,
        s.downloads,
        s.rebuilt,
        coalesce(k.cumulative, 0)
        + coalesce(sum(CASE WHEN s.rebuilt THEN s.downloads END) OVER to_date, 0)
            AS cumulative_downloads,
        coalesce(sum(s.downloads) OVER last_7_days, 0) AS downloads_last_7d,
        s.estimated,
        s.low,
        s.high,
        coalesce(k.cumulative_low, 0)
        + coalesce(sum(CASE WHEN s.rebuilt THEN s.low END) OVER to_date, 0) AS cumulative_low,
        coalesce(k.cumulative_high, 0)
        + coalesce(sum(CASE WHEN s.rebuilt THEN s.high END) OVER to_date, 0) AS cumulative_high,
        coalesce(sum(s.low) OVER last_7_days, 0) AS last_7d_low,
        coalesce(sum(s.high) OVER last_7_days, 0) AS last_7d_high
    FROM series AS s
    LEFT JOIN kept AS k ON k.product = s.product
    WINDOW
        to_date AS (PARTITION BY s.product ORDER BY s.date),
        last_7_days AS (
            PARTITION BY s.product ORDER BY s.date
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
    estimated,
    CAST(low AS BIGINT) AS downloads_low,
    CAST(high AS BIGINT) AS downloads_high,
    CAST(cumulative_low AS BIGINT) AS cumulative_low,
    CAST(cumulative_high AS BIGINT) AS cumulative_high,
    CAST(last_7d_low AS BIGINT) AS downloads_last_7d_low,
    CAST(last_7d_high AS BIGINT) AS downloads_last_7d_high
FROM running
WHERE rebuilt;

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
    estimated BOOLEAN
);

DELETE FROM product_downloads_daily
WHERE
    date BETWEEN build_since() AND build_until()
    OR (date <= build_until() AND product IN (SELECT product FROM changed_products));

INSERT INTO product_downloads_daily
WITH estimates AS (
    SELECT e.date, a.product, e.downloads, e.source
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    WHERE e.date BETWEEN build_since() AND build_until()
    UNION ALL
    SELECT e.date, a.product, e.downloads, e.source
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    JOIN changed_products AS c ON c.product = a.product
    WHERE e.date < build_since()
),

daily AS (
    SELECT date, product, sum(downloads) AS downloads, bool_or(source = 'model') AS estimated
    FROM estimates
    GROUP BY date, product
),

-- Each product's last kept day (the rows before the rebuilt ones) and its total then.
kept AS (
    SELECT product, max(date) AS last_date, arg_max(cumulative_downloads, date) AS cumulative
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
        TRUE AS rebuilt
    FROM calendar AS c
    LEFT JOIN daily AS d ON d.product = c.product AND d.date = c.date
    UNION ALL
    -- The kept days the 7-day sums of the first rebuilt days reach back to.
    SELECT p.date, p.product, p.downloads, p.estimated, FALSE AS rebuilt
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
        s.estimated
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
    estimated
FROM running
WHERE rebuilt;

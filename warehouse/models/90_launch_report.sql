-- launch_report(p_product, p_date, p_vs): the figures that explain a product's
-- launch, as of the morning of p_date, compared with the product p_vs.
-- One row per figure, store (null when the figure covers both stores) and position
-- (the order of rows within a figure: the day of a trajectory, a country's place).
--
-- Columns: figure (a stable id), store, value (DOUBLE), as_of (the day the value
-- describes), detail (human text: a country, a product, '31 -> 1'), position, and
-- product (the product the value is about: p_vs for its own downloads_last_7d row);
-- estimated (true when a download figure rests on the rank model, source 'model',
-- for any app, country or day it sums); modelled_share: how much of it rests on the
-- model, the part of the downloads it sums (for a ratio: of its numerator's and
-- denominator's downloads together) that are the model's (0 when none, null for a
-- figure that sums no downloads: ranks, DAU, search interest); and low, high: its
-- 80% bounds (null for a figure with no modelled input). Bounds of sums add the
-- inputs' bounds; bounds of ratios divide a bound by the other end's.
--
-- The report is read on the morning of D = p_date: charts are those of D (captured
-- that morning), downloads use the complete days through D - 1, and DAU the latest
-- two settled days (estimates settle two days after the fact): D - 3 .. D - 2 against
-- the same weekdays a week earlier, D - 10 .. D - 9. Search interest is the week
-- D .. D + 6, worldwide (source wikimedia) and by country (wikimedia_country: the
-- countries whose readers viewed its articles most that week, beside the countries
-- of its downloads). Figures are generic SQL over the warehouse tables, for any
-- product.
--
--   SELECT * FROM launch_report('deepseek', DATE '2025-01-27', 'perplexity');
CREATE OR REPLACE MACRO launch_report(p_product, p_date, p_vs) AS TABLE
WITH params AS (
    SELECT
        CAST(p_product AS VARCHAR) AS product,
        CAST(p_date AS DATE) AS report_date,
        CAST(p_vs AS VARCHAR) AS vs
),

-- The chart a store's figures read: the overall top-free chart of its phone device.
store_charts AS (
    SELECT store, device
    FROM (VALUES ('app_store', 'iphone'), ('google_play', 'android')) AS t (store, device)
),

-- The product's best rank (over its apps) per store, country and day, for the days
-- the rank figures look at (the week to D, and up to 3 days before its first day).
product_ranks AS (
    SELECT h.store, h.country, h.date, min(h.rank) AS rank
    FROM app_rank_history AS h
    JOIN store_charts AS s ON s.store = h.store AND s.device = h.device
    JOIN params AS p
        ON h.product = p.product
        AND h.date BETWEEN p.report_date - 9 AND p.report_date
    WHERE h.chart = 'top_free'
    GROUP BY h.store, h.country, h.date
),

chart_reach AS (
    SELECT
        s.store,
        s.device,
        count(r.country) FILTER (WHERE r.rank = 1) AS countries_rank_1,
        count(r.country) FILTER (WHERE r.rank <= 10) AS countries_top_10
    FROM store_charts AS s
    CROSS JOIN params AS p
    LEFT JOIN product_ranks AS r ON r.store = s.store AND r.date = p.report_date
    GROUP BY s.store, s.device
),

-- The days the warehouse has the US chart a store's figures read: a day without it
-- is "no data", not "not charting".
us_chart_days AS (
    SELECT DISTINCT c.store, c.date
    FROM chart_entries AS c
    JOIN store_charts AS s ON s.store = c.store AND s.device = c.device
    CROSS JOIN params AS p
    WHERE c.country = 'us' AND c.chart = 'top_free' AND c.genre_id IS NULL
        AND c.date BETWEEN p.report_date - 9 AND p.report_date
),

-- The US rank on each of the 7 days D - 6 .. D (null when not charting), and whether
-- the chart of the day is in the warehouse at all.
us_trajectory AS (
    SELECT
        s.store,
        p.report_date + CAST(o.day_offset AS INTEGER) AS date,
        CAST(o.day_offset + 7 AS INTEGER) AS position,
        r.rank,
        d.date IS NOT NULL AS captured
    FROM store_charts AS s
    CROSS JOIN params AS p
    CROSS JOIN range(-6, 1) AS o (day_offset)
    LEFT JOIN product_ranks AS r
        ON r.store = s.store
        AND r.country = 'us'
        AND r.date = p.report_date + CAST(o.day_offset AS INTEGER)
    LEFT JOIN us_chart_days AS d
        ON d.store = s.store AND d.date = p.report_date + CAST(o.day_offset AS INTEGER)
),

-- The peak: the best US rank of the week and the first day it was reached.
us_peak AS (
    SELECT
        store,
        min(rank) AS best_rank,
        arg_min(date, (rank, date)) FILTER (WHERE rank IS NOT NULL) AS peak_date
    FROM us_trajectory
    GROUP BY store
),

us_before_peak AS (
    SELECT k.store, k.best_rank, k.peak_date, k.peak_date - 3 AS date, r.rank
    FROM us_peak AS k
    LEFT JOIN product_ranks AS r
        ON r.store = k.store AND r.country = 'us' AND r.date = k.peak_date - 3
),

-- Downloads through D - 1 of the product (position 1) and of p_vs (position 2).
subjects AS (
    SELECT product, 1 AS position FROM params
    UNION ALL
    SELECT vs AS product, 2 AS position FROM params
),

-- The subjects' downloads per day through D - 1, and the part of them the rank
-- model estimated (its rows of app_estimates, source 'model').
subject_days AS (
    SELECT
        a.product,
        e.date,
        sum(e.downloads) AS downloads,
        coalesce(sum(e.downloads) FILTER (WHERE e.source = 'model'), 0) AS model_downloads,
        bool_or(e.source = 'model') AS modelled
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    JOIN subjects AS s ON s.product = a.product
    CROSS JOIN params AS p
    WHERE e.date <= p.report_date - 1
    GROUP BY a.product, e.date
),

-- Whether any day's downloads to D - 1 (and of its last 7 days) were modelled, and
-- how many of them.
modelled AS (
    SELECT
        d.product,
        coalesce(bool_or(d.modelled), FALSE) AS modelled_to_date,
        coalesce(bool_or(d.modelled) FILTER (WHERE d.date >= p.report_date - 7), FALSE)
            AS modelled_last_7d,
        sum(d.downloads) AS downloads_to_date,
        sum(d.model_downloads) AS model_to_date,
        coalesce(sum(d.downloads) FILTER (WHERE d.date >= p.report_date - 7), 0)
            AS downloads_last_7d,
        coalesce(sum(d.model_downloads) FILTER (WHERE d.date >= p.report_date - 7), 0)
            AS model_last_7d
    FROM subject_days AS d
    CROSS JOIN params AS p
    GROUP BY d.product
),

downloads_to_yesterday AS (
    SELECT
        s.product,
        s.position,
        p.report_date - 1 AS as_of,
        d.cumulative_downloads,
        d.downloads_last_7d,
        d.share_last_7d,
        d.cumulative_low,
        d.cumulative_high,
        d.downloads_last_7d_low,
        d.downloads_last_7d_high,
        f.modelled_to_date,
        f.modelled_last_7d,
        f.model_to_date / nullif(f.downloads_to_date, 0) AS modelled_share_to_date,
        f.model_last_7d / nullif(f.downloads_last_7d, 0) AS modelled_share_last_7d,
        f.model_last_7d AS model_downloads_last_7d,
        f.downloads_last_7d AS all_downloads_last_7d
    FROM subjects AS s
    CROSS JOIN params AS p
    LEFT JOIN product_downloads_daily AS d
        ON d.product = s.product AND d.date = p.report_date - 1
    LEFT JOIN modelled AS f ON f.product = s.product
),

-- The largest power of ten not above the cumulative downloads (exact: from the
-- number of digits), and the first day the cumulative reached it.
milestone AS (
    SELECT
        product,
        as_of,
        CASE
            WHEN cumulative_downloads >= 1
                THEN CAST(10 ** (length(CAST(cumulative_downloads AS VARCHAR)) - 1) AS BIGINT)
        END AS milestone
    FROM downloads_to_yesterday
    WHERE position = 1
),

milestone_reached AS (
    SELECT
        m.product,
        m.milestone,
        min(d.date) AS date,
        arg_min(d.cumulative_downloads, d.date) AS cumulative_downloads,
        arg_min(d.cumulative_low, d.date) AS cumulative_low,
        arg_min(d.cumulative_high, d.date) AS cumulative_high
    FROM milestone AS m
    LEFT JOIN product_downloads_daily AS d
        ON d.product = m.product
        AND d.cumulative_downloads >= m.milestone
        AND d.date <= m.as_of
    GROUP BY m.product, m.milestone
),

-- The modelled part of the downloads through the day the milestone was reached.
milestone_modelled AS (
    SELECT
        r.product,
        sum(d.model_downloads) / nullif(sum(d.downloads), 0) AS modelled_share
    FROM milestone_reached AS r
    JOIN subject_days AS d ON d.product = r.product AND d.date <= r.date
    GROUP BY r.product
),

dau_weeks AS (
    SELECT
        p.product,
        p.report_date,
        sum(d.dau) FILTER (WHERE d.date BETWEEN p.report_date - 3 AND p.report_date - 2)
            AS dau_settled,
        sum(d.dau) FILTER (WHERE d.date BETWEEN p.report_date - 10 AND p.report_date - 9)
            AS dau_week_before
    FROM params AS p
    LEFT JOIN product_dau_daily AS d
        ON d.product = p.product
        AND d.date BETWEEN p.report_date - 10 AND p.report_date - 2
    GROUP BY p.product, p.report_date
),

-- Each country's downloads to D - 1 with their bounds, for the bounds of the top
-- countries' shares: a country at its low end while the rest are at their high end,
-- and the other way round.
country_bounds AS (
    SELECT
        e.country,
        sum(e.downloads) AS downloads,
        sum(coalesce(e.downloads_low, e.downloads)) AS low,
        sum(coalesce(e.downloads_high, e.downloads)) AS high,
        bool_or(e.source = 'model') AS modelled,
        coalesce(sum(e.downloads) FILTER (WHERE e.source = 'model'), 0) AS model_downloads
    FROM app_estimates AS e
    JOIN apps AS a ON a.store = e.store AND a.app_id = e.app_id
    JOIN params AS p ON a.product = p.product AND e.date <= p.report_date - 1
    GROUP BY e.country
),

country_totals AS (
    SELECT
        sum(low) AS low,
        sum(high) AS high,
        bool_or(modelled) AS modelled,
        sum(model_downloads) / nullif(sum(downloads), 0) AS modelled_share
    FROM country_bounds
),

top_countries AS (
    SELECT
        c.product,
        c.date,
        c.country,
        c.share,
        row_number() OVER (ORDER BY c.share DESC, c.country) AS position
    FROM product_country_share AS c
    JOIN params AS p ON c.product = p.product AND c.date = p.report_date - 1
    QUALIFY position <= 5
),

-- The product's published views per country (every language edition) in the week of
-- its search interest: its top 5 countries, each with its share of the views counted
-- by country (a lower bound per country: counts below the release threshold are not
-- published).
country_interest AS (
    SELECT i.country, sum(i.interest) AS interest
    FROM search_interest_country_daily AS i
    JOIN params AS p
        ON i.product = p.product AND i.date BETWEEN p.report_date AND p.report_date + 6
    WHERE i.source = 'wikimedia_country'
    GROUP BY i.country
),

top_interest_countries AS (
    SELECT
        country,
        interest,
        interest / sum(interest) OVER () AS share,
        row_number() OVER (ORDER BY interest DESC, country) AS position
    FROM country_interest
    QUALIFY position <= 5
),

week_interest AS (
    SELECT i.product, sum(i.interest) AS interest
    FROM search_interest_daily AS i
    JOIN params AS p ON i.date BETWEEN p.report_date AND p.report_date + 6
    WHERE i.source = 'wikimedia'
    GROUP BY i.product
),

-- The competitor (from product_competitors) with the most interest that week.
next_competitor AS (
    SELECT
        arg_max(c.competitor, (w.interest, c.competitor)) AS competitor,
        max(w.interest) AS interest
    FROM product_competitors AS c
    JOIN params AS p ON c.product = p.product
    JOIN week_interest AS w ON w.product = c.competitor
),

figures AS (
    SELECT
        'countries_rank_1' AS figure,
        c.store,
        CAST(c.countries_rank_1 AS DOUBLE) AS value,
        p.report_date AS as_of,
        'top_free ' || c.device AS detail,
        1 AS position,
        p.product,
        CAST(NULL AS BOOLEAN) AS estimated,
        CAST(NULL AS DOUBLE) AS modelled_share,
        CAST(NULL AS DOUBLE) AS low,
        CAST(NULL AS DOUBLE) AS high
    FROM chart_reach AS c CROSS JOIN params AS p

    UNION ALL
    SELECT
        'countries_top_10', c.store, CAST(c.countries_top_10 AS DOUBLE), p.report_date,
        'top_free ' || c.device, 1, p.product, NULL, NULL, NULL, NULL
    FROM chart_reach AS c CROSS JOIN params AS p

    UNION ALL
    SELECT
        'us_rank', t.store, CAST(t.rank AS DOUBLE), t.date,
        strftime(t.date, '%a') || ', D'
        || CASE WHEN t.position < 7 THEN CAST(t.position - 7 AS VARCHAR) ELSE '' END
        || CASE
            WHEN t.rank IS NOT NULL THEN ''
            WHEN t.captured THEN ', not charting'
            ELSE ', no data'
        END,
        t.position, p.product, NULL, NULL, NULL, NULL
    FROM us_trajectory AS t CROSS JOIN params AS p

    UNION ALL
    SELECT
        'us_rank_before_peak', b.store, CAST(b.rank AS DOUBLE), b.date,
        CASE
            WHEN b.peak_date IS NULL THEN 'no US rank in the week'
            ELSE '3 days before the peak of ' || strftime(b.peak_date, '%Y-%m-%d')
                || CASE WHEN b.rank IS NULL THEN ', not charting' ELSE '' END
        END,
        1, p.product, NULL, NULL, NULL, NULL
    FROM us_before_peak AS b CROSS JOIN params AS p

    UNION ALL
    SELECT
        'us_rank_climb', b.store, CAST(b.best_rank AS DOUBLE), b.peak_date,
        CASE
            WHEN b.peak_date IS NULL THEN 'no US rank in the week'
            ELSE coalesce(CAST(b.rank AS VARCHAR), 'unranked') || ' -> '
                || CAST(b.best_rank AS VARCHAR)
        END,
        1, p.product, NULL, NULL, NULL, NULL
    FROM us_before_peak AS b CROSS JOIN params AS p

    UNION ALL
    SELECT
        'cumulative_downloads', NULL, CAST(d.cumulative_downloads AS DOUBLE), d.as_of,
        'through ' || strftime(d.as_of, '%Y-%m-%d'), 1, d.product,
        d.modelled_to_date, d.modelled_share_to_date, d.cumulative_low, d.cumulative_high
    FROM downloads_to_yesterday AS d
    WHERE d.position = 1

    UNION ALL
    SELECT
        'downloads_milestone', NULL, CAST(r.cumulative_downloads AS DOUBLE), r.date,
        'passed ' || CASE
            WHEN r.milestone >= 1000000000 THEN CAST(r.milestone // 1000000000 AS VARCHAR) || 'B'
            WHEN r.milestone >= 1000000 THEN CAST(r.milestone // 1000000 AS VARCHAR) || 'M'
            WHEN r.milestone >= 1000 THEN CAST(r.milestone // 1000 AS VARCHAR) || 'K'
            ELSE CAST(r.milestone AS VARCHAR)
        END,
        1, r.product, m.modelled_to_date, coalesce(s.modelled_share, 0),
        r.cumulative_low, r.cumulative_high
    FROM milestone_reached AS r
    JOIN downloads_to_yesterday AS m ON m.product = r.product AND m.position = 1
    LEFT JOIN milestone_modelled AS s ON s.product = r.product

    UNION ALL
    SELECT
        'share_last_7d', NULL, d.share_last_7d, d.as_of,
        strftime(d.as_of - 6, '%Y-%m-%d') || '..' || strftime(d.as_of, '%Y-%m-%d'), 1, d.product,
        d.modelled_to_date, d.modelled_share_to_date,
        -- share = L / (P + L), P the downloads before the 7 days: low L with high P, and
        -- the other way round.
        d.downloads_last_7d_low
        / nullif(d.cumulative_high - d.downloads_last_7d_high + d.downloads_last_7d_low, 0),
        d.downloads_last_7d_high
        / nullif(d.cumulative_low - d.downloads_last_7d_low + d.downloads_last_7d_high, 0)
    FROM downloads_to_yesterday AS d
    WHERE d.position = 1

    UNION ALL
    SELECT
        'downloads_last_7d', NULL, CAST(d.downloads_last_7d AS DOUBLE), d.as_of,
        d.product, d.position, d.product,
        d.modelled_last_7d, d.modelled_share_last_7d,
        d.downloads_last_7d_low, d.downloads_last_7d_high
    FROM downloads_to_yesterday AS d

    UNION ALL
    SELECT
        'downloads_vs_competitor', NULL,
        own.downloads_last_7d / nullif(vs.downloads_last_7d, 0) - 1, own.as_of,
        vs.product, 1, own.product,
        own.modelled_last_7d OR vs.modelled_last_7d,
        (own.model_downloads_last_7d + vs.model_downloads_last_7d)
        / nullif(own.all_downloads_last_7d + vs.all_downloads_last_7d, 0),
        own.downloads_last_7d_low / nullif(vs.downloads_last_7d_high, 0) - 1,
        own.downloads_last_7d_high / nullif(vs.downloads_last_7d_low, 0) - 1
    FROM downloads_to_yesterday AS own
    JOIN downloads_to_yesterday AS vs ON own.position = 1 AND vs.position = 2

    UNION ALL
    SELECT
        'dau_wow_growth', NULL, w.dau_settled / nullif(w.dau_week_before, 0) - 1,
        w.report_date - 2,
        strftime(w.report_date - 3, '%Y-%m-%d') || '..' || strftime(w.report_date - 2, '%Y-%m-%d')
        || ' vs ' || strftime(w.report_date - 10, '%Y-%m-%d') || '..'
        || strftime(w.report_date - 9, '%Y-%m-%d'),
        1, w.product, NULL, NULL, NULL, NULL
    FROM dau_weeks AS w

    UNION ALL
    SELECT
        'country_share', NULL, t.share, t.date, t.country, CAST(t.position AS INTEGER), t.product,
        coalesce(o.modelled, FALSE), o.modelled_share,
        b.low / nullif(b.low + o.high - b.high, 0),
        b.high / nullif(b.high + o.low - b.low, 0)
    FROM top_countries AS t
    LEFT JOIN country_bounds AS b ON b.country = t.country
    CROSS JOIN country_totals AS o

    UNION ALL
    SELECT
        'interest_country_share', NULL, t.share, p.report_date + 6, t.country,
        CAST(t.position AS INTEGER), p.product, NULL, NULL, NULL, NULL
    FROM top_interest_countries AS t CROSS JOIN params AS p

    UNION ALL
    SELECT
        'search_interest_week', NULL, CAST(w.interest AS DOUBLE), p.report_date + 6,
        'wikimedia ' || strftime(p.report_date, '%Y-%m-%d') || '..'
        || strftime(p.report_date + 6, '%Y-%m-%d'),
        1, p.product, NULL, NULL, NULL, NULL
    FROM params AS p
    LEFT JOIN week_interest AS w ON w.product = p.product

    UNION ALL
    SELECT
        'search_interest_ratio_vs_next', NULL, w.interest / nullif(n.interest, 0),
        p.report_date + 6, n.competitor, 1, p.product, NULL, NULL, NULL, NULL
    FROM params AS p
    CROSS JOIN next_competitor AS n
    LEFT JOIN week_interest AS w ON w.product = p.product
),

figure_order AS (
    SELECT figure, ordinal
    FROM (
        VALUES
            ('countries_rank_1', 1),
            ('countries_top_10', 2),
            ('us_rank', 3),
            ('us_rank_before_peak', 4),
            ('us_rank_climb', 5),
            ('cumulative_downloads', 6),
            ('downloads_milestone', 7),
            ('share_last_7d', 8),
            ('downloads_last_7d', 9),
            ('downloads_vs_competitor', 10),
            ('dau_wow_growth', 11),
            ('country_share', 12),
            ('interest_country_share', 13),
            ('search_interest_week', 14),
            ('search_interest_ratio_vs_next', 15)
    ) AS t (figure, ordinal)
)

SELECT
    f.figure,
    f.store,
    CAST(f.value AS DOUBLE) AS value,
    CAST(f.as_of AS DATE) AS as_of,
    CAST(f.detail AS VARCHAR) AS detail,
    CAST(f.position AS INTEGER) AS position,
    CAST(f.product AS VARCHAR) AS product,
    coalesce(f.estimated, FALSE) AS estimated,
    CAST(f.modelled_share AS DOUBLE) AS modelled_share,
    CASE WHEN f.estimated THEN CAST(f.low AS DOUBLE) END AS low,
    CASE WHEN f.estimated THEN CAST(f.high AS DOUBLE) END AS high
FROM figures AS f
JOIN figure_order AS o USING (figure)
ORDER BY o.ordinal, f.store NULLS FIRST, f.position;

-- app_rank_history: an app's rank on the overall charts (genre_id null), with its
-- rank the day before and a week before.
-- One row per date, country, store, device, chart, app_id.
--
-- rank_1d_ago / rank_7d_ago join on date - 1 / date - 7 and are null when the app
-- was not on that chart then (or the chart was not captured that day). An app
-- listed twice in one chart keeps its best rank. Not sorted: this is the largest
-- table, rebuilt on every build, and sorting it would double the build's time.
CREATE OR REPLACE TABLE app_rank_history AS
WITH overall AS (
    SELECT date, country, store, device, chart, app_id, min(rank) AS rank
    FROM chart_entries
    WHERE genre_id IS NULL
    GROUP BY date, country, store, device, chart, app_id
)

SELECT
    o.date,
    o.country,
    o.store,
    o.device,
    o.chart,
    o.app_id,
    a.product,
    o.rank,
    day_before.rank AS rank_1d_ago,
    week_before.rank AS rank_7d_ago
FROM overall AS o
LEFT JOIN overall AS day_before
    ON day_before.date = o.date - 1
    AND day_before.country = o.country
    AND day_before.store = o.store
    AND day_before.device = o.device
    AND day_before.chart = o.chart
    AND day_before.app_id = o.app_id
LEFT JOIN overall AS week_before
    ON week_before.date = o.date - 7
    AND week_before.country = o.country
    AND week_before.store = o.store
    AND week_before.device = o.device
    AND week_before.chart = o.chart
    AND week_before.app_id = o.app_id
LEFT JOIN apps AS a ON a.store = o.store AND a.app_id = o.app_id;

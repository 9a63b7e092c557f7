-- app_rank_history: an app's rank on the overall charts (genre_id null), with its
-- rank the day before and a week before.
-- One row per date, country, store, device, chart, app_id.
--
-- rank_1d_ago / rank_7d_ago join on date - 1 / date - 7 and are null when the app
-- was not on that chart then (or the chart was not captured that day). An app
-- listed twice in one chart keeps its best rank. product is the app's product in
-- apps.
--
-- Incremental (see warehouse/build.py): a build recomputes the days from
-- build_since() to build_until(), reading charts from a week before, and sets the
-- product of the apps whose product changed (changed_apps) on every day. Not
-- sorted: this is the largest table.
CREATE TABLE IF NOT EXISTS app_rank_history (
    date DATE,
    country VARCHAR,
    store VARCHAR,
    device VARCHAR,
    chart VARCHAR,
    app_id VARCHAR,
    product VARCHAR,
    rank INTEGER,
    rank_1d_ago INTEGER,
    rank_7d_ago INTEGER
);

DELETE FROM app_rank_history WHERE date BETWEEN build_since() AND build_until();

INSERT INTO app_rank_history
WITH overall AS (
    SELECT date, country, store, device, chart, app_id, min(rank) AS rank
    FROM chart_entries
    WHERE genre_id IS NULL AND date BETWEEN build_since() - 7 AND build_until()
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
LEFT JOIN apps AS a ON a.store = o.store AND a.app_id = o.app_id
WHERE o.date BETWEEN build_since() AND build_until();

UPDATE app_rank_history AS h
SET product = c.new_product
FROM changed_apps AS c
WHERE h.store = c.store AND h.app_id = c.app_id;

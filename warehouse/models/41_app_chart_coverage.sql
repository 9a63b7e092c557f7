-- app_chart_coverage: in how many countries an app charts, and how high, on one
-- overall chart (genre_id null) on one day.
-- One row per date, store, device, chart, app_id.
--
-- Counts are of countries: app_rank_history has one row per country for an app
-- and chart (its best rank there), so a plain count counts each country once.
--
-- Incremental (see warehouse/build.py): a build recomputes the days from
-- build_since() to build_until(), and sets the product of the apps whose product
-- changed (changed_apps) on every day.
CREATE TABLE IF NOT EXISTS app_chart_coverage (
    date DATE,
    store VARCHAR,
    device VARCHAR,
    chart VARCHAR,
    app_id VARCHAR,
    product VARCHAR,
    countries_rank_1 BIGINT,
    countries_top_10 BIGINT,
    countries_charting BIGINT,
    best_rank INTEGER
);

DELETE FROM app_chart_coverage WHERE date BETWEEN build_since() AND build_until();

INSERT INTO app_chart_coverage
SELECT
    date,
    store,
    device,
    chart,
    app_id,
    any_value(product) AS product,
    count(*) FILTER (WHERE rank = 1) AS countries_rank_1,
    count(*) FILTER (WHERE rank <= 10) AS countries_top_10,
    count(*) AS countries_charting,
    min(rank) AS best_rank
FROM app_rank_history
WHERE date BETWEEN build_since() AND build_until()
GROUP BY date, store, device, chart, app_id;

UPDATE app_chart_coverage AS v
SET product = c.new_product
FROM changed_apps AS c
WHERE v.store = c.store AND v.app_id = c.app_id;

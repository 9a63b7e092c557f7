-- app_chart_coverage: in how many countries an app charts, and how high, on one
-- overall chart (genre_id null) on one day.
-- One row per date, store, device, chart, app_id.
--
-- Counts are of countries: app_rank_history has one row per country for an app
-- and chart (its best rank there), so a plain count counts each country once.
CREATE OR REPLACE TABLE app_chart_coverage AS
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
GROUP BY date, store, device, chart, app_id;

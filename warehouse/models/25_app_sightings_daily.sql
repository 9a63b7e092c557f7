-- app_sightings_daily: the name and developer an app showed on one day, the
-- building block of apps (which takes each app's most recent sighting).
-- One row per store, app_id, date on which a chart or an estimate named the app.
--
-- On one day storefronts may show localised names: the US storefront wins, then the
-- highest country code, then the highest name, so the choice is stable from build
-- to build. name (developer) is null when no sighting of the day had one; app
-- estimates carry no developer.
--
-- Incremental (see warehouse/build.py): a build recomputes the days from
-- build_since() to build_until() and keeps the others.
CREATE TABLE IF NOT EXISTS app_sightings_daily (
    store VARCHAR,
    app_id VARCHAR,
    date DATE,
    name VARCHAR,
    developer VARCHAR
);

DELETE FROM app_sightings_daily WHERE date BETWEEN build_since() AND build_until();

INSERT INTO app_sightings_daily
WITH sightings AS (
    SELECT store, app_id, date, country, app_name, developer
    FROM chart_entries
    WHERE date BETWEEN build_since() AND build_until()
    UNION ALL
    SELECT store, app_id, date, country, app_name, NULL AS developer
    FROM app_estimates
    WHERE date BETWEEN build_since() AND build_until()
)

SELECT
    store,
    app_id,
    date,
    arg_max(app_name, (country = 'us', country, app_name))
        FILTER (WHERE app_name IS NOT NULL) AS name,
    arg_max(developer, (country = 'us', country, developer))
        FILTER (WHERE developer IS NOT NULL) AS developer
FROM sightings
WHERE app_id IS NOT NULL
GROUP BY store, app_id, date;

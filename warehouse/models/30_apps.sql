-- apps: every app seen in chart_entries or app_estimates, with its product.
-- One row per store, app_id.
--
-- name and developer come from the most recent sighting (app_estimates carry no
-- developer, so the developer is the most recent one the charts named). On the
-- same day storefronts may show localised names: the US storefront wins, then the
-- highest country code, so the choice is stable from build to build.
-- product is the tracked product when products.toml lists the app; otherwise a slug
-- of the name (lower case, runs of non-alphanumerics -> '-', trimmed of '-'), so the
-- same untracked app in both stores usually lands on one key. Letters and digits of
-- any script count as alphanumeric (a Chinese name keeps its characters); an app
-- whose name has none falls back to its lower-cased app_id.
CREATE OR REPLACE TABLE apps AS
WITH sightings AS (
    SELECT store, app_id, date, country, app_name, developer
    FROM chart_entries
    UNION ALL
    SELECT store, app_id, date, country, app_name, NULL AS developer
    FROM app_estimates
),

latest AS (
    SELECT
        store,
        app_id,
        arg_max(app_name, (date, country = 'us', country, app_name))
            FILTER (WHERE app_name IS NOT NULL) AS name,
        arg_max(developer, (date, country = 'us', country, developer))
            FILTER (WHERE developer IS NOT NULL) AS developer,
        min(date) AS first_seen,
        max(date) AS last_seen
    FROM sightings
    WHERE app_id IS NOT NULL
    GROUP BY store, app_id
)

SELECT
    l.store,
    l.app_id,
    coalesce(
        t.product,
        nullif(trim(regexp_replace(lower(l.name), '[^\p{L}\p{N}]+', '-', 'g'), '-'), ''),
        lower(l.app_id)
    ) AS product,
    l.name,
    l.developer,
    t.product IS NOT NULL AS tracked,
    l.first_seen,
    l.last_seen
FROM latest AS l
LEFT JOIN tracked_products AS t USING (store, app_id)
ORDER BY l.store, l.app_id;

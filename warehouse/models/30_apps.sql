-- apps: every app seen in chart_entries or app_estimates, or looked up in
-- app_metadata, with its product and its store listing.
-- One row per store, app_id.
--
-- name and developer come from the most recent sighting (app_sightings_daily, which
-- picks among a day's storefronts; app_estimates carry no developer, so the
-- developer is the most recent one the charts named). An app no
-- chart or estimate names takes the name and developer (the seller) of its listing.
-- product is the tracked product when products.toml lists the app; otherwise a slug
-- of the name (lower case, runs of non-alphanumerics -> '-', trimmed of '-'), so the
-- same untracked app in both stores usually lands on one key. Letters and digits of
-- any script count as alphanumeric (a Chinese name keeps its characters); an app
-- whose name has none falls back to its lower-cased app_id.
-- first_seen and last_seen are the first and last days of chart or estimate
-- sightings (null for an app only ever looked up).
--
-- The listing columns (bundle_id, genre, genre_id, price, currency, rating_count,
-- average_rating, release_date) come from the app's most recent app_metadata row:
-- the latest date, on it the US storefront, then the highest country code;
-- metadata_date is that row's date. They are null for an app never looked up.
-- rating_count and average_rating are that storefront's, not worldwide figures.
CREATE OR REPLACE TABLE apps AS
WITH latest AS (
    SELECT
        store,
        app_id,
        arg_max(name, date) FILTER (WHERE name IS NOT NULL) AS name,
        arg_max(developer, date) FILTER (WHERE developer IS NOT NULL) AS developer,
        min(date) AS first_seen,
        max(date) AS last_seen
    FROM app_sightings_daily
    GROUP BY store, app_id
),

listing AS (
    -- One row per app and lookup (the grain of app_metadata), so the whole row of
    -- the preferred lookup is taken at once.
    SELECT
        store,
        app_id,
        arg_max(
            {
                'name': name,
                'developer': developer,
                'bundle_id': bundle_id,
                'genre': genre,
                'genre_id': genre_id,
                'price': price,
                'currency': currency,
                'rating_count': rating_count,
                'average_rating': average_rating,
                'release_date': release_date,
                'date': date
            },
            (date, country = 'us', country)
        ) AS m
    FROM app_metadata
    WHERE app_id IS NOT NULL
    GROUP BY store, app_id
),

known AS (
    SELECT
        coalesce(l.store, s.store) AS store,
        coalesce(l.app_id, s.app_id) AS app_id,
        coalesce(l.name, s.m.name) AS name,
        coalesce(l.developer, s.m.developer) AS developer,
        l.first_seen,
        l.last_seen,
        s.m
    FROM latest AS l
    FULL OUTER JOIN listing AS s ON l.store = s.store AND l.app_id = s.app_id
)

SELECT
    k.store,
    k.app_id,
    coalesce(
        t.product,
        nullif(trim(regexp_replace(lower(k.name), '[^\p{L}\p{N}]+', '-', 'g'), '-'), ''),
        lower(k.app_id)
    ) AS product,
    k.name,
    k.developer,
    t.product IS NOT NULL AS tracked,
    k.first_seen,
    k.last_seen,
    k.m.bundle_id,
    k.m.genre,
    k.m.genre_id,
    k.m.price,
    k.m.currency,
    k.m.rating_count,
    k.m.average_rating,
    k.m.release_date,
    k.m.date AS metadata_date
FROM known AS k
LEFT JOIN tracked_products AS t ON t.store = k.store AND t.app_id = k.app_id
ORDER BY k.store, k.app_id;

-- The apps whose product this build changed (a products.toml edit, a renamed
-- untracked app), or that are gone: the incremental models rebuild these products'
-- rows on every date, not only the window's. previous_apps is apps as it was before
-- this build (staged by warehouse/build.py).
CREATE OR REPLACE TEMP TABLE changed_apps AS
SELECT p.store, p.app_id, p.product AS old_product, a.product AS new_product
FROM previous_apps AS p
LEFT JOIN apps AS a ON a.store = p.store AND a.app_id = p.app_id
WHERE a.product IS DISTINCT FROM p.product;

CREATE OR REPLACE TEMP TABLE changed_products AS
SELECT old_product AS product FROM changed_apps
UNION
SELECT new_product AS product FROM changed_apps WHERE new_product IS NOT NULL;

-- estimates_in_use: which downloads app_estimates holds, per day.
-- One row per date: the mode (estimates_mode(), from CHARTWATCH_ESTIMATES), and how
-- many of the day's app_estimates rows are known figures (vendor, import, the panel)
-- and how many come from the rank model.
--
-- This model also settles app_estimates itself, after build.py has loaded the lake's
-- known figures into it:
-- * 'vendor' (default): a known figure where one exists, the model's estimate for
--   every other charting app;
-- * 'model': only the panel's known figures (model_calibration) stay; every other
--   charting app takes the model's estimate, so the figures rest on ranks and the
--   panel alone.
-- Model rows carry their 80% interval (downloads_low .. downloads_high); known rows
-- have none (null).
--
-- Incremental (see warehouse/build.py): a build settles the days from build_since()
-- to build_until(); the mode is part of the build's fingerprint, so changing it
-- rebuilds every day. The subqueries repeat the window's date filter: DuckDB does not
-- carry it across the correlated date = date, and without it a one-day update
-- scanned every day of app_estimates (6 s with a year loaded).
ALTER TABLE app_estimates ADD COLUMN IF NOT EXISTS downloads_low BIGINT;
ALTER TABLE app_estimates ADD COLUMN IF NOT EXISTS downloads_high BIGINT;

CREATE TABLE IF NOT EXISTS estimates_in_use (
    date DATE,
    mode VARCHAR,
    known_rows BIGINT,
    model_rows BIGINT
);

DELETE FROM estimates_in_use WHERE date BETWEEN build_since() AND build_until();

-- The rows this model inserted before (the only ones with an interval: rows loaded
-- from the lake have none, even an imported row labelled 'model').
DELETE FROM app_estimates
WHERE
    source = 'model'
    AND downloads_low IS NOT NULL
    AND date BETWEEN build_since() AND build_until();

DELETE FROM app_estimates AS e
WHERE
    estimates_mode() = 'model'
    AND e.date BETWEEN build_since() AND build_until()
    AND NOT EXISTS (
        SELECT 1
        FROM model_calibration AS c
        WHERE
            c.date BETWEEN build_since() AND build_until()
            AND c.date = e.date
            AND c.country = e.country
            AND c.store = e.store
            AND c.app_id = e.app_id
    );

INSERT INTO app_estimates BY NAME
SELECT
    m.date,
    m.country,
    m.store,
    m.app_id,
    m.app_name,
    m.downloads,
    m.downloads_low,
    m.downloads_high,
    m.dau,
    m.source
FROM model_estimates AS m
WHERE
    m.date BETWEEN build_since() AND build_until()
    AND NOT EXISTS (
        SELECT 1
        FROM app_estimates AS e
        WHERE
            e.date BETWEEN build_since() AND build_until()
            AND e.date = m.date
            AND e.country = m.country
            AND e.store = m.store
            AND e.app_id = m.app_id
    );

INSERT INTO estimates_in_use
SELECT
    date,
    estimates_mode() AS mode,
    count(*) FILTER (WHERE source <> 'model') AS known_rows,
    count(*) FILTER (WHERE source = 'model') AS model_rows
FROM app_estimates
WHERE date BETWEEN build_since() AND build_until()
GROUP BY date;

-- model_estimates: the rank model's downloads of every charting app.
-- One row per date, country, store, app_id of every app on an overall chart
-- (genre_id null) for which model_parameters has a fit: the estimated downloads
-- (source 'model'), an 80% interval (downloads_low .. downloads_high), and the
-- chart, device, rank and fit method the estimate rests on. dau is null: the model
-- estimates downloads only.
--
-- An app ranked on several charts is estimated from the one whose fit predicts it
-- with the smallest spread. On that chart, at rank r in the band rank_from ..
-- rank_to, ln downloads is normal with mean mu = log_scale - exponent * ln r and
-- spread s = sqrt(sigma^2 + scale_se^2): the estimate is the median exp(mu), the
-- interval exp(mu -/+ 1.2816 s) (1.2816: the 90th percentile of the standard
-- normal, so 80% between). See assets/rank_model/model.py for the fit.
--
-- Incremental (see warehouse/build.py): a build recomputes the days from
-- build_since() to build_until().
CREATE TABLE IF NOT EXISTS model_estimates (
    date DATE,
    country VARCHAR,
    store VARCHAR,
    app_id VARCHAR,
    app_name VARCHAR,
    downloads BIGINT,
    downloads_low BIGINT,
    downloads_high BIGINT,
    dau BIGINT,
    source VARCHAR,
    device VARCHAR,
    chart VARCHAR,
    rank INTEGER,
    method VARCHAR
);

DELETE FROM model_estimates WHERE date BETWEEN build_since() AND build_until();

INSERT INTO model_estimates
WITH ranked AS (
    SELECT
        date,
        country,
        store,
        device,
        chart,
        app_id,
        min(rank) AS rank,
        arg_min(app_name, rank) AS app_name
    FROM chart_entries
    WHERE genre_id IS NULL AND date BETWEEN build_since() AND build_until()
    GROUP BY date, country, store, device, chart, app_id
),

scored AS (
    SELECT
        r.date,
        r.country,
        r.store,
        r.app_id,
        r.app_name,
        r.device,
        r.chart,
        r.rank,
        p.method,
        p.log_scale - p.exponent * ln(r.rank) AS mu,
        sqrt(p.sigma * p.sigma + p.scale_se * p.scale_se) AS spread
    FROM ranked AS r
    JOIN model_parameters AS p
        ON p.date = r.date
        AND p.country = r.country
        AND p.store = r.store
        AND p.device = r.device
        AND p.chart = r.chart
        AND r.rank BETWEEN p.rank_from AND p.rank_to
    WHERE p.date BETWEEN build_since() AND build_until()
)

SELECT
    date,
    country,
    store,
    app_id,
    app_name,
    CAST(round(exp(mu)) AS BIGINT) AS downloads,
    CAST(round(exp(mu - 1.2816 * spread)) AS BIGINT) AS downloads_low,
    CAST(round(exp(mu + 1.2816 * spread)) AS BIGINT) AS downloads_high,
    CAST(NULL AS BIGINT) AS dau,
    'model' AS source,
    device,
    chart,
    rank,
    method
FROM scored
QUALIFY
    row_number() OVER (
        PARTITION BY date, country, store, app_id ORDER BY spread, device, chart
    ) = 1;

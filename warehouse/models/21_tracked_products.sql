-- tracked_products: the store apps that make up each tracked product.
-- One row per product, store, app_id (App Store ids and Play packages of products.toml).
CREATE OR REPLACE TABLE tracked_products AS
SELECT p.product, p.name, p.category, a.store, a.app_id
FROM staged_tracked_apps AS a
JOIN staged_products AS p USING (product)
ORDER BY p.product, a.store, a.app_id;

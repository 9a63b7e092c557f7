-- product_competitors: the products a launch report compares a product against.
-- One row per product, competitor (both product keys), from products.toml.
CREATE OR REPLACE TABLE product_competitors AS
SELECT product, competitor
FROM staged_product_competitors
ORDER BY product, competitor;

-- product_competitors: the products a launch report compares a product against.
-- One row per product, competitor (both product keys), from products.toml; position is
-- the competitor's place in the product's list (1: the one a report compares with by
-- default).
CREATE OR REPLACE TABLE product_competitors AS
SELECT product, competitor, CAST(position AS INTEGER) AS position
FROM staged_product_competitors
ORDER BY product, position;

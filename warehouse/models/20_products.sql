-- products: the tracked products of products.toml.
-- One row per product (the stable lower-case key, e.g. 'deepseek').
--
-- build.py parses products.toml and stages it as staged_products; the file is
-- reloaded on every build, so editing it takes effect on the next build.
CREATE OR REPLACE TABLE products AS
SELECT product, name, category, wikidata
FROM staged_products
ORDER BY product;

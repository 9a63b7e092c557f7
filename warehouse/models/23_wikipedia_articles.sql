-- wikipedia_articles: the Wikipedia articles whose page views are a product's
-- search interest. One row per product, project, article.
-- project is the Wikimedia project name ('en.wikipedia'), language its edition ('en'),
-- article the title as written in products.toml ('Gemini_(chatbot)').
CREATE OR REPLACE TABLE wikipedia_articles AS
SELECT product, project, article, language
FROM staged_wikipedia_articles
ORDER BY product, project, article;

"""Wikimedia per-article daily pageviews, the free measure of search interest."""

"""Chartwatch's sources, one folder each: what a source archives, how it is
fetched, parsed, rendered by the sample market and imported."""

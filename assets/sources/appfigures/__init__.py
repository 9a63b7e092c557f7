"""Appfigures: vendor rank histories and download estimates of the tracked products."""

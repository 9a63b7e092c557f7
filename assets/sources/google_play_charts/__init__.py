"""Google Play top charts, imported as files of the Chartwatch chart JSON shape."""

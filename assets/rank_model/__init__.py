"""The rank -> downloads model: a broken power law per store, device, chart and
country, fitted on a panel of apps with known downloads (``model.py``)."""

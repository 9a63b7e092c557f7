"""Vendor download and daily-active-user estimates, imported as a documented CSV."""

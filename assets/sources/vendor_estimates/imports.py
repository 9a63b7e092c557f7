"""Import rules of the vendor estimates export: one file per day and storefront."""

from __future__ import annotations

import datetime as dt

ESTIMATES_ITEM = "estimates.csv"


def estimates_name(date: dt.date, country: str, name: str, body: bytes) -> str:
    return ESTIMATES_ITEM  # one export per day and storefront; its rows say their day

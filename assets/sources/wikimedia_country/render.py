"""The sample market's Wikimedia pageviews per country: one file a day, as Wikimedia
publishes it (tab-separated, no header, ``country, country_code, project, page_id,
page_title, item_id, private_count``).

Each tracked product with a Wikidata item has its articles of products.toml (the
language editions the sample's worldwide pageviews simulate, ``daily_views``). An
edition's views of a day are shared among the countries that read it
(``READERS``, shares of its views), counted the way the release counts them (at most
10 pageviews per device and day, real browsers only: ``COUNTED`` of the worldwide
figure), with the release's noise (discrete Gaussian, standard deviation about 18
views for a lower-risk country) and published only above the threshold of 90.
Countries on Wikimedia's protection list are never published. So the countries'
counts sum to less than the worldwide views, as in the real files. A few pages of
no tracked item (the Main Page) stand for the rest of a real file.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable, Iterator

import numpy as np

from assets.raw import RawResponse
from assets.sample_market.simulate import SampleMarket
from assets.sources.wikimedia_country.imports import ITEM
from assets.sources.wikimedia_country.parse import RELEASE_THRESHOLD, SOURCE
from assets.sources.wikimedia_pageviews.render import daily_views

# Of an edition's views, the share read from each country (the rest: countries too
# small to pass the threshold, and readers the release cannot place).
READERS = {
    "en": {
        "US": 0.38,
        "GB": 0.09,
        "IN": 0.11,
        "CA": 0.05,
        "AU": 0.035,
        "PH": 0.025,
        "DE": 0.02,
        "PK": 0.02,
        "NG": 0.015,
        "SG": 0.012,
    },
    "zh": {"TW": 0.42, "CN": 0.2, "HK": 0.18, "SG": 0.05, "MY": 0.05, "US": 0.05},
    "ar": {"SA": 0.24, "EG": 0.22, "AE": 0.08, "IQ": 0.07, "MA": 0.07, "DZ": 0.07, "JO": 0.04},
    "es": {"MX": 0.25, "ES": 0.2, "AR": 0.1, "CO": 0.1, "CL": 0.06, "PE": 0.06, "US": 0.06},
    "de": {"DE": 0.8, "AT": 0.09, "CH": 0.08},
    "fr": {"FR": 0.7, "CA": 0.08, "BE": 0.06, "CH": 0.04, "MA": 0.03, "DZ": 0.03},
    "ja": {"JP": 0.95},
}
# The release counts at most 10 pageviews per device and day, from real browsers:
# below the Pageviews API's figure of human readers.
COUNTED = 0.9
NOISE_SD = 18.2  # sqrt(10 / (2 rho)), rho = 0.01505: a lower-risk country's noise
# Not published (Wikimedia's Country and Territory Protection List, 2024-05-19).
WITHHELD = frozenset({"CN", "CU", "HK", "IR", "KP", "MM", "MO", "SY", "VN"})
# Pages of no tracked item: (project, page_id, title, item, views per weekday by country).
OTHER_PAGES = (
    ("en.wikipedia", 15580374, "Main_Page", "Q5296", {"US": 2_400_000, "GB": 520_000}),
    ("de.wikipedia", 1, "Wikipedia:Hauptseite", "Q5296", {"DE": 610_000}),
)


def country_pageview_responses(
    market: SampleMarket, dates: Iterable[dt.date], products
) -> Iterator[RawResponse]:
    """Each day's file of the products (a ProductCatalog) with a Wikidata item."""
    wanted = set(dates)
    days = [d for d in market.dates if d in wanted]
    lines: dict[dt.date, list[tuple]] = {day: [] for day in days}
    for product in products:
        if not product.wikidata:
            continue
        for article in product.articles:
            views = daily_views(market, product.key, article.project, article.article)
            readers = READERS.get(article.language, {})
            page_id = zlib.crc32(f"{article.project}/{article.article}".encode()) % 90_000_000
            for code, share in readers.items():
                counts = _published(market, f"{article.project}/{article.article}/{code}", views)
                for day in days:
                    count = round(views[day] * COUNTED * share + counts[day])
                    if count > RELEASE_THRESHOLD and code not in WITHHELD:
                        row = (code, article.project, page_id, article.article, product.wikidata)
                        lines[day].append((*row, count))
    for project, page_id, title, item, by_country in OTHER_PAGES:
        for day in days:
            weekday = 0.8 if day.weekday() >= 5 else 1.0
            lines[day] += [
                (code, project, page_id, title, item, round(views * weekday))
                for code, views in by_country.items()
            ]
    for day in days:
        body = "".join(
            f"{_name(code)}\t{code}\t{project}\t{page_id}\t{title}\t{item}\t{count}\n"
            for code, project, page_id, title, item, count in sorted(lines[day])
        )
        yield RawResponse(SOURCE, day, "ww", f"{ITEM}.tsv", body.encode())


def _published(market: SampleMarket, key: str, views: dict[dt.date, int]) -> dict:
    """The release's noise for a page in a country, day by day: one generator per page
    and country, seeded from their names, so any subset of days renders the same."""
    rng = np.random.default_rng(list(key.encode()))
    noise = rng.normal(0.0, NOISE_SD, size=len(market.dates))
    return {day: float(noise[t]) for t, day in enumerate(market.dates) if day in views}


def _name(code: str) -> str:
    import pycountry

    found = pycountry.countries.get(alpha_2=code)
    return getattr(found, "common_name", None) or found.name

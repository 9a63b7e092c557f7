"""What a source is: the declaration each source folder makes in its ``__init__.py``
(``SOURCE = Source(...)``), and which the registry (``assets/sources/__init__.py``)
lists. The raw assets, the import command, the lake's readers, the sample market
and the bench are all built from these declarations.

A source is one raw asset (``raw/<name>``) that archives into one or more folders of
the raw archive (``Archive``: ``data/raw/<archive>/date=/country=/<item>``), and feeds
one or more lake datasets (``feeds``: the dataset's name -> how a day of it is parsed
from the source's archive). Pure: no Dagster here, nor in any source folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from assets.raw import list_files, read_batch
from assets.sources.importing import Importer
from warehouse.datasets import APP_STORE_ONLY, CONFIGURED, WORLDWIDE, WORLDWIDE_ONLY

if TYPE_CHECKING:
    from assets.fetching import FetchReport
    from assets.http import HttpClient
    from assets.raw import RawResponse
    from assets.resources import ChartwatchConfig
    from assets.sample_market.simulate import SampleMarket
    from warehouse.products import ProductCatalog


@dataclass(frozen=True)
class Archive:
    """One folder of the raw archive: ``data/raw/<name>/date=YYYY-MM-DD/country=<cc>/``."""

    name: str
    suffix: str  # of every file in it: ".json", ".csv"
    # Which country folders a day of it is read from: every configured storefront,
    # the configured App Store ones, or ``ww`` only (warehouse/datasets.py).
    storefronts: str = CONFIGURED
    # Files a user may add with `make import SOURCE=<name>`; None: not importable.
    importer: Importer | None = None
    # The text by which a body names its day (the bench re-dates the sample's
    # bodies with it); None where the bench does not generate the archive.
    day_mark: Callable[[dt.date], bytes] | None = None


@dataclass(frozen=True)
class Day:
    """What a source's parsers may use to read one day of its archives."""

    date: dt.date
    raw_dir: Path
    countries: Callable[[str | None], tuple[str, ...]]  # a store (None: any) -> its countries
    products: ProductCatalog
    # The source label of estimates a user (or the sample market) put in the archive:
    # "import", or "sample" for the sample market's own.
    imported_as: str

    def batch(self, archive: Archive, suffix: str | None = None) -> pl.DataFrame:
        """Every file of the archive for the day (ending with ``suffix``, by default the
        archive's), one row each (RAW_BATCH)."""
        countries = (
            (WORLDWIDE,)
            if archive.storefronts == WORLDWIDE_ONLY
            else self.countries("app_store" if archive.storefronts == APP_STORE_ONLY else None)
        )
        ending = archive.suffix if suffix is None else suffix
        files = list_files(self.raw_dir, archive.name, [self.date], ending, countries)
        return read_batch(archive.name, files)

    def own(self, rows: pl.DataFrame, store: str | None = None) -> pl.DataFrame:
        """Of the rows parsed from self-describing files (which hold many days and
        countries), those of this day and of the configured storefronts of ``store``
        (None: of any store). A country that is no configured storefront (Play's
        ``XK``) is left out."""
        return rows.filter(
            pl.col("date") == self.date, pl.col("country").is_in(self.countries(store))
        )


@dataclass(frozen=True)
class Feed:
    """How a source gives rows to a lake dataset: a day's rows, parsed from its archive."""

    read: Callable[[Day], pl.DataFrame]
    # Where several sources give the same row (the same grain), the lowest wins: a
    # user's own import before a vendor's estimate.
    precedence: int = 0


@dataclass(frozen=True)
class Source:
    """One source: its raw asset, archives, live fetch, sample rendering and feeds."""

    name: str  # the raw asset is raw/<name>; its folder assets/sources/<name>/
    description: str
    archives: tuple[Archive, ...]
    # Live: a day's responses, fetched or found in the archive.
    fetch: Callable[[ChartwatchConfig, dt.date, HttpClient], FetchReport]
    # The sample market: a day's responses as this source would answer; None when the
    # sample market does not simulate the source.
    render: Callable[[SampleMarket, ChartwatchConfig, list[dt.date]], Iterable[RawResponse]] | None
    feeds: dict[str, Feed] = field(default_factory=dict)  # lake dataset -> its feed
    kinds: frozenset[str] = frozenset({"python", "json"})
    # Sources whose archive it reads (the iTunes lookups: the apps of Apple's charts).
    reads: tuple[str, ...] = ()
    # Figures from a user's own store accounts (App Store Connect, Play Console): the
    # truth `make backtest` reports app by app. Their rows' source label is the name.
    own_figures: bool = False

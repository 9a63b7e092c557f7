"""The one resource every asset shares: where data lives and what to fetch.

Its fields are set from environment variables in ``pipelines/resources.py`` and
shown in the Dagster UI, so the UI and the command line run with the same
configuration.
"""

from pathlib import Path

import dagster as dg
from pydantic import Field

from assets.markets import APP_STORE_COUNTRIES, GOOGLE_PLAY_COUNTRIES, parse_country_list

SOURCES = ("sample", "live")


class ChartwatchConfig(dg.ConfigurableResource):
    """Chartwatch's settings; each field comes from the environment variable named."""

    source: str = Field(
        default="sample",
        description="CHARTWATCH_SOURCE: 'sample' (the built-in sample market) or 'live'.",
    )
    countries: str = Field(
        default="",
        description="CHARTWATCH_COUNTRIES: comma list of storefront codes; empty = all.",
    )
    data_dir: str = Field(
        default="data",
        description="CHARTWATCH_DATA_DIR: root of the raw archive, lake and warehouse.",
    )
    products_file: str = Field(
        default="products.toml",
        description="CHARTWATCH_PRODUCTS: the tracked-products file.",
    )

    def check(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(
                f"CHARTWATCH_SOURCE={self.source!r} is not a known source; use one of "
                f"{', '.join(SOURCES)}"
            )
        if self.source == "live":
            raise NotImplementedError(
                "CHARTWATCH_SOURCE=live: the live connectors are not built yet (issue 3); "
                "unset CHARTWATCH_SOURCE to use the built-in sample market"
            )
        parse_country_list(self.countries)

    @property
    def root(self) -> Path:
        return Path(self.data_dir)

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def lake_dir(self) -> Path:
        return self.root / "lake"

    @property
    def warehouse_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def products_path(self) -> Path:
        return Path(self.products_file)

    def countries_for(self, store: str | None = None) -> tuple[str, ...]:
        """Configured countries, restricted to a store's storefronts when given."""
        chosen = parse_country_list(self.countries)
        if store is None:
            return chosen
        storefronts = APP_STORE_COUNTRIES if store == "app_store" else GOOGLE_PLAY_COUNTRIES
        return tuple(c for c in chosen if c in storefronts)

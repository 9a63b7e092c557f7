"""Resources configured from the environment, with the defaults documented in
the README. The same values apply in the UI and on the command line."""

from __future__ import annotations

import os

from assets.resources import ChartwatchConfig


def chartwatch_from_env() -> ChartwatchConfig:
    return ChartwatchConfig(
        source=os.environ.get("CHARTWATCH_SOURCE", "sample"),
        countries=os.environ.get("CHARTWATCH_COUNTRIES", ""),
        data_dir=os.environ.get("CHARTWATCH_DATA_DIR", "data"),
        products_file=os.environ.get("CHARTWATCH_PRODUCTS", "products.toml"),
    )

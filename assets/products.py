"""The tracked-products file (products.toml): products followed by name across
stores, their Wikipedia articles and competitors. Documented at the top of the
file itself and in the README.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from warehouse.errors import InvalidSetting
from warehouse.keys import PRODUCT_KEY_RULE, is_product_key


@dataclass(frozen=True)
class Article:
    product: str
    project: str  # e.g. "en.wikipedia"
    article: str  # URL form: underscores for spaces


def load_products(path: Path) -> dict[str, dict]:
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise InvalidSetting(
            f"tracked-products file {path} not found; set CHARTWATCH_PRODUCTS or create it "
            "(see products.toml in the repository for the format)"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidSetting(f"tracked-products file {path} is not valid TOML: {exc}") from exc
    products = document.get("products", {})
    for key, spec in products.items():
        if not is_product_key(key) or not isinstance(spec, dict):
            raise InvalidSetting(
                f"{path}: [products.{key}] is not allowed: each product is a table"
                f" [products.<key>], its key {PRODUCT_KEY_RULE}"
            )
    return products


def wikipedia_articles(path: Path) -> list[Article]:
    articles = []
    for key, spec in load_products(path).items():
        for entry in spec.get("wikipedia", []):
            language, sep, title = entry.partition(":")
            if not sep or not title:
                raise InvalidSetting(
                    f"{path}: products.{key}.wikipedia entry {entry!r} must look like 'en:Article_title'"
                )
            articles.append(Article(key, f"{language}.wikipedia", title.replace(" ", "_")))
    return articles


def appfigures_apps(path: Path) -> list[tuple[str, str, str]]:
    """(Appfigures product id, store, app id) of every tracked app mapped in products.toml.

    A product maps its store ids to Appfigures product ids with a table
    ``appfigures = {"6737597349" = 330000001, "com.deepseek.chat" = 330000002}``;
    each key must be one of the product's ``app_store`` or ``google_play`` ids.
    """
    apps = []
    for key, spec in load_products(path).items():
        stores = {str(i): "app_store" for i in spec.get("app_store", [])}
        stores |= {str(i): "google_play" for i in spec.get("google_play", [])}
        for app_id, appfigures_id in spec.get("appfigures", {}).items():
            if app_id not in stores:
                raise InvalidSetting(
                    f"{path}: products.{key}.appfigures maps {app_id!r}, which is not one of the"
                    " product's app_store or google_play ids; list it there first"
                )
            if not str(appfigures_id).isdigit():
                raise InvalidSetting(
                    f"{path}: products.{key}.appfigures[{app_id!r}] = {appfigures_id!r} is not an"
                    " Appfigures product id (digits)"
                )
            apps.append((str(appfigures_id), stores[app_id], app_id))
    return apps

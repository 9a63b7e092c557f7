"""The tracked-products file (products.toml), read by one parser for every use: the
warehouse's products tables, the sources that fetch per product (Wikipedia articles,
Appfigures ids), the reports (names and competitors) and the command line's check
before a run. Its format is documented at the top of the file itself and in the
README.

Every mistake is refused with the file, the product and what is allowed, as a
``ProductsFileError`` (an invalid setting, and a reason a build is refused).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from warehouse.errors import InvalidSetting, WarehouseBuildError
from warehouse.keys import PRODUCT_KEY_RULE, is_product_key

STORES = ("app_store", "google_play")
# A Wikidata item id: Q and digits (https://www.wikidata.org/wiki/Q115564437).
WIKIDATA_ITEM = re.compile(r"Q[1-9][0-9]*")


class ProductsFileError(WarehouseBuildError, InvalidSetting):
    """products.toml cannot be used: it names the file, the product and what to write."""


@dataclass(frozen=True)
class Article:
    """A Wikipedia article whose daily pageviews are a product's search interest."""

    product: str
    project: str  # e.g. "en.wikipedia"
    article: str  # URL form: underscores for spaces

    @property
    def language(self) -> str:
        return self.project.split(".", 1)[0]


@dataclass(frozen=True)
class Product:
    key: str
    name: str
    category: str | None
    apps: tuple[tuple[str, str], ...]  # (store, app id)
    competitors: tuple[str, ...]
    articles: tuple[Article, ...]
    # (store, app id) -> Appfigures product id, for live mode with APPFIGURES_TOKEN
    appfigures: tuple[tuple[str, str, str], ...]  # (Appfigures id, store, app id)
    # The Wikidata item of its article ("Q115564437"): every language edition's
    # article of the item is the product's (Wikimedia's pageviews per country).
    wikidata: str | None = None


@dataclass(frozen=True)
class ProductCatalog:
    """products.toml, checked: the products in the order of the file (the first is the
    headline product of the reports)."""

    path: Path
    products: tuple[Product, ...]

    def __iter__(self):
        return iter(self.products)

    def __len__(self) -> int:
        return len(self.products)

    def __contains__(self, key: object) -> bool:
        return any(p.key == key for p in self.products)

    def __getitem__(self, key: str) -> Product:
        return next(p for p in self.products if p.key == key)

    @property
    def articles(self) -> list[Article]:
        return [a for p in self.products for a in p.articles]

    @property
    def wikidata_items(self) -> dict[str, str]:
        """Wikidata item id -> product key, of the products that give one."""
        return {p.wikidata: p.key for p in self.products if p.wikidata}

    @property
    def appfigures_apps(self) -> list[tuple[str, str, str]]:
        """(Appfigures product id, store, app id) of every mapped app."""
        return [app for p in self.products for app in p.appfigures]

    # The frames the warehouse's products models load (staged_<name>).
    def frames(self) -> dict[str, pl.DataFrame]:
        return {
            "products": _frame(
                [(p.key, p.name, p.category, p.wikidata) for p in self],
                ["product", "name", "category", "wikidata"],
            ),
            "tracked_apps": _frame(
                [(p.key, *app) for p in self for app in p.apps], ["product", "store", "app_id"]
            ),
            "product_competitors": _frame(
                [(p.key, c, str(n)) for p in self for n, c in enumerate(p.competitors, 1)],
                ["product", "competitor", "position"],
            ),
            "wikipedia_articles": _frame(
                [(a.product, a.project, a.article, a.language) for a in self.articles],
                ["product", "project", "article", "language"],
            ),
        }


def _frame(rows: list[tuple], columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")


def read_products(path: Path) -> ProductCatalog:
    """Parse and check products.toml."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError as error:
        raise ProductsFileError(
            f"tracked-products file {path} not found; set CHARTWATCH_PRODUCTS or create it"
            " (see products.toml in the repository for the format)"
        ) from error
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ProductsFileError(f"cannot read the products file {path}: {error}") from error
    entries = document.get("products", {})
    if not isinstance(entries, dict):
        raise ProductsFileError(f"{path}: products must be tables [products.<key>]")
    owner_of_app: dict[tuple[str, str], str] = {}
    owner_of_item: dict[str, str] = {}
    products = []
    for key, entry in entries.items():
        if not is_product_key(key) or not isinstance(entry, dict):
            raise ProductsFileError(
                f"{path}: [products.{key}] is not allowed: each product is a table"
                f" [products.<key>], its key {PRODUCT_KEY_RULE}"
            )
        product = _product(path, key, entry, owner_of_app)
        if product.wikidata in owner_of_item:
            # One item in two products would count its views twice.
            raise ProductsFileError(
                f"{path} [products.{key}]: wikidata = {product.wikidata!r} is already the item"
                f" of [products.{owner_of_item[product.wikidata]}]; give each item to one product"
            )
        if product.wikidata:
            owner_of_item[product.wikidata] = key
        products.append(product)
    return ProductCatalog(path, tuple(products))


def _product(
    path: Path, key: str, entry: dict, owner_of_app: dict[tuple[str, str], str]
) -> Product:
    where = f"{path} [products.{key}]"
    if not entry.get("name"):
        raise ProductsFileError(f"{where}: a product needs a name = '...'")
    apps = []
    for store in STORES:
        for app_id in entry.get(store, []):
            app = (store, str(app_id))
            if app in owner_of_app:
                # One app in two products would count its downloads twice.
                raise ProductsFileError(
                    f"{where}: {store} app {app_id} is already listed under"
                    f" [products.{owner_of_app[app]}]; list each app under one product"
                )
            owner_of_app[app] = key
            apps.append(app)
    articles = []
    for spec in entry.get("wikipedia", []):
        language, sep, title = str(spec).partition(":")
        if not sep or not language or not title:
            raise ProductsFileError(
                f"{where}: wikipedia entry {spec!r} must look like 'en:Article_title'"
                " ('<language>:<Article title>')"
            )
        articles.append(Article(key, f"{language}.wikipedia", title.replace(" ", "_")))
    stores = {app_id: store for store, app_id in apps}
    appfigures = []
    for app_id, appfigures_id in entry.get("appfigures", {}).items():
        if app_id not in stores:
            raise ProductsFileError(
                f"{path}: products.{key}.appfigures maps {app_id!r}, which is not one of the"
                " product's app_store or google_play ids; list it there first"
            )
        if not str(appfigures_id).isdigit():
            raise ProductsFileError(
                f"{path}: products.{key}.appfigures[{app_id!r}] = {appfigures_id!r} is not an"
                " Appfigures product id (digits)"
            )
        appfigures.append((str(appfigures_id), stores[app_id], app_id))
    wikidata = entry.get("wikidata")
    if wikidata is not None and (
        not isinstance(wikidata, str) or not WIKIDATA_ITEM.fullmatch(wikidata)
    ):
        raise ProductsFileError(
            f"{where}: wikidata = {wikidata!r} is not a Wikidata item id: write 'Q' and its"
            ' digits, as in the item\'s address (wikidata = "Q115564437" for'
            " https://www.wikidata.org/wiki/Q115564437)"
        )
    return Product(
        key=key,
        name=str(entry["name"]),
        category=entry.get("category"),
        apps=tuple(apps),
        competitors=tuple(str(c) for c in entry.get("competitors", [])),
        articles=tuple(articles),
        appfigures=tuple(appfigures),
        wikidata=wikidata,
    )

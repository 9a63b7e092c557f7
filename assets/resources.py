"""The one resource every asset shares: where data lives, what to fetch and how.

Every Chartwatch setting is a field here, typed, with its default and its
description; ``pipelines/settings.py`` reads them from the environment (once, in
``pipelines/resources.py``) and the Dagster UI shows them, so the UI and the command
line run with the same configuration. The resource is checked once as a run starts.
"""

import datetime as dt
import re
from pathlib import Path

import dagster as dg
from pydantic import Field

from assets.partitions import APP_STORE_OPENED, FIRST_DAY
from assets.sources.apple_charts.parse import LEGACY_FEED_NAME
from assets.storefronts import APP_STORE_COUNTRIES, GOOGLE_PLAY_COUNTRIES, parse_country_list
from warehouse.build import DEFAULT_MEMORY_LIMIT, check_memory_limit
from warehouse.errors import InvalidSetting
from warehouse.objects import check_reachable, data_root, is_remote

SOURCES = ("sample", "live")
# CHARTWATCH_ESTIMATES: which downloads the warehouse uses (see assets/rank_model/model.py).
ESTIMATES = ("vendor", "model")
# CHARTWATCH_EXECUTOR: how a run launched by the UI or the daemon executes its steps
# (pipelines/executors.py); the command line always runs them in its own process.
EXECUTORS = ("in_process", "multiprocess", "celery")

DEFAULT_URLS = {
    "apple_rss_url": "https://rss.applemarketingtools.com",
    "itunes_url": "https://itunes.apple.com",
    "wikimedia_url": "https://wikimedia.org/api/rest_v1",
    "appfigures_url": "https://api.appfigures.com/v2",
}
# iPhone top free and paid come from the current RSS feed; these legacy feeds add
# the grossing chart and the iPad charts (at most 100 deep since 2021).
DEFAULT_LEGACY_FEEDS = (
    "topgrossingapplications",
    "topfreeipadapplications",
    "toppaidipadapplications",
    "topgrossingipadapplications",
)


class ChartwatchConfig(dg.ConfigurableResource):
    """Chartwatch's settings; each field comes from the environment variable named."""

    source: str = Field(
        default="sample",
        description="CHARTWATCH_SOURCE: 'sample' (the built-in sample market) or 'live'.",
    )
    first_day: str = Field(
        default=FIRST_DAY,
        description="CHARTWATCH_FIRST_DAY: live mode's first daily partition (YYYY-MM-DD);"
        " earlier to import chart archives from before it. The sample's partitions are its"
        " window, whatever this says.",
    )
    countries: str = Field(
        default="",
        description="CHARTWATCH_COUNTRIES: comma list of storefront codes; empty = all.",
    )
    data_dir: str = Field(
        default="data",
        description="CHARTWATCH_DATA_DIR: root of the raw archive, lake, quarantine and"
        " reports: a local folder, or s3://bucket/prefix on any S3-compatible store (its"
        " endpoint and keys from the standard AWS_* variables).",
    )
    warehouse: str = Field(
        default="",
        description="CHARTWATCH_WAREHOUSE: the DuckDB warehouse file (always on a local disk);"
        " empty = warehouse.duckdb in a local CHARTWATCH_DATA_DIR, or for an s3:// one"
        " .chartwatch/<bucket>/<prefix>/warehouse.duckdb in the current folder.",
    )
    products_file: str = Field(
        default="products.toml",
        description="CHARTWATCH_PRODUCTS: the tracked-products file.",
    )
    day_workers: int = Field(
        default=2,
        description="CHARTWATCH_DAY_WORKERS: days processed at once inside a run.",
    )
    backfill_days: int = Field(
        default=0,
        description="CHARTWATCH_BACKFILL_DAYS: how many days a run of a backfill launched from"
        " the UI or the daemon covers: 0 = the whole range in one run; N = runs of N days,"
        " which the run queue runs side by side and whose steps a pool of workers shares.",
    )
    apple_rss_url: str = Field(
        default=DEFAULT_URLS["apple_rss_url"],
        description="CHARTWATCH_APPLE_RSS_URL: Apple's current RSS feed generator (live mode).",
    )
    itunes_url: str = Field(
        default=DEFAULT_URLS["itunes_url"],
        description="CHARTWATCH_ITUNES_URL: legacy iTunes RSS and the Lookup API (live mode).",
    )
    wikimedia_url: str = Field(
        default=DEFAULT_URLS["wikimedia_url"],
        description="CHARTWATCH_WIKIMEDIA_URL: the Wikimedia REST API (live mode).",
    )
    appfigures_url: str = Field(
        default=DEFAULT_URLS["appfigures_url"],
        description="CHARTWATCH_APPFIGURES_URL: the Appfigures API, used when APPFIGURES_TOKEN is set.",
    )
    appfigures_token: str = Field(
        default="",
        description="APPFIGURES_TOKEN: your Appfigures API token (a secret: set from the"
        " environment variable, shown here by its name); empty = Appfigures is skipped.",
    )
    contact: str = Field(
        default="",
        description="CHARTWATCH_CONTACT: an e-mail or URL for the User-Agent of live requests"
        " (Wikimedia asks for one).",
    )
    legacy_feeds: str = Field(
        default=",".join(DEFAULT_LEGACY_FEEDS),
        description="CHARTWATCH_LEGACY_FEEDS: legacy iTunes RSS feeds fetched per storefront"
        " (at most 100 deep since 2021); top free and paid iPhone come from the current RSS feed.",
    )
    genres: str = Field(
        default="",
        description="CHARTWATCH_GENRES: App Store genre ids (e.g. 6007,6014) whose iPhone top"
        " free, paid and grossing charts are fetched too; empty = overall charts only.",
    )
    deep_charts: bool = Field(
        default=False,
        description="CHARTWATCH_DEEP_CHARTS: true to fetch Apple's 200-deep iPhone top free,"
        " paid and grossing charts (overall and of CHARTWATCH_GENRES) from the undocumented"
        " iTunes charts endpoint (WebObjects/MZStoreServices.woa/ws/charts; ids only, named"
        " by the Lookup API); where it holds a chart, it replaces the RSS feed's 100 whole."
        " Off by default: Apple documents nothing of it.",
    )
    http_timeout: float = Field(
        default=30.0,
        description="CHARTWATCH_HTTP_TIMEOUT: read timeout of live requests, seconds (connect: 5 s).",
    )
    http_retries: int = Field(
        default=5,
        description="CHARTWATCH_HTTP_RETRIES: retries of a live request on 429, 5xx, timeouts"
        " and connection errors.",
    )
    warehouse_wait: float = Field(
        default=120.0,
        description="CHARTWATCH_WAREHOUSE_WAIT: seconds the warehouse step waits for another"
        " process (e.g. a SQL session) to close data/warehouse.duckdb before it fails.",
    )
    duckdb_memory: str = Field(
        default=DEFAULT_MEMORY_LIMIT,
        description="CHARTWATCH_DUCKDB_MEMORY: DuckDB's memory cap for a warehouse build (e.g."
        " 2GB); beyond it, joins and aggregates spill to warehouse.duckdb.tmp.",
    )

    estimates: str = Field(
        default="vendor",
        description="CHARTWATCH_ESTIMATES: 'vendor' (vendor or imported downloads where they"
        " exist, Chartwatch's rank model elsewhere) or 'model' (the model for every app outside"
        " the panel, from ranks and the panel alone).",
    )
    executor: str = Field(
        default="in_process",
        description="CHARTWATCH_EXECUTOR: how a run launched from the UI or the daemon executes"
        " its steps: 'in_process' (all in the run's process), 'multiprocess' (a process per"
        " step) or 'celery' (each step on a Celery worker; docs/deploy.md). make demo and make"
        " backfill always run in their own process.",
    )
    panel: str = Field(
        default="",
        description="CHARTWATCH_PANEL: the apps whose true downloads calibrate the rank model:"
        " a CSV of store,app_id (your own apps, their downloads imported as vendor estimates);"
        " empty = in the sample, a seeded draw of 10% of the apps with estimates; live, every"
        " app with imported or vendor estimates.",
    )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Checked once as a run starts (the command line also checks before it records
        # a run), not at the top of every asset.
        self.check()

    def check(self) -> None:
        root = self.root  # an unknown scheme or a bad bucket name fails here
        if is_remote(self.warehouse):
            raise InvalidSetting(
                f"CHARTWATCH_WAREHOUSE={self.warehouse!r}: the DuckDB warehouse is a file on a"
                " local disk; give a local path (the lake can be on S3)"
            )
        check_reachable(root)
        if self.source not in SOURCES:
            raise InvalidSetting(
                f"CHARTWATCH_SOURCE={self.source!r} is not a known source; use one of "
                f"{', '.join(SOURCES)}"
            )
        parse_country_list(self.countries)
        try:
            first = dt.date.fromisoformat(self.first_day)
        except ValueError:
            first = None
        if first is None or len(self.first_day) != 10:
            raise InvalidSetting(
                f"CHARTWATCH_FIRST_DAY={self.first_day!r} is not a date; give YYYY-MM-DD, e.g."
                f" {FIRST_DAY}"
            )
        if first < APP_STORE_OPENED:
            raise InvalidSetting(
                f"CHARTWATCH_FIRST_DAY={self.first_day} is before the App Store opened"
                f" ({APP_STORE_OPENED}): no chart of it exists; give {APP_STORE_OPENED} or later"
            )
        if first > dt.datetime.now(dt.UTC).date():
            raise InvalidSetting(
                f"CHARTWATCH_FIRST_DAY={self.first_day} is in the future; give a day up to today"
            )
        if self.estimates not in ESTIMATES:
            raise InvalidSetting(
                f"CHARTWATCH_ESTIMATES={self.estimates!r} is not known; use 'vendor' (vendor data"
                " where it exists, the model elsewhere) or 'model' (the model only)"
            )
        if self.executor not in EXECUTORS:
            raise InvalidSetting(
                f"CHARTWATCH_EXECUTOR={self.executor!r} is not known; use one of"
                f" {', '.join(EXECUTORS)}"
            )
        if self.panel and not self.panel_path.is_file():
            raise InvalidSetting(
                f"CHARTWATCH_PANEL={self.panel!r}: no such file; give a CSV with the header"
                " store,app_id, or leave it empty for the sample's seeded 10% draw"
            )
        for feed in self.legacy_feed_list:
            if not re.fullmatch(LEGACY_FEED_NAME, feed) or "__genre" in feed:
                raise InvalidSetting(
                    f"CHARTWATCH_LEGACY_FEEDS: {feed!r} is not a legacy iTunes chart feed; use"
                    " top{free,paid,grossing}[ipad]applications, e.g. topgrossingapplications"
                )
        for name, value, minimum in (
            ("CHARTWATCH_WAREHOUSE_WAIT", self.warehouse_wait, 0),
            ("CHARTWATCH_HTTP_TIMEOUT", self.http_timeout, 1e-9),
            ("CHARTWATCH_HTTP_RETRIES", self.http_retries, 0),
            ("CHARTWATCH_DAY_WORKERS", self.day_workers, 1),
            ("CHARTWATCH_BACKFILL_DAYS", self.backfill_days, 0),
        ):
            if not minimum <= value < float("inf"):
                raise InvalidSetting(f"{name}={value!r} is below its minimum of {minimum:g}")
        check_memory_limit(self.duckdb_memory)
        for genre in self.genre_list:
            if not genre.isdigit():
                raise InvalidSetting(
                    f"CHARTWATCH_GENRES: {genre!r} is not an App Store genre id (digits, e.g. 6014)"
                )

    @property
    def panel_path(self) -> Path:
        return Path(self.panel)

    @property
    def legacy_feed_list(self) -> list[str]:
        return [f.strip() for f in self.legacy_feeds.split(",") if f.strip()]

    @property
    def genre_list(self) -> list[str]:
        return [g.strip() for g in self.genres.split(",") if g.strip()]

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    @property
    def root(self) -> Path:
        """The data folder: a Path, or for s3:// a UPath with the same operations."""
        return data_root(self.data_dir)

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def lake_dir(self) -> Path:
        return self.root / "lake"

    @property
    def warehouse_path(self) -> Path:
        if self.warehouse:
            return Path(self.warehouse)
        root = self.root
        if is_remote(root):
            return Path(".chartwatch", str(root).partition("://")[2], "warehouse.duckdb")
        return root / "warehouse.duckdb"

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

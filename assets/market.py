"""The market the assets talk to, as a Dagster resource: the sample market (simulated,
offline, the default) or the live one (the real feeds and APIs, and the files a user
imported). Sample and live are the same asset graph with the same code paths; this
resource, chosen by CHARTWATCH_SOURCE (``pipelines/resources.py``), is all that
differs, as a snapshot client and a live client differ in Dagster's own examples.

A market answers three questions: what a source says on a range of days (each day's
``FetchReport``, its responses archived), what the rows of imported estimates are
labelled, and which apps calibrate the rank model when CHARTWATCH_PANEL is not set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import ClassVar

import dagster as dg
import polars as pl

from assets.fetching import FetchReport, Request
from assets.live import live_client
from assets.partitions import map_days
from assets.rank_model import model
from assets.raw import RawArchiveConflict, RawResponse, archive, archive_remote
from assets.resources import ChartwatchConfig
from assets.sample_market.source import check_window, sample_market
from assets.sources.source import Source
from warehouse.objects import is_remote


class MarketClient(dg.ConfigurableResource):
    """What the raw assets fetch from, and the rules that depend on it."""

    # The source label of estimates found in the archive's vendor_estimates folder.
    imported_as: ClassVar[str] = "import"

    def extract(
        self, source: Source, config: ChartwatchConfig, dates: list[dt.date]
    ) -> Iterator[tuple[dt.date, FetchReport]]:
        """Each day's report of ``source`` over ``dates``, in date order, after its
        responses are archived."""
        raise NotImplementedError

    def default_panel(self, estimates: pl.DataFrame) -> pl.DataFrame:
        """The apps whose known downloads calibrate the rank model (store, app_id)."""
        raise NotImplementedError


class LiveMarketClient(MarketClient):
    """The real world: each source's live fetch (``fetch_day`` in its folder), with one
    HTTP client for the run, day by day."""

    def extract(self, source, config, dates):
        with live_client(config) as client:
            for date in dates:
                yield date, source.fetch(config, date, client)

    def default_panel(self, estimates):
        # Every app with imported or vendor figures.
        return estimates.select("store", "app_id").unique()


class SampleMarketClient(MarketClient):
    """The built-in sample market: each source's rendering of the simulated market
    (``render.py`` in its folder), archived as the live fetch would archive it."""

    imported_as: ClassVar[str] = "sample"

    def extract(self, source, config, dates):
        check_window(dates)
        if source.render is None:
            note = f"the sample market has no {source.name} data"
            for date in dates:
                yield date, FetchReport(notes=[note])
            return

        def day(date: dt.date) -> FetchReport:
            report = FetchReport()
            responses = list(source.render(sample_market(), config, [date]))
            for response, new in zip(responses, _archive(config, responses), strict=True):
                request = Request(
                    response.source,
                    response.date,
                    response.country,
                    response.item,
                    f"sample:{response.source}/{response.country}/{response.item}",
                    "sample response",
                )
                if new:
                    report.archived.append(request)
                    report.bytes_archived += len(response.body)
                else:
                    report.already_archived.append(request)
            return report

        yield from map_days(day, dates, config.day_workers)

    def default_panel(self, estimates):
        # A seeded tenth of the apps with estimates: the rest test the model (make backtest).
        return model.drawn_panel(estimates)


def _archive(config: ChartwatchConfig, responses: list[RawResponse]) -> list[bool]:
    """Archive a day's responses; whether each was written. On an object store they are
    written concurrently (create-only PUTs), not one request after another."""
    try:
        if is_remote(config.raw_dir):
            return archive_remote(responses, config.raw_dir) if responses else []
        return [archive(config.raw_dir, response) for response in responses]
    except RawArchiveConflict as error:
        raise RawArchiveConflict(
            f"{error} In sample mode this means {config.raw_dir} was made by another"
            " version of the sample market (it changed with this checkout): `make clean`"
            " deletes the data directory and the Dagster instance, then `make demo`"
            " rebuilds them; or set CHARTWATCH_DATA_DIR to a new folder."
        ) from error


def market_for(config: ChartwatchConfig) -> MarketClient:
    """The market of a configuration (CHARTWATCH_SOURCE: sample or live)."""
    return LiveMarketClient() if config.source == "live" else SampleMarketClient()


def resources_for(config: ChartwatchConfig) -> dict[str, dg.ConfigurableResource]:
    """The resources every asset of a configuration uses."""
    return {"chartwatch": config, "market": market_for(config)}

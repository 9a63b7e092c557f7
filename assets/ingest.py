"""Extraction assets, one per source of the registry (``assets/sources``): fetch a
day for every configured country from the market (``assets/market.py``: the sample
market or the live one) and archive each response byte for byte under data/raw/
(see docs/raw-formats.md).

The archive is append-only: a response already archived with the same bytes is
left alone, so re-materialising a partition is a no-op. Each day is fetched and
archived before the next, so a range backfill holds one day in memory. A failure of
some requests fails the run after everything that worked is archived; running the
partition again fetches only what is missing.
"""

import dagster as dg

from assets.fetching import FetchReport
from assets.market import MarketClient
from assets.partitions import partition_dates, single_run
from assets.resources import ChartwatchConfig
from assets.sources import SOURCES
from assets.sources.source import Source
from warehouse.progress import Progress
from warehouse.units import human_bytes, plural

# Failed requests logged one by one; the rest are counted (all are in the metadata).
MAX_ERROR_LINES = 20


def extraction_asset(
    source: Source, partitions: dg.PartitionsDefinition, policy: dg.BackfillPolicy = single_run
) -> dg.AssetsDefinition:
    """The raw asset of a source: raw/<name>."""
    name = source.name

    @dg.asset(
        key=["raw", name],
        group_name="ingest",
        kinds=set(source.kinds),
        description=source.description,
        deps=[dg.AssetKey(["raw", name]) for name in source.reads],
        partitions_def=partitions,
        backfill_policy=policy,
        # Every source is archived before anything is parsed: the feeds are snapshots
        # of the day, and a run that stops in the lake leaves the archive whole.
        op_tags={"dagster/priority": "1"},
    )
    def _extract(
        context: dg.AssetExecutionContext, chartwatch: ChartwatchConfig, market: MarketClient
    ) -> dg.MaterializeResult:
        dates = partition_dates(context)
        stretch = f"{name} {dates[0]}..{dates[-1]}" if len(dates) > 1 else f"{name} {dates[0]}"
        progress = Progress(context.log.info, stretch, len(dates))
        report = FetchReport()
        errors_shown = 0
        for date, day in market.extract(source, chartwatch, dates):
            report.merge(day)
            if day.archived or day.already_archived or day.empty or day.failures:
                ok = sorted({r.country for r in day.archived + day.already_archived})
                context.log.debug(
                    f"{name} {date}: {day.summary()}; countries with data: {len(ok)}"
                    + (f"; failed: {', '.join(day.failed_countries)}" if day.failures else "")
                )
            for failure in day.failures:
                if errors_shown < MAX_ERROR_LINES:
                    context.log.error(failure.message)
                errors_shown += 1
            progress.advance(count=1)
        if errors_shown > MAX_ERROR_LINES:
            context.log.error(
                f"{stretch}: {errors_shown - MAX_ERROR_LINES} more failed requests; every one"
                " is in the step's `failures` metadata"
            )
        # Why a source did nothing (no token, not simulated): once, not once a day.
        for note in report.notes:
            context.log.info(f"{stretch}: {note}")
        for what, requests in (
            ("unavailable (the source answered 403 or 404; recorded)", report.unavailable),
            ("lacking from the archive (a past day cannot be fetched)", report.lacking),
        ):
            if requests:
                context.log.warning(f"{stretch}: {len(requests):,} {what}: {_listed(requests)}")
        if report.archived or report.already_archived or report.failures or report.unavailable:
            counts = [
                f"{len(report.archived):,} fetched and archived"
                f" ({human_bytes(report.bytes_archived)})",
                *(
                    f"{count:,} {what}"
                    for count, what in (
                        (len(report.already_archived), "already archived"),
                        (len(report.empty), "without data"),
                        (len(report.unavailable), "unavailable"),
                        (len(report.lacking), "lacking"),
                        (len(report.failures), "failed"),
                    )
                    if count
                ),
            ]
            context.log.info(
                f"{stretch}: {plural(len(dates), 'day')}, {', '.join(counts)}, in"
                f" {progress.elapsed}"
            )
        metadata = {
            "days": len(dates),
            "fetched": len(report.archived),
            "already_archived": len(report.already_archived),
            "without_data": len(report.empty),
            "failed": len(report.failures),
            "unavailable": len(report.unavailable),
            "lacking": len(report.lacking),
            "failed_countries": ", ".join(report.failed_countries) or "none",
            "bytes_written": dg.MetadataValue.int(report.bytes_archived),
            "archive": dg.MetadataValue.path(str(chartwatch.raw_dir)),
        }
        for key, requests in (
            ("unavailable_charts", report.unavailable),
            ("lacking_charts", report.lacking),
        ):
            if requests:
                metadata[key] = dg.MetadataValue.md(
                    "| date | country | what |\n|---|---|---|\n"
                    + "\n".join(f"| {r.date} | {r.country} | {r.what} |" for r in requests[:500])
                )
        if report.failures:
            table = "\n".join(
                f"| {f.request.date} | {f.request.country} | {f.request.what} | {f.problem[:300]} |"
                for f in report.failures[:200]
            )
            metadata["failures"] = dg.MetadataValue.md(
                "| date | country | what | problem |\n|---|---|---|---|\n" + table
            )
            raise dg.Failure(
                description=(
                    f"{name}: {len(report.failures)} of"
                    f" {len(report.failures) + len(report.archived)} requests failed"
                    f" (countries: {', '.join(report.failed_countries)}); everything that"
                    " worked is archived, and running the partition again fetches only what"
                    f" is missing. First failure: {report.failures[0].message}"
                ),
                metadata=metadata,
            )
        return dg.MaterializeResult(metadata=metadata)

    return _extract


def _listed(requests, shown: int = 6) -> str:
    """The first few requests as "2025-01-27 us top-free chart", and how many more."""
    named = [f"{r.date} {r.country} {r.what}" for r in requests[:shown]]
    more = len(requests) - shown
    return "; ".join(named) + (
        f"; and {more:,} more (the step's metadata lists them)" if more > 0 else ""
    )


def raw_assets(
    partitions: dg.PartitionsDefinition, policy: dg.BackfillPolicy = single_run
) -> dict[str, dg.AssetsDefinition]:
    """The raw asset of every source of the registry, by source name."""
    return {source.name: extraction_asset(source, partitions, policy) for source in SOURCES}

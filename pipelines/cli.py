"""Command line: materialise a date range as one Dagster run, or import files.

    python -m pipelines.cli materialize --start 2025-01-01 --end 2025-02-09
    python -m pipelines.cli import google_play --date 2025-01-27 --country us topselling_free.json

The run is recorded in $DAGSTER_HOME like a run launched from the UI (it shows
in the UI's run history and asset catalog), and covers the whole range in a
single process, exactly as a UI backfill of the same range does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
from collections.abc import Collection
from pathlib import Path

import dagster as dg

from assets.partitions import daily_partitions
from assets.sample_market.source import sample_market
from pipelines.definitions import defs
from pipelines.jobs import daily_pipeline


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from exc


def materialize(
    start: dt.date,
    end: dt.date,
    instance: dg.DagsterInstance | None = None,
    definitions: dg.Definitions | None = None,
    assets: Collection[dg.AssetKey] | None = None,
) -> dg.ExecuteInProcessResult:
    """Run the daily pipeline (or the given assets of it) over start..end (inclusive) as one run."""
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    definitions = definitions or defs
    job = definitions.resolve_job_def(daily_pipeline.name)
    if simulates_sample_market(definitions, assets):
        # Simulate the sample market while Dagster records the run's planned
        # materialisations (seconds of run-storage writes); the extraction assets
        # then find it ready.
        threading.Thread(target=sample_market, daemon=True).start()
    return job.execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        instance=instance or dg.DagsterInstance.get(),
        tags={
            "dagster/asset_partition_range_start": start.isoformat(),
            "dagster/asset_partition_range_end": end.isoformat(),
        },
        raise_on_error=False,
        asset_selection=sorted(assets, key=lambda k: k.to_user_string()) if assets else None,
    )


def simulates_sample_market(
    definitions: dg.Definitions, assets: Collection[dg.AssetKey] | None
) -> bool:
    """Whether a run of ``assets`` (None: all) renders the sample market: only the raw
    assets do, in sample mode. A run of the lake and warehouse alone (a re-parse, a
    rebuild) is spared the simulation's CPU seconds and half a gigabyte."""
    if definitions.resources["chartwatch"].source != "sample":
        return False
    return assets is None or any(key.path[0] == "raw" for key in assets)


def failed_runs(
    start: dt.date,
    end: dt.date,
    instance: dg.DagsterInstance,
    definitions: dg.Definitions | None = None,
) -> list[tuple[frozenset[dg.AssetKey], dt.date, dt.date]]:
    """What re-runs only the failed days of start..end: (assets, first day, last day) per run.

    A day is failed for an asset when its latest materialisation attempt failed (a day
    that broke a check, or a warehouse day whose run stopped). Days are grouped into
    runs of consecutive days with the same failed assets, in date order. Assets of the
    job that are not partitioned (the reports of the latest day) join the last run.
    """
    definitions = definitions or defs
    job = definitions.resolve_job_def(daily_pipeline.name)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    keys = [str(day) for day in days]
    failed: dict[dt.date, set[dg.AssetKey]] = {day: set() for day in days}
    graph = job.asset_layer.asset_graph
    keys_of_job = sorted(job.asset_layer.executable_asset_keys, key=lambda k: k.to_user_string())
    latest_only = {key for key in keys_of_job if graph.get(key).partitions_def is None}
    for key in keys_of_job:
        if key in latest_only:
            continue
        statuses = instance.get_status_by_partition(key, keys, daily_partitions) or {}
        for day in days:
            if statuses.get(str(day)) == dg.AssetPartitionStatus.FAILED:
                failed[day].add(key)
    runs: list[tuple[frozenset[dg.AssetKey], dt.date, dt.date]] = []
    for day in days:
        assets = frozenset(failed[day])
        if not assets:
            continue
        if runs and runs[-1][0] == assets and runs[-1][2] == day - dt.timedelta(days=1):
            runs[-1] = (assets, runs[-1][1], day)
        else:
            runs.append((assets, day, day))
    if runs and latest_only:
        assets, first, last = runs[-1]
        runs[-1] = (assets | latest_only, first, last)
    return runs


def failure_text(event: dg.DagsterEvent) -> str:
    """What a failed step says: a raised Failure's own description, else the error's."""
    data = event.step_failure_data
    if data.user_failure_data and data.user_failure_data.description:
        return data.user_failure_data.description
    error = data.error
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip() if error else ""


# Sources whose files arrive by import, with the file suffix each expects.
IMPORTS = {
    "google_play": ".json",
    "vendor_estimates": ".csv",
    "apple_rss": ".json",
    "itunes_rss": ".json",
}


def import_files(
    source: str, date: dt.date, country: str, files: list[Path], raw_root: Path
) -> list[Path]:
    """Check each file with its source's parser, then archive it unchanged.

    Every file is checked before any is archived, so a bad one leaves the archive
    as it was; an archived file is never replaced by different bytes.
    """
    from assets.apple.parse import parse_current_rss, parse_legacy_rss
    from assets.estimates.parse import parse_estimates_csv
    from assets.google_play.parse import parse_google_play_charts
    from assets.markets import parse_country_list
    from assets.raw import RawResponse, archive, partition_dir, response_batch

    parsers = {
        "google_play": parse_google_play_charts,
        "vendor_estimates": lambda batch: parse_estimates_csv(batch, source="import"),
        "apple_rss": parse_current_rss,
        "itunes_rss": parse_legacy_rss,
    }
    if source not in IMPORTS:
        raise ValueError(f"cannot import {source!r}; importable sources: {', '.join(IMPORTS)}")
    codes = parse_country_list(country)
    if len(codes) != 1:
        raise ValueError(f"--country takes one storefront code, got {country!r}")
    country = codes[0]
    responses = []
    for path in files:
        if path.suffix != IMPORTS[source]:
            raise ValueError(f"{path}: {source} files are {IMPORTS[source]} files")
        response = RawResponse(source, date, country, path.name, path.read_bytes())
        parsers[source](response_batch(response))  # raises RawFileError naming the problem
        responses.append(response)
    for response in responses:
        archive(raw_root, response)
    return [partition_dir(raw_root, source, date, country) / r.item for r in responses]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.cli", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "materialize", help="raw -> lake -> warehouse for a date range, in one run"
    )
    run.add_argument("--start", type=_date, required=True)
    run.add_argument("--end", type=_date, required=True)
    run.add_argument(
        "--failed-only",
        action="store_true",
        help="re-run only the days (and assets) of the range whose last attempt failed",
    )
    imp = commands.add_parser(
        "import",
        help="check files of a documented shape (docs/raw-formats.md) and add them to the raw archive",
    )
    imp.add_argument("source", choices=sorted(IMPORTS))
    imp.add_argument("--date", type=_date, required=True, help="the day the files describe")
    imp.add_argument("--country", required=True, help="the storefront the files describe")
    imp.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)

    if args.command == "import":
        from assets.raw import RawArchiveConflict, RawFileError
        from pipelines.resources import chartwatch_from_env

        try:
            archived = import_files(
                args.source, args.date, args.country, args.files, chartwatch_from_env().raw_dir
            )
        except (ValueError, OSError, RawFileError, RawArchiveConflict) as exc:
            print(f"import failed, nothing was archived: {exc}", file=sys.stderr)
            return 1
        for path in archived:
            print(f"archived {path}")
        print(f"now materialise {args.date} (make backfill START={args.date} END={args.date})")
        return 0

    if args.end < args.start:
        parser.error(f"--end {args.end} is before --start {args.start}")
    if args.failed_only:
        plan = failed_runs(args.start, args.end, dg.DagsterInstance.get())
        if not plan:
            print(f"nothing failed in {args.start}..{args.end}: nothing to re-run")
            return 0
    else:
        plan = [(frozenset(), args.start, args.end)]
    status = 0
    for assets, start, end in plan:
        status |= _run_and_report(start, end, assets)
    return status


def _run_and_report(start: dt.date, end: dt.date, assets: frozenset[dg.AssetKey]) -> int:
    began = time.monotonic()
    result = materialize(start, end, assets=assets or None)
    seconds = time.monotonic() - began
    days = (end - start).days + 1
    what = f"{', '.join(sorted(k.to_user_string() for k in assets))} for " if assets else ""
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(f"FAILED {event.step_key}: {failure_text(event)}", file=sys.stderr)
        print(
            f"run {result.run_id} ({what}{start}..{end}) failed after {seconds:.0f}s;"
            " see `make ui` for its logs",
            file=sys.stderr,
        )
        return 1
    print(
        f"materialised {what}{days} days ({start}..{end}) in one run ({result.run_id})"
        f" in {seconds:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

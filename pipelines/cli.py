"""Command line: materialise a date range as one Dagster run, or import files.

    python -m pipelines.cli materialize --start 2025-01-01 --end 2025-02-09
    python -m pipelines.cli import google_play --date 2025-01-27 --country us --files topselling_free.json

The run is recorded in $DAGSTER_HOME like a run launched from the UI (it shows
in the UI's run history and asset catalog), and covers the whole range in a
single process, exactly as a UI backfill of the same range does.

Before anything is recorded, every value is checked (the days, the settings of the
environment) and every run of the instance whose process died is marked failed,
its pool slots freed (``pipelines/runs.py``). The run itself executes in a child
process that this one watches: it says when a step waits for a pool slot and which
run holds it, stops the run cleanly on Ctrl-C or SIGTERM (within seconds: a step
that does not stop is killed and its run marked failed), and marks the run failed
if its process dies.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Collection
from pathlib import Path

import dagster as dg

from assets.partitions import daily_partitions, partition_window
from assets.resources import ChartwatchConfig
from pipelines.errors import explain
from pipelines.inputs import file_list, flag, iso_date
from pipelines.jobs import daily_pipeline
from pipelines.runs import (
    FINISHED_STATUSES,
    describe,
    fail_dead_run,
    process_tags,
    recover,
    run_worker,
    wait_message,
    waits_of,
)
from warehouse.errors import ChartwatchError, InvalidSetting
from warehouse.units import plural


def materialize(
    start: dt.date,
    end: dt.date,
    instance: dg.DagsterInstance | None = None,
    definitions: dg.Definitions | None = None,
    assets: Collection[dg.AssetKey] | None = None,
    run_id: str | None = None,
    tags: dict[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """Run the daily pipeline (or the given assets of it) over start..end (inclusive) as one run."""
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    definitions = definitions or _definitions()
    job = definitions.resolve_job_def(daily_pipeline.name)
    if simulates_sample_market(definitions, assets):
        from assets.sample_market.source import sample_market

        # Simulate the sample market while Dagster records the run's planned
        # materialisations (seconds of run-storage writes); the extraction assets
        # then find it ready.
        threading.Thread(target=sample_market, daemon=True).start()
    return job.execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        instance=instance or dg.DagsterInstance.get(),
        tags={
            **(tags or {}),
            "dagster/asset_partition_range_start": start.isoformat(),
            "dagster/asset_partition_range_end": end.isoformat(),
        },
        raise_on_error=False,
        asset_selection=sorted(assets, key=lambda k: k.to_user_string()) if assets else None,
        run_id=run_id,
    )


def _definitions() -> dg.Definitions:
    """The code location (loaded only where a run needs it: the watching process
    starts in a second instead of three)."""
    from pipelines.definitions import defs

    return defs


def simulates_sample_market(
    definitions: dg.Definitions, assets: Collection[dg.AssetKey] | None
) -> bool:
    """Whether a run of ``assets`` (None: all) renders the sample market: only the raw
    assets do, in sample mode. A run of the lake and warehouse alone (a re-parse, a
    rebuild) is spared the simulation's CPU seconds and half a gigabyte."""
    if definitions.resources["chartwatch"].source != "sample":
        return False
    return assets is None or any(key.path[0] == "raw" for key in assets)


def check_days(config: ChartwatchConfig, start: dt.date, end: dt.date) -> None:
    """Refuse, before any run is recorded, days outside the configuration's partitions:
    the sample market's window, or CHARTWATCH_FIRST_DAY to today live."""
    if end < start:
        raise InvalidSetting(f"END {end} is before START {start}: give START <= END")
    first, last = partition_window(daily_partitions(config.source, config.first_day))
    if first <= start and end <= last:
        return
    if config.source == "sample":
        outside = sum(
            1
            for i in range((end - start).days + 1)
            if not first <= start + dt.timedelta(days=i) <= last
        )
        raise InvalidSetting(
            f"the sample market covers {first}..{last} only (its partitions), but"
            f" {start}..{end} asks for {plural(outside, 'day')} outside it; give days inside"
            " that window, or set CHARTWATCH_SOURCE=live for real data. Nothing was run"
        )
    if start < first:
        raise InvalidSetting(
            f"START {start} is before CHARTWATCH_FIRST_DAY={first}, the first day of the"
            " partitions; give days from then on, or set CHARTWATCH_FIRST_DAY earlier (to"
            " import older chart archives)"
        )
    raise InvalidSetting(
        f"END {end} is in the future (today is {last} UTC): no chart of it exists yet"
    )


def check_products(path: Path) -> None:
    """Read the products file as every step will, so that a mistake in it is refused
    before a run starts rather than by each step of it."""
    from warehouse.products import read_products

    read_products(path)


def failed_runs(
    start: dt.date,
    end: dt.date,
    instance: dg.DagsterInstance,
    definitions: dg.Definitions | None = None,
) -> list[tuple[frozenset[dg.AssetKey], dt.date, dt.date]]:
    """What re-runs only the failed days of start..end: (assets, first day, last day) per run.

    A day is failed for an asset when its latest materialisation attempt failed (a day
    that broke a check, a warehouse day whose run stopped, or any day of a run whose
    process died: ``recover`` marks such runs failed). Days are grouped into runs of
    consecutive days with the same failed assets, in date order. Assets of the job that
    are not partitioned (the reports of the latest day) join the last run.
    """
    definitions = definitions or _definitions()
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
        statuses = instance.get_status_by_partition(key, keys, job.partitions_def) or {}
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
    """What a failed step says: a raised Failure's own description, else Chartwatch's
    message with the root cause behind it (``pipelines/errors.py``)."""
    data = event.step_failure_data
    if data.user_failure_data and data.user_failure_data.description:
        return data.user_failure_data.description
    return explain(data.error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.cli", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "materialize", help="raw -> lake -> warehouse for a date range, in one run"
    )
    run.add_argument("--start", type=iso_date, required=True, help="first day, YYYY-MM-DD")
    run.add_argument("--end", type=iso_date, required=True, help="last day, YYYY-MM-DD")
    run.add_argument(
        "--via",
        default="pipelines.cli",
        help="what launched it, for the run's tags (make backfill)",
    )
    run.add_argument(
        "--failed-only",
        nargs="?",
        type=flag,
        const=True,
        default=False,
        metavar="YES",
        help="re-run only the days (and assets) of the range whose last attempt failed"
        " (also FAILED=1 in make)",
    )
    worker = commands.add_parser("run")  # the child process of `materialize`
    worker.add_argument("--run-id", required=True)
    worker.add_argument("--start", type=iso_date, required=True)
    worker.add_argument("--end", type=iso_date, required=True)
    worker.add_argument("--asset", action="append", default=[])
    worker.add_argument("--via", default="pipelines.cli")
    imp = commands.add_parser(
        "import",
        help="check files of a documented shape (docs/raw-formats.md) and add them to the raw archive",
    )
    from assets.sources import importable

    imp.add_argument("source", nargs="?", default="", help=", ".join(sorted(importable())))
    imp.add_argument("--date", default="", help="the day the files describe")
    imp.add_argument("--country", default="", help="the storefront the files describe")
    imp.add_argument(
        "--files", default="", help="the files, separated by spaces (quote a name that holds one)"
    )
    args = parser.parse_args(argv)
    if args.command == "import":
        _check_import_arguments(imp, args, sorted(importable()))
    try:
        if args.command == "import":
            return _import(args)
        if args.command == "run":
            return _run_child(args)
        return _materialize(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


IMPORT_EXAMPLE = (
    "make import SOURCE=google_play DATE=2025-01-27 COUNTRY=us"
    ' FILES="topselling_free.json topgrossing.json"'
)
SPAN_EXAMPLE = 'make import SOURCE=app_store_connect_sales FILES="S_D_80012345_20250127.txt.gz"'


def _check_import_arguments(
    parser: argparse.ArgumentParser, args: argparse.Namespace, sources: list[str]
) -> None:
    """SOURCE and FILES, and DATE and COUNTRY where the files do not say them, each
    valid; else one message that names what is missing or wrong, what is valid, and an
    example."""
    from assets.imports import spans_itself

    spans = spans_itself(args.source)
    given = {"SOURCE": args.source, "FILES": args.files}
    if not spans:
        given |= {"DATE": args.date, "COUNTRY": args.country}
    missing = [name for name, value in given.items() if not value.strip()]
    if missing:
        parser.exit(
            2,
            f"make import needs SOURCE and FILES, and DATE and COUNTRY for files that do not"
            f" say them; missing: {', '.join(missing)}. For example:\n  {IMPORT_EXAMPLE}\n"
            f"  {SPAN_EXAMPLE}\nSOURCE is one of {', '.join(sources)}"
            " (docs/raw-formats.md shows each file's shape).\n",
        )
    if args.source not in sources:
        parser.exit(
            2,
            f"SOURCE={args.source!r} is not importable; use one of {', '.join(sources)}"
            f" (docs/raw-formats.md shows each file's shape). For example:\n  {IMPORT_EXAMPLE}\n",
        )
    try:
        args.date = iso_date(args.date) if args.date.strip() else None
        args.files = file_list(args.files)
    except argparse.ArgumentTypeError as error:
        which = "FILES" if args.date is None or isinstance(args.date, dt.date) else "DATE"
        parser.exit(2, f"{which}: {error}\n")


def _import(args: argparse.Namespace) -> int:
    from assets.imports import import_files, spans_itself
    from assets.storefronts import APP_STORE_COUNTRIES, GOOGLE_PLAY_COUNTRIES
    from pipelines.resources import chartwatch_from_env

    try:
        config = chartwatch_from_env()
        config.check()
        country = args.country.strip().lower() or None
        storefronts = GOOGLE_PLAY_COUNTRIES if "google_play" in args.source else APP_STORE_COUNTRIES
        if spans_itself(args.source):
            storefronts = sorted({*APP_STORE_COUNTRIES, *GOOGLE_PLAY_COUNTRIES})
        if country is not None and country not in storefronts:
            raise InvalidSetting(
                f"COUNTRY={args.country!r} is not a {args.source} storefront: give one lower-case"
                f" code, e.g. us (storefronts: {' '.join(storefronts)})"
            )
        if args.date is not None:
            check_days(config, args.date, args.date)
        imported = import_files(
            args.source,
            args.date,
            country,
            args.files,
            config.raw_dir,
            window=lambda first, last: check_days(config, first, last),
        )
    except (ChartwatchError, OSError) as exc:
        print(f"import failed, nothing was archived: {exc}", file=sys.stderr)
        return 1
    days: set[dt.date] = set()
    for done in imported:
        renamed = f" (from {done.source_file})" if done.source_file.name != done.path.name else ""
        state = "archived" if done.written else "already archived, unchanged:"
        if not done.written and not done.days and spans_itself(args.source):
            state = "not archived (the archive already has every day of it, from a newer copy):"
        gives = (
            f"; rows of {_days_span(done.days)}" if done.days and spans_itself(args.source) else ""
        )
        print(f"{state} {done.path}{renamed}{gives}")
        days.update(done.days or ([args.date] if args.date else []))
    if days:
        first, last = min(days), max(days)
        print(
            f"now materialise {_days_span((first, last))} (make backfill START={first} END={last})"
        )
    return 0


def _days_span(days) -> str:
    first, last = min(days), max(days)
    return str(first) if first == last else f"{first}..{last}"


def _materialize(args: argparse.Namespace) -> int:
    from pipelines.resources import chartwatch_from_env

    try:
        config = chartwatch_from_env()
        config.check()
        check_products(config.products_path)
        check_days(config, args.start, args.end)
    except ChartwatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    instance = _open_instance()
    for note in recover(instance):
        print(f"recovered: {note}", file=sys.stderr)
    if args.failed_only:
        plan = failed_runs(args.start, args.end, instance)
        if not plan:
            print(f"nothing failed in {args.start}..{args.end}: nothing to re-run")
            return 0
    else:
        plan = [(frozenset(), args.start, args.end)]
    status = 0
    for assets, start, end in plan:
        status = max(status, Supervisor(instance, start, end, assets, args.via).run())
        if status >= 128:  # interrupted: do not start the next stretch
            break
    return status


def _open_instance() -> dg.DagsterInstance:
    """The instance of $DAGSTER_HOME, its storage created under a lock: two commands
    started at once on a new instance would both create its tables, and one fail."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.get()
    from assets.storage import folder_lock

    with folder_lock(Path(home)):
        instance = dg.DagsterInstance.get()
        instance.get_runs(limit=1)  # creates the run storage if it is new
        instance.event_log_storage.get_concurrency_keys()  # and the event log's
    return instance


def _run_child(args: argparse.Namespace) -> int:
    """The run itself (the child process ``materialize`` watches)."""
    start, end = args.start, args.end
    assets = frozenset(dg.AssetKey.from_user_string(key) for key in args.asset)
    began = time.monotonic()
    result = materialize(
        start,
        end,
        assets=assets or None,
        run_id=args.run_id,
        tags=process_tags(args.via),
    )
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
        f"materialised {what}{plural(days, 'day')} ({start}..{end}) in one run ({result.run_id})"
        f" in {seconds:.0f}s"
    )
    return 0


def _child_process_options() -> dict:
    """On Linux the run gets a process group of its own, so a terminal's Ctrl-C reaches
    this process alone (which passes it on once: Dagster's helper processes are spared a
    signal they answer with a traceback), and dies with this process (a kill of this
    process group, an OOM kill, still ends the run). Elsewhere it shares this group."""
    if not sys.platform.startswith("linux"):
        return {}
    parent = os.getpid()

    def die_with_parent() -> None:  # runs in the child, before it execs Python
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return {"process_group": 0, "preexec_fn": die_with_parent}


PR_SET_PDEATHSIG = 1  # linux/prctl.h


class Supervisor:
    """Runs one Dagster run in a child process and watches it (see the module docstring)."""

    # Seconds a run has to stop after Ctrl-C or SIGTERM before its process is killed.
    GRACE = 10.0
    POLL = 1.0

    def __init__(
        self,
        instance: dg.DagsterInstance,
        start: dt.date,
        end: dt.date,
        assets: frozenset[dg.AssetKey],
        via: str = "pipelines.cli",
    ) -> None:
        from dagster._core.utils import make_new_run_id

        self.instance = instance
        self.run_id = make_new_run_id()
        self.argv = [
            sys.executable,
            "-m",
            "pipelines.cli",
            "run",
            "--run-id",
            self.run_id,
            "--start",
            start.isoformat(),
            "--end",
            end.isoformat(),
            *(arg for key in sorted(assets) for arg in ("--asset", key.to_user_string())),
            "--via",
            via,
        ]
        self.signals: list[int] = []
        self.forwarded = False
        self.deadline: float | None = None
        self.told: set[tuple[str, tuple[str, ...]]] = set()

    def run(self) -> int:
        child = subprocess.Popen(self.argv, **_child_process_options())
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            while child.poll() is None:
                try:
                    child.wait(timeout=self.POLL)
                except subprocess.TimeoutExpired:
                    self._watch(child)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self._settle(child.returncode)

    def _on_signal(self, signum: int, _frame) -> None:
        self.signals.append(signum)
        name = signal.Signals(signum).name
        if len(self.signals) == 1:
            self.deadline = time.monotonic() + self.GRACE
            print(
                f"{name}: stopping run {self.run_id} (it has {self.GRACE:.0f}s to stop cleanly;"
                " press Ctrl-C again to stop it at once)",
                file=sys.stderr,
            )
        else:
            self.deadline = time.monotonic()

    def _watch(self, child: subprocess.Popen) -> None:
        """Between waits: pass a stop on, say what the run waits for, unblock it."""
        waits = waits_of(self.instance, self.run_id)
        if self.signals:
            if not self.forwarded:
                # Pass the stop on to the run, once (on Linux it is in a group of its
                # own, so a terminal's Ctrl-C reached only this process).
                self.forwarded = True
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signal.SIGINT)
            if waits or (self.deadline is not None and time.monotonic() >= self.deadline):
                # A run waiting for a slot has nothing to clean up; past the grace
                # period, the run is not stopping.
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
            return
        for wait in waits:
            self._unblock(wait)

    def _unblock(self, wait) -> None:
        """Say once which runs hold the slot a step waits for; fail those that are dead."""
        for holder_id in wait.holders:
            holder = self.instance.get_run_by_id(holder_id)
            if holder is not None and holder.status not in FINISHED_STATUSES:
                worker = run_worker(self.instance, holder)
                if worker.status == "dead":
                    fail_dead_run(self.instance, holder, f"its {worker.detail} is gone")
                    print(
                        f"run {holder_id} ({describe(holder)}) held the '{wait.pool}' pool but"
                        f" its {worker.detail} is gone: marked failed, its slot freed",
                        file=sys.stderr,
                    )
                    continue
        key = (wait.step_key, wait.holders)
        if key in self.told or not wait.holders:  # no holder: the slot is changing hands
            return
        self.told.add(key)
        message = wait_message(self.instance, wait)
        print(message, file=sys.stderr)
        run = self.instance.get_run_by_id(self.run_id)
        if run is not None:
            self.instance.report_engine_event(message, run)

    def _settle(self, returncode: int) -> int:
        """After the child: a run it left unfinished is marked failed; the exit status."""
        run = self.instance.get_run_by_id(self.run_id)
        if returncode < 0:
            how = f"was killed by {signal.Signals(-returncode).name}"
        else:
            how = f"exited with status {returncode}"
        if run is not None and run.status not in FINISHED_STATUSES:
            fail_dead_run(self.instance, run, f"its process {how} before the run finished")
            print(
                f"run {self.run_id} did not finish (its process {how}): marked failed, its pool"
                " slots freed; `make backfill FAILED=1 START=... END=...` re-runs what it left"
                " undone",
                file=sys.stderr,
            )
        if self.signals:
            return 128 + self.signals[0]
        return 0 if returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Make variables reach programs as data: a value holding shell or make syntax is
never run, every value is checked before a run is recorded or a file written, and a
DAGSTER_HOME of the user's is used (never overwritten or deleted)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import REPO


def _user_variables() -> set[str]:
    """The Makefile's USER_VARIABLES: `make test` exports them (with their defaults) to
    pytest, and a make run by a test must not take them as a person's settings."""
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    listed = re.search(r"^USER_VARIABLES := ((?:.*\\\n)*.*)$", text, re.MULTILINE).group(1)
    return set(listed.replace("\\\n", " ").split()) - {"PYTHON"}


def _make(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CHARTWATCH_", "MAKE"))}
    for name in _user_variables():
        base.pop(name, None)
    base.pop("MFLAGS", None)
    base.update(
        CHARTWATCH_DATA_DIR=str(tmp_path / "data"),
        DAGSTER_HOME=str(tmp_path / "home"),
        CHARTWATCH_COUNTRIES="us,gb,eg",
    )
    base.update(env)
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", str(REPO), *args],
        env=base,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )


def _runs(home: Path) -> list:
    if not (home / "dagster.yaml").exists():
        return []
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return list(instance.get_runs())


@pytest.mark.parametrize(
    "variable",
    [
        "START=2025-01-20; touch pwned",
        "END=2025-01-23 && touch pwned",
        "START=$(shell touch pwned)",
        "START=`touch pwned`",
        "END=$$(touch pwned)",
        "FAILED=1; touch pwned",
    ],
)
def test_a_value_with_shell_or_make_syntax_is_refused_and_never_run(tmp_path, variable):
    done = _make(tmp_path, "backfill", variable)

    assert not (tmp_path / "pwned").exists() and not (REPO / "pwned").exists()
    assert done.returncode != 0
    assert "is not a date" in done.stderr or "is not a yes/no value" in done.stderr
    assert _runs(tmp_path / "home") == []  # nothing was recorded
    assert not (tmp_path / "data").exists()  # nothing was written


@pytest.mark.parametrize(
    ("variables", "said"),
    [
        (["PRODUCT=it's", "DATE=2025-01-27"], "is not a product key"),
        (["PRODUCT=../../../x", "DATE=2025-01-27"], "is not a product key"),
        (["PRODUCT=deepseek", "DATE=2025-13-01"], "is not a date"),
        (["PRODUCT=deepseek", "FORMAT=pdf; touch pwned"], "invalid choice"),
    ],
)
def test_report_values_are_checked(tmp_path, variables, said):
    done = _make(tmp_path, "report", *variables)

    assert done.returncode == 2 and said in done.stderr, done.stderr
    assert not (tmp_path / "pwned").exists()


def test_settings_a_run_cannot_use_are_refused_before_any_run_is_recorded(tmp_path):
    unknown = _make(tmp_path, "backfill", CHARTWATCH_COUNTRIES="us,zz")
    outside = _make(tmp_path, "backfill", "START=2025-03-01", "END=2025-03-02")
    future = _make(
        tmp_path, "backfill", "START=2025-01-20", "END=2099-01-01", CHARTWATCH_SOURCE="live"
    )

    assert unknown.returncode == 2 and "unknown country codes zz" in unknown.stderr
    assert outside.returncode == 2 and "sample market covers" in outside.stderr
    assert future.returncode == 2 and "is in the future" in future.stderr
    assert _runs(tmp_path / "home") == []
    assert not (tmp_path / "data").exists()


def test_a_dagster_home_of_the_users_is_used_and_never_overwritten(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    mine = "telemetry:\n  enabled: false\n"
    (home / "dagster.yaml").write_text(mine)

    done = _make(tmp_path, "backfill", "START=2025-01-20", "END=2025-01-19")
    cleaned = _make(tmp_path, "clean")

    assert "END 2025-01-19 is before START 2025-01-20" in done.stderr
    assert (home / "dagster.yaml").read_text() == mine
    assert "no run_monitoring section" in done.stderr
    assert cleaned.returncode == 0 and "left DAGSTER_HOME" in cleaned.stdout
    assert home.is_dir()


def test_import_takes_a_file_name_with_a_space_and_archives_it_by_its_documented_name(
    tmp_path,
):
    from assets.sample_market.source import sample_market
    from assets.sources.google_play_charts import render as play_render

    day = "2025-01-27"
    (response,) = [
        r
        for r in play_render.google_play_responses(
            sample_market(), [dt.date.fromisoformat(day)], ["us"]
        )
        if r.item == "topselling_free.json"
    ]
    mine = tmp_path / "my chart.json"
    mine.write_bytes(response.body)

    done = _make(
        tmp_path, "import", "SOURCE=google_play", f"DATE={day}", "COUNTRY=us", f"FILES={mine}"
    )

    assert done.returncode == 0, done.stderr
    archived = tmp_path / "data" / "raw" / "google_play" / f"date={day}" / "country=us"
    assert [p.name for p in archived.iterdir()] == ["topselling_free.json"]
    assert "from " in done.stdout and "my chart.json" in done.stdout


def test_make_import_without_arguments_says_what_it_needs_with_an_example(tmp_path):
    done = _make(tmp_path, "import")

    assert done.returncode == 2
    assert "needs SOURCE and FILES, and DATE and COUNTRY for files that do not say them" in (
        done.stderr
    )
    assert "missing: SOURCE, FILES, DATE, COUNTRY" in done.stderr
    assert "make import SOURCE=google_play" in done.stderr  # an example to copy
    assert "vendor_estimates" in done.stderr  # the valid sources

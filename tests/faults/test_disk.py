"""A full disk: the data folder is a small tmpfs. Whatever the write that meets the
full disk (the raw archive, the first warehouse build, an update of the warehouse),
the user reads Chartwatch's message naming the path and the space, not a traceback;
nothing half-written stays (no empty warehouse file, no torn log, no temporary file);
a previous warehouse stays usable; and once there is room, the same command
converges to a clean run's data."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.faults.workspace import END, START, Workspace, differences, fingerprints, leftovers


@pytest.fixture()
def small_disk(tmp_path):
    """A tmpfs mounted as the data folder; ``resize(mb)`` changes its size."""
    mount = tmp_path / "data"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (root is needed): {done.stderr.strip()}")

    def resize(megabytes: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={megabytes}m", str(mount)], check=True)

    try:
        yield mount, resize
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(path: Path) -> None:
    """Write zeros to ``path`` until its device is full, to the last block."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        for chunk in (1 << 20, 4096):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * chunk)
    finally:
        os.close(fd)


def _told_disk_full(done, where: str) -> None:
    assert done.returncode != 0
    (failed, *_) = [line for line in done.stderr.splitlines() if line.startswith("FAILED")]
    assert f"no space left on the device of {where}" in failed, done.stderr
    assert "free there now" in failed
    assert "Traceback" not in done.output and "Stack Trace" not in done.output


def _converged(workspace, clean) -> None:
    got = fingerprints(workspace.data)
    want = {part: clean[part] for part in got}
    assert got == want, differences(got, want)


def test_a_full_disk_while_archiving_is_named_and_the_rerun_converges(tmp_path, small_disk, clean):
    mount, resize = small_disk
    workspace = Workspace(tmp_path, mount)
    resize(2)

    full = workspace.backfill()

    _told_disk_full(full, str(mount / "raw"))
    assert leftovers(mount) == []
    resize(64)
    again = workspace.backfill()
    assert again.returncode == 0, again.output
    _converged(workspace, clean)


def test_a_full_disk_in_the_first_build_leaves_no_warehouse_file(tmp_path, small_disk, clean):
    mount, resize = small_disk
    workspace = Workspace(tmp_path, mount)
    resize(9)  # room for the archive and the lake, not for the warehouse

    full = workspace.backfill()

    _told_disk_full(full, str(mount))
    assert "warehouse" in next(line for line in full.stderr.splitlines() if "FAILED" in line)
    assert not (mount / "warehouse.duckdb").exists()
    assert leftovers(mount) == []
    resize(64)
    again = workspace.backfill("FAILED=1")
    assert again.returncode == 0, again.output
    _converged(workspace, clean)


def test_a_full_disk_in_an_update_keeps_the_previous_warehouse(tmp_path, small_disk, clean):
    mount, _ = small_disk
    workspace = Workspace(tmp_path, mount)
    first = workspace.make("backfill", f"START={START}", "END=2025-01-21")
    assert first.returncode == 0, first.output
    resume = tmp_path / "resume"
    run = workspace.start(
        "backfill",
        f"START={START}",
        f"END={END}",
        failpoint="warehouse.build",
        CHARTWATCH_FAILPOINT_RESUME=str(resume),
    )
    run.wait_for_failpoint()
    # The build has loaded the base tables: fill the disk to the last byte, then let it go on.
    filler = mount / "filler"
    _fill(filler)
    resume.touch()

    full = run.finish()

    _told_disk_full(full, str(mount))
    filler.unlink()
    with duckdb.connect(str(mount / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT max(date)::VARCHAR FROM chart_entries").fetchone() == (
            "2025-01-21",
        )
        assert con.execute("SELECT count(*) FROM product_downloads_daily").fetchone()[0] > 0
    again = workspace.backfill("FAILED=1")
    assert again.returncode == 0, again.output
    _converged(workspace, clean)


def test_make_clean_refuses_a_data_folder_that_is_not_chartwatchs(tmp_path):
    workspace = Workspace(tmp_path, tmp_path / "mine")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("years of work")

    refused = workspace.make("clean")

    assert refused.returncode != 0 and "Chartwatch did not write" in refused.stderr
    assert (tmp_path / "mine" / "thesis.tex").exists()
    assert Path(shutil.which("make") or "make")  # make itself was used

"""The fault suite's shared state: the fingerprints of a clean run of the window, made
once, that every recovered run must reproduce."""

from __future__ import annotations

import pytest

from tests.faults.workspace import Workspace, fingerprints, lake_files


@pytest.fixture(scope="session")
def clean(tmp_path_factory) -> dict[str, object]:
    """Raw bytes, lake rows and warehouse tables of an uninterrupted `make backfill`."""
    workspace = Workspace(tmp_path_factory.mktemp("clean"))
    done = workspace.backfill()
    assert done.returncode == 0, done.output
    found = fingerprints(workspace.data)
    assert found["raw"] and found["lake"] and found["warehouse"]
    assert found["leftovers"] == [], found["leftovers"]
    return {**found, "lake_files": lake_files(workspace.data)}


@pytest.fixture()
def workspace(tmp_path) -> Workspace:
    return Workspace(tmp_path)

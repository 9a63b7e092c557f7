"""The layout is the architecture (docs/architecture.md): imports point one way, pure
modules load no Dagster, a source's archive names live in its folder, and the
environment is read in one place."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from assets.sources import SOURCES
from tests.conftest import REPO

LAYERS = ("pipelines", "assets", "warehouse")  # each may import only those after it


def _modules(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


def _imported(path: Path) -> set[str]:
    """Top-level packages a module imports, wherever in it (function bodies too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_point_one_way(layer):
    above = set(LAYERS[: LAYERS.index(layer)])
    wrong = {
        str(path.relative_to(REPO)): sorted(_imported(path) & above)
        for path in _modules(layer)
        if _imported(path) & above
    }
    assert not wrong, f"{layer}/ must not import {sorted(above)}: {wrong}"


def test_pure_modules_load_no_dagster():
    code = (
        "import sys\n"
        "import assets.sources, assets.sample_market.simulate, assets.rank_model.model\n"
        "import assets.imports, assets.checks, assets.live, bench.floor\n"
        "import warehouse.build, warehouse.report, warehouse.datasets\n"
        "print('dagster' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def _strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


# The contract's store value is also the name of Google Play's archive folder (data
# that users hold): as a store it is everywhere, and is not a source's name there.
STORE_VALUES = {"app_store", "google_play"}
# products.toml's own keys (the file's format, read by its one parser): a product's
# `appfigures = {...}` table maps its apps to Appfigures' ids.
PRODUCTS_FILE_KEYS = {(Path("warehouse/products.py"), "appfigures")}


def test_each_archive_name_lives_in_its_sources_folder_and_the_registry():
    code = [p for folder in ("assets", "pipelines", "warehouse", "bench") for p in _modules(folder)]
    for source in SOURCES:
        home = REPO / "assets" / "sources" / source.name
        for archive in source.archives:
            if archive.name in STORE_VALUES:
                continue
            for path in code:
                if path.is_relative_to(home):
                    continue
                if (path.relative_to(REPO), archive.name) in PRODUCTS_FILE_KEYS:
                    continue
                named = [
                    s
                    for s in _strings(path)
                    if s == archive.name
                    or f"/{archive.name}/" in s
                    or s.startswith(f"{archive.name}/")
                ]
                assert not named, (
                    f"{path.relative_to(REPO)} names {source.name}'s archive {archive.name!r};"
                    " use the registry (assets/sources)"
                )


def test_the_environment_is_read_in_one_place():
    """Chartwatch's settings come from pipelines/settings.py only (DAGSTER_HOME is
    Dagster's, CHROMIUM the screenshot tool's, the failpoints the fault suite's, the
    AWS SDK's standard variables warehouse/objects.py hands to Polars)."""
    aws = {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION"}
    aws |= {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    allowed = {"DAGSTER_HOME", "CHROMIUM", *aws}
    readers = {}
    for folder in ("assets", "pipelines", "warehouse", "bench"):
        for path in _modules(folder):
            if path.name in ("settings.py", "failpoints.py"):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and ast.unparse(node.func) in ("os.environ.get", "os.getenv", "environ.get")
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and node.args[0].value not in allowed
                ):
                    readers[str(path.relative_to(REPO))] = node.args[0].value
    assert not readers, f"settings read outside pipelines/settings.py: {readers}"

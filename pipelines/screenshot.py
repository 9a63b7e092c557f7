"""Screenshots of the Dagster UI, as a person sees it (`make ui-screenshot`).

Headless Chromium (Debian's ``chromium``, driven by Playwright) opens pages of a
running UI, by their URLs only, and saves PNGs:

- ``asset-graph.png``: the global asset lineage (``/asset-groups``) with every
  group expanded (what the graph's "Expand all groups" shortcut, Alt+E, does);
- ``asset-<key with / as ->.png``: an asset's overview page
  (``/assets/<key>``), once the metadata of its latest materialization is shown;
- ``asset-<key>-<label>.png``: for each Markdown metadata entry with pictures
  (``![...](data:image/png;base64,...)``), which the UI keeps behind a
  "[Show Markdown]" button, the dialog that button opens, once its pictures have
  loaded;
- ``launch-report-<product>.png``: the whole HTML launch report of the headline
  product (the first of products.toml) that the reports asset wrote for the latest
  day (``<data dir>/reports/date=<day>/launch-<product>.html``), as a reader sees it.
  ``screenshot_page`` takes that picture of any HTML file, no UI needed.

``python -m pipelines.screenshot --url http://127.0.0.1:3000 --out docs/screenshots``;
with ``--start-ui`` it starts ``dagster dev`` (as ``make ui`` does) when no UI
answers at the URL, and stops it afterwards. ``--page FILE.html`` takes only the
picture of that page (``--out`` the folder, or a .png file).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ASSET = "reports/launch_pictures"
# Pages that show what the data means: a lake dataset's and a warehouse table's
# columns with their descriptions.
DEFAULT_PAGES = ("lake/chart_entries", "warehouse/tables/product_downloads_daily")
# Full HD: wide enough for the four groups of the asset graph at a zoom that shows
# each asset's details (below 60 % the UI draws only the names).
VIEWPORT = {"width": 1920, "height": 1080}
# Without these, Chromium waits on the network that this machine does not have.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The UI asks a person on localhost to join its community, in a dialog over the
# page; a browser that dismissed it once keeps this in its local storage.
DISMISS_COMMUNITY_DIALOG = "window.localStorage.setItem('communityNux', JSON.stringify('1'))"

# The asset overview's metadata table (Key, Timestamp, Value); rows that came with
# a materialization carry its icon in the Timestamp cell.
MATERIALIZATION_ROW = 'tbody tr:has([aria-label="materialization"])'
METADATA_TABLE = f'table:has(thead td:text-is("Value")):has({MATERIALIZATION_ROW})'
# Markdown is rendered by a part of the UI loaded on first use: wait for it to have
# rendered every Markdown box, then for every picture to have loaded.
ALL_IMAGES_LOADED = """
    (root) => [...root.querySelectorAll('[class*="Markdown_container"]')]
        .every((box) => box.querySelector('.dagster-markdown'))
      && [...root.querySelectorAll('img')]
        .every((img) => img.complete && img.naturalWidth > 0)
"""


class ScreenshotError(RuntimeError):
    """Something a person has to fix (install, start, materialize); the message says what."""


@dataclass
class Screenshots:
    """What was saved, and what the pages showed."""

    files: dict[str, Path] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)  # group names in the asset graph
    assets: list[str] = field(default_factory=list)  # asset names in the asset graph
    metadata: list[str] = field(default_factory=list)  # labels of the latest materialization
    pictures: dict[str, int] = field(default_factory=dict)  # loaded images per Markdown label
    seconds: float = 0.0


# The width a reader's window gives the launch report (its text column is narrower).
PAGE_VIEWPORT = {"width": 1280, "height": 900}
PAGE_IMAGES_LOADED = (
    "() => [...document.images].every((img) => img.complete && img.naturalWidth > 0)"
)


def chromium_executable() -> str:
    """$CHROMIUM, else Debian's chromium; a clear error when neither is there."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        raise ScreenshotError(
            f"Chromium not found ({path}): install it with `apt-get install chromium` "
            "(Debian), or set CHROMIUM to a Chromium or Chrome binary."
        )
    return path


def ui_answers(base_url: str, timeout: float = 5.0) -> bool:
    """Whether a Dagster webserver answers at base_url."""
    try:
        response = requests.get(f"{base_url}/server_info", timeout=timeout)
        return response.ok and "dagster_webserver_version" in response.json()
    except (requests.RequestException, ValueError):
        return False


def asset_file_name(asset_key: str) -> str:
    return f"asset-{asset_key.strip('/').replace('/', '-')}.png"


def take_screenshots(
    base_url: str,
    out_dir: Path,
    asset_key: str = DEFAULT_ASSET,
    *,
    also: tuple[str, ...] = (),
    timeout: float = 60.0,
) -> Screenshots:
    """Save the asset graph and the asset's page of the UI at base_url into out_dir,
    and the pages of the assets ``also`` names (files["asset:<key>"]).

    timeout (seconds) bounds each wait for the UI to render something."""
    started = time.monotonic()
    base_url = base_url.rstrip("/")
    executable = chromium_executable()
    if not ui_answers(base_url):
        raise ScreenshotError(
            f"No Dagster UI answers at {base_url}: start it with `make ui` "
            "(PORT=... for another port), or run `make ui-screenshot`, which starts one."
        )
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise ScreenshotError(
            f"{error}: run `make install` (playwright is a dev dependency)"
        ) from error

    out_dir.mkdir(parents=True, exist_ok=True)
    shots = Screenshots()
    with sync_playwright() as playwright:
        # Playwright gives the browser a fresh, temporary --user-data-dir.
        try:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
        except PlaywrightError as error:
            raise ScreenshotError(f"Chromium ({executable}) did not start: {error}") from None
        try:
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
            context.add_init_script(DISMISS_COMMUNITY_DIALOG)
            context.set_default_timeout(timeout * 1000)
            page = context.new_page()
            _asset_graph(page, base_url, out_dir, shots, timeout)
            _asset_page(page, base_url, out_dir, asset_key, shots, timeout)
            for key in also:
                more = Screenshots()
                _asset_page(page, base_url, out_dir, key, more, timeout)
                shots.files.update({f"{name}:{key}": path for name, path in more.files.items()})
        finally:
            browser.close()
    shots.seconds = time.monotonic() - started
    return shots


def screenshot_page(html_path: Path, out: Path, *, timeout: float = 60.0) -> Path:
    """A full-page PNG of a local HTML file (a launch report), as headless Chromium
    shows it in a window PAGE_VIEWPORT wide, once its pictures have loaded. Returns
    the PNG's path."""
    html_path = Path(html_path)
    if not html_path.is_file():
        raise ScreenshotError(f"no page at {html_path}: write it first (make report FORMAT=html)")
    executable = chromium_executable()
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise ScreenshotError(
            f"{error}: run `make install` (playwright is a dev dependency)"
        ) from error
    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
        except PlaywrightError as error:
            raise ScreenshotError(f"Chromium ({executable}) did not start: {error}") from None
        try:
            page = browser.new_page(viewport=PAGE_VIEWPORT, device_scale_factor=1)
            page.set_default_timeout(timeout * 1000)
            page.goto(html_path.resolve().as_uri())
            page.wait_for_function(PAGE_IMAGES_LOADED)
            page.screenshot(path=out, full_page=True)
        finally:
            browser.close()
    return out


def launch_report_file_name(product: str) -> str:
    return f"launch-report-{product}.png"


def headline_launch_report(data_dir: Path, products_file: Path) -> tuple[str, Path]:
    """(product, HTML file): the launch report of the headline product (the first of
    products.toml) of the latest day the reports asset wrote under data_dir."""
    from warehouse.products import read_products

    headline = next(iter(read_products(products_file)), None)
    if headline is None:
        raise ScreenshotError(f"{products_file} lists no product: no launch report to show")
    name = f"launch-{headline.key}.html"
    pages = sorted((Path(data_dir) / "reports").glob(f"date=*/{name}"))
    if not pages:
        raise ScreenshotError(
            f"no {name} under {Path(data_dir) / 'reports'}: materialize reports/launch_pictures"
            " first (make demo)"
        )
    return headline.key, pages[-1]


def _settle(page, timeout: float) -> None:
    """Let the UI's queries finish: no "Loading..." left (and the network idle for a
    moment; the UI polls, so that may not last)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    loading = page.get_by_text(re.compile(r"^\s*Loading\b"))
    try:
        loading.first.wait_for(state="hidden")
    except PlaywrightTimeout:
        raise ScreenshotError(
            f"{page.url} still shows {loading.count()} parts loading after {timeout:.0f} s"
        ) from None
    with suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=min(timeout, 10) * 1000)


def _asset_graph(page, base_url: str, out_dir: Path, shots: Screenshots, timeout: float) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    url = f"{base_url}/asset-groups"
    page.goto(url)
    groups = page.locator("svg foreignObject.group")
    # Asset nodes: their name boxes (detailed, or minimal when zoomed out).
    nodes = page.locator('svg foreignObject [class*="AssetNode_assetName"]')
    try:
        groups.or_(nodes).first.wait_for()
    except PlaywrightTimeout:
        raise ScreenshotError(
            f"{url} showed no asset graph within {timeout:.0f} s: is the code location "
            f"loaded? See {base_url}/locations."
        ) from None
    if nodes.count() == 0:
        # Several groups start collapsed: expand them all, as Alt+E does for a person.
        page.locator("svg").first.hover()
        page.keyboard.press("Alt+KeyE")
        try:
            nodes.first.wait_for()
        except PlaywrightTimeout:
            raise ScreenshotError(f"{url}: the asset groups did not expand") from None
        # The graph keeps its zoom when groups expand; opened anew (the URL now lists
        # the expanded groups) it fits the whole graph's width. The table pages (23
        # documentation assets) stay collapsed: the picture is of the pipeline.
        page.goto(_without_expanded(page.url, COLLAPSED_GROUPS))
        nodes.first.wait_for()
    _zoom_out_to_fit(page)
    _settle(page, timeout)
    # A group's header names it in a tooltip.
    shots.groups = [
        group.locator("[data-tooltip]").first.get_attribute("data-tooltip") or ""
        for group in groups.all()
    ]
    shots.assets = [name.strip() for name in nodes.all_inner_texts()]
    path = out_dir / "asset-graph.png"
    page.screenshot(path=path, full_page=True)
    shots.files["graph"] = path


# Groups the asset graph's picture shows collapsed (assets/warehouse_tables.py).
COLLAPSED_GROUPS = ("warehouse_tables",)


def _without_expanded(url: str, groups: tuple[str, ...]) -> str:
    """The graph's URL with ``groups`` taken out of its ``expanded`` list (entries read
    ``<location>@<location>:<group>``)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = []
    for name, value in query:
        if name == "expanded":
            value = ",".join(e for e in value.split(",") if e.rsplit(":", 1)[-1] not in groups)
        kept.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(kept)))


# How far the groups of the graph reach past its visible area (under the search bar
# at its top), in pixels of the screen; 0 when the whole graph shows.
GRAPH_OVERFLOW = """
() => {
  const groups = [...document.querySelectorAll('svg foreignObject.group')]
    .map((g) => g.getBoundingClientRect());
  const area = groups.length &&
    document.querySelector('svg foreignObject.group').ownerSVGElement
      .parentElement.parentElement.getBoundingClientRect();
  if (!area) return 0;
  const top = area.top + 64;
  return Math.max(
    0,
    top - Math.min(...groups.map((r) => r.top)),
    Math.max(...groups.map((r) => r.bottom)) - area.bottom,
    area.left - Math.min(...groups.map((r) => r.left)),
    Math.max(...groups.map((r) => r.right)) - area.right,
  );
}
"""


def _zoom_out_to_fit(page) -> None:
    """The UI fits the graph's width only: a tall graph is zoomed out with its
    Zoom out button (about the centre, where the UI centred the graph) until it shows
    whole."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    zoom_out = page.locator('button:has([aria-label="zoom_out"])')
    for _ in range(10):
        overflow = page.evaluate(GRAPH_OVERFLOW)
        if overflow <= 0 or not zoom_out.count():
            return
        zoom_out.first.click()
        try:  # at the smallest zoom, nothing changes: keep what shows
            page.wait_for_function(f"() => ({GRAPH_OVERFLOW})() !== {overflow}", timeout=5000)
        except PlaywrightTimeout:
            return


def _asset_page(
    page, base_url: str, out_dir: Path, asset_key: str, shots: Screenshots, timeout: float
) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    key = asset_key.strip("/")
    url = f"{base_url}/assets/" + "/".join(quote(part, safe="") for part in key.split("/"))
    page.goto(url)
    table = page.locator(METADATA_TABLE).first
    rows = table.locator(MATERIALIZATION_ROW)
    never = page.get_by_text("Never materialized", exact=True)
    missing = page.get_by_text("No assets were found")
    try:
        table.or_(never).or_(missing).first.wait_for()
    except PlaywrightTimeout:
        raise ScreenshotError(
            f"{url} showed no metadata of a materialization of {key} within {timeout:.0f} s"
        ) from None
    if not rows.count():
        _settle(page, timeout)  # what showed first may have been a page still loading
    if missing.count() and not rows.count():
        raise ScreenshotError(
            f"Asset {key} is not in the code location that the UI at {base_url} loaded "
            f"(its assets: {base_url}/assets). If it was just added, reload the definitions "
            "(or restart the UI); then `make demo` materializes it."
        )
    if not rows.count():
        raise ScreenshotError(
            f"Asset {key} has never been materialized in this Dagster instance: "
            "run `make demo` (or materialize it in the UI) first."
        )
    # Pictures shown in the table itself: wait until they have loaded.
    page.wait_for_function(ALL_IMAGES_LOADED, arg=table.element_handle())
    _settle(page, timeout)
    shots.metadata = [r.split("\t")[0].strip() for r in rows.all_inner_texts()]
    path = out_dir / asset_file_name(key)
    _screenshot_whole_page(page, table, path)
    shots.files["asset"] = path

    # Long Markdown (pictures as data: URLs) stays behind "[Show Markdown]".
    for row in rows.filter(has=page.get_by_text("[Show Markdown]", exact=True)).all():
        label = row.locator("td").first.inner_text().strip()
        row.get_by_text("[Show Markdown]", exact=True).click()
        dialog = page.get_by_role("dialog")
        # The UI loads its Markdown renderer on first use: wait for the rendered text.
        dialog.locator(".dagster-markdown").wait_for()
        images = dialog.locator("img")
        if images.count():
            try:
                page.wait_for_function(ALL_IMAGES_LOADED, arg=dialog.element_handle())
            except PlaywrightTimeout:
                raise ScreenshotError(
                    f"{url}: the pictures of metadata {label!r} did not load"
                ) from None
            shots.pictures[label] = images.count()
            safe_label = re.sub(r"[^\w.]+", "_", label)
            path = out_dir / asset_file_name(f"{key}/{safe_label}")
            _screenshot_whole_dialog(page, dialog, path)
            shots.files[f"asset:{label}"] = path
        dialog.get_by_role("button", name="Close").click()
        dialog.wait_for(state="hidden")


# How much taller than its box the content of element's scrolling ancestors is: the
# UI scrolls inside the page, so a "full page" screenshot stops at the window.
HIDDEN_BELOW = """
(element) => {
  let hidden = 0;
  for (let e = element.parentElement; e; e = e.parentElement) {
    const style = getComputedStyle(e);
    if (/(auto|scroll)/.test(style.overflowY)) {
      hidden = Math.max(hidden, e.scrollHeight - e.clientHeight);
    }
  }
  return hidden;
}
"""
MAX_HEIGHT = 4000


def _screenshot_whole_page(page, element, path: Path) -> None:
    """Make the window tall enough for all of the page around element (the asset's
    overview scrolls inside the page), up to MAX_HEIGHT pixels."""
    hidden = element.evaluate(HIDDEN_BELOW)
    height = min(VIEWPORT["height"] + hidden, MAX_HEIGHT)
    if height > VIEWPORT["height"]:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        element.evaluate("(e) => new Promise((ok) => requestAnimationFrame(() => ok()))")
    try:
        page.screenshot(path=path, full_page=True)
    finally:
        page.set_viewport_size(VIEWPORT)


def _screenshot_whole_dialog(page, dialog, path: Path) -> None:
    """A dialog taller than the window scrolls: make the window tall enough for all of it."""
    box = dialog.bounding_box()
    height = int(box["height"] + 2 * 60) if box else VIEWPORT["height"]
    if height > VIEWPORT["height"]:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        page.wait_for_function(ALL_IMAGES_LOADED, arg=dialog.element_handle())
    try:
        page.screenshot(path=path, full_page=True)
    finally:
        page.set_viewport_size(VIEWPORT)


@contextmanager
def dagster_dev(base_url: str, timeout: float = 180.0) -> Iterator[bool]:
    """A UI at base_url for the duration: the one that answers there, else `dagster dev`
    started as `make ui` starts it (in its own process group, stopped afterwards).
    Yields whether it was started here."""
    if ui_answers(base_url):
        yield False
        return
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    command = [
        sys.executable,
        "-m",
        "pipelines.ui",
        "-w",
        "workspace.yaml",
        "-h",
        host,
        "-p",
        str(port),
    ]
    with tempfile.NamedTemporaryFile(prefix="dagster-dev-", suffix=".log", delete=False) as log:
        log_path = Path(log.name)
        print(f"No UI at {base_url}: starting {' '.join(command)} (log: {log_path})", flush=True)
        process = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + timeout
        while not ui_answers(base_url, timeout=2):
            if process.poll() is not None:
                raise ScreenshotError(
                    f"dagster dev exited ({process.returncode}); its log:\n"
                    + log_path.read_text(errors="replace")[-3000:]
                )
            if time.monotonic() > deadline:
                raise ScreenshotError(f"dagster dev did not answer at {base_url} in {timeout} s")
            time.sleep(1)
        yield True
    finally:
        _stop(process)
        log_path.unlink(missing_ok=True)


def _stop(process: subprocess.Popen) -> None:
    """End the process group that dagster dev leads (webserver, daemon, code servers)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.screenshot",
        description="Screenshots (PNG) of the Dagster UI (the asset graph and an asset's page)"
        " and of the headline product's HTML launch report.",
    )
    parser.add_argument("--url", default="http://127.0.0.1:3000", help="the UI's address")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--asset", default=DEFAULT_ASSET, help="asset key, parts joined by /")
    parser.add_argument(
        "--also",
        nargs="*",
        default=list(DEFAULT_PAGES),
        help="more asset pages to save (keys, parts joined by /): by default a lake dataset's"
        " and a warehouse table's, with their column descriptions",
    )
    parser.add_argument(
        "--start-ui",
        action="store_true",
        help="when no UI answers at --url, start dagster dev there and stop it afterwards",
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per wait")
    parser.add_argument(
        "--page",
        type=Path,
        default=None,
        help="only a full-page PNG of this HTML file (a launch report), no UI: into --out"
        " (a folder, or a .png file)",
    )
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    if args.page is not None:
        out = args.out if args.out.suffix == ".png" else args.out / f"{args.page.stem}.png"
        try:
            print(screenshot_page(args.page, out, timeout=args.timeout))
        except ScreenshotError as error:
            print(f"ui-screenshot: {error}", file=sys.stderr)
            return 1
        return 0
    try:
        if args.start_ui:
            with dagster_dev(url) as started:
                # A UI started here loads its code location first: wait longer for it.
                timeout = max(args.timeout, 180.0) if started else args.timeout
                shots = take_screenshots(
                    url, args.out, args.asset, also=tuple(args.also), timeout=timeout
                )
        else:
            shots = take_screenshots(
                url, args.out, args.asset, also=tuple(args.also), timeout=args.timeout
            )
        # The launch report that the reports asset wrote, as its reader sees it.
        from pipelines.resources import chartwatch_from_env

        config = chartwatch_from_env()
        product, page = headline_launch_report(config.root, config.products_path)
        shots.files["report"] = screenshot_page(
            page, args.out / launch_report_file_name(product), timeout=args.timeout
        )
    except ScreenshotError as error:
        print(f"ui-screenshot: {error}", file=sys.stderr)
        return 1
    for path in shots.files.values():
        print(path)
    print(
        f"groups: {', '.join(shots.groups)}; {args.asset} metadata: "
        f"{', '.join(shots.metadata)}; {shots.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

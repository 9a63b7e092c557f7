"""Live mode end to end, against a local server of real-shaped responses.

The server on 127.0.0.1 (pytest-httpserver) answers like Apple's current RSS
generator, the legacy iTunes RSS and the Wikimedia Pageviews API; the bodies are
the sample market's renderings of those formats. No test touches the internet.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from werkzeug import Response

from assets import live
from assets.graph import asset_graph
from assets.market import LiveMarketClient, SampleMarketClient, resources_for
from assets.resources import ChartwatchConfig
from assets.sample_market.source import sample_market
from assets.sources.apple_charts import render as apple_render
from assets.sources.google_play_charts import render as play_render
from assets.sources.itunes_lookup import render as lookup_render
from assets.sources.itunes_lookup.fetch import lookup_plan
from pipelines.definitions import build_definitions

LIVE = asset_graph(ChartwatchConfig(source="live"))
RAW_ASSETS, LAKE_ASSETS, live_warehouse = LIVE.raw, LIVE.lake, LIVE.warehouse
ingest_assets, lake_assets = list(RAW_ASSETS.values()), list(LAKE_ASSETS.values())

COUNTRIES = ["us", "gb", "eg"]
SAMPLE_DAY = dt.date(2025, 1, 27)  # the sample day whose bodies the server serves
TODAY = dt.date(2026, 11, 30)
PRODUCTS = """
[products.deepseek]
name = "DeepSeek"
app_store = ["6737597349"]
wikipedia = ["en:DeepSeek", "fr:DeepSeek"]
competitors = ["chatgpt"]

[products.chatgpt]
name = "ChatGPT"
app_store = ["6448311069"]
wikipedia = ["en:ChatGPT"]
"""


@pytest.fixture(autouse=True)
def fast_http(monkeypatch):
    # One retry, no long waits: the faults below must not slow the suite down. No test
    # here relies on a timeout; 2 s was short enough for the Lookup handler (which renders
    # listings from the sample market) to time out on a loaded machine, and a retried
    # request then broke the tests that count requests.
    monkeypatch.setenv("CHARTWATCH_HTTP_RETRIES", "1")
    monkeypatch.setenv("CHARTWATCH_HTTP_TIMEOUT", "30")
    monkeypatch.setattr(live, "today", lambda: TODAY)
    monkeypatch.setattr(live, "HOST_INTERVALS", {})


@pytest.fixture(scope="module")
def chart_bodies() -> dict[str, bytes]:
    """URL path -> body, for every chart of the test storefronts."""
    responses = apple_render.apple_chart_responses(sample_market(), [SAMPLE_DAY], COUNTRIES)
    bodies = {}
    for r in responses:
        if r.source == "apple_rss":
            bodies[f"/api/v2/{r.country}/apps/{r.item.removesuffix('.json')}/100/apps.json"] = (
                r.body
            )
        else:
            bodies[f"/{r.country}/rss/{r.item.removesuffix('.json')}/limit=100/json"] = r.body
    return bodies


def _lookup(request):
    """The iTunes Lookup API: the sample's listings of the ids asked, in the storefront asked."""
    ids = request.args["id"].split(",")
    (body,) = [
        r.body
        for r in lookup_render.lookup_responses(
            sample_market(), SAMPLE_DAY, request.args["country"], ids
        )
    ]
    return Response(body, content_type="text/javascript; charset=utf-8")


@pytest.fixture()
def store(httpserver, chart_bodies):
    """The charts of every test storefront and the Lookup API, served until a test says otherwise."""
    for path, body in chart_bodies.items():
        httpserver.expect_request(path).respond_with_data(body, content_type="application/json")
    httpserver.expect_request("/lookup").respond_with_handler(_lookup)
    return httpserver


def _config(tmp_path: Path, server, **overrides) -> ChartwatchConfig:
    products = tmp_path / "products.toml"
    products.write_text(PRODUCTS, encoding="utf-8")
    url = server.url_for("").rstrip("/")
    settings = {
        "source": "live",
        "countries": ",".join(COUNTRIES),
        "data_dir": str(tmp_path / "data"),
        "products_file": str(products),
        "apple_rss_url": url,
        "itunes_url": url,
        "wikimedia_url": url,
        "appfigures_url": url,
        "contact": "tests@example.org",
        "legacy_feeds": "topgrossingapplications",
        # As fast_http: one retry, no test relies on a timeout.
        "http_retries": 1,
        "http_timeout": 30.0,
    }
    return ChartwatchConfig(**{**settings, **overrides})


def _materialize(config: ChartwatchConfig, day: dt.date, assets=None):
    return dg.materialize(
        assets or [*ingest_assets, *lake_assets, live_warehouse],
        resources=resources_for(config),
        partition_key=day.isoformat(),
        raise_on_error=False,
    )


def _failure(result) -> tuple[str, dict]:
    """The failed step's error with its causes (as the run log shows it), and its metadata;
    or, when the run failed before any step (a setting the resource refused as the run
    started), that error."""
    failed = [e for e in result.all_events if e.is_step_failure]
    if not failed:
        event = next(e for e in result.all_events if e.is_resource_init_failure)
        return event.event_specific_data.error.message, {}
    data = failed[0].step_failure_data
    messages, error = [], data.error
    while error is not None:
        messages.append(error.message)
        error = error.cause
    return "\n".join(messages), (data.user_failure_data.metadata if data.user_failure_data else {})


def _paths(server) -> list[str]:
    return [request.path for request, _ in server.log]


def test_today_fills_the_archive_lake_and_warehouse(tmp_path, store):
    config = _config(tmp_path, store)

    result = _materialize(config, TODAY)

    assert result.success
    raw = Path(config.data_dir) / "raw"
    for country in COUNTRIES:
        folder = f"date={TODAY}/country={country}"
        assert (raw / "apple_rss" / folder / "top-free.json").is_file()
        assert (raw / "apple_rss" / folder / "top-paid.json").is_file()
        assert (raw / "itunes_rss" / folder / "topgrossingapplications.json").is_file()
    # Archived unchanged: the bytes the server sent.
    sent = store.log[0][1].get_data()
    archived = {p.read_bytes() for p in raw.rglob("*.json")}
    assert sent in archived
    # Pageviews of today are not published yet: none were asked for.
    assert not [p for p in _paths(store) if p.startswith("/metrics")]

    con = duckdb.connect(str(Path(config.data_dir) / "warehouse.duckdb"), read_only=True)
    charts = con.sql(
        "SELECT country, chart, count(*) AS n, min(rank) AS first, max(rank) AS last"
        " FROM chart_entries WHERE date = ? GROUP BY ALL ORDER BY ALL",
        params=[TODAY],
    ).fetchall()
    assert {(c, chart) for c, chart, *_ in charts} == {
        (c, chart) for c in COUNTRIES for chart in ("top_free", "top_paid", "top_grossing")
    }
    assert all(first == 1 and last == n for _, _, n, first, last in charts)
    us_free = con.execute(
        "SELECT app_name FROM chart_entries WHERE date = ? AND country = 'us'"
        " AND chart = 'top_free' AND rank = 1",
        [TODAY],
    ).fetchone()
    assert us_free == ("DeepSeek - AI Assistant",)
    history = con.execute("SELECT count(*) FROM app_rank_history WHERE date = ?", [TODAY])
    assert history.fetchone()[0] > 0
    # Every charting App Store app was looked up once, in the US when it charts there.
    lookups = [p for p in _paths(store) if p == "/lookup"]
    assert len(lookups) == len(list((raw / "itunes_lookup").rglob("lookup-*.json")))
    listing = con.execute(
        "SELECT genre, bundle_id IS NOT NULL, rating_count > 0, metadata_date FROM apps"
        " WHERE store = 'app_store' AND app_id = '6737597349'"
    ).fetchone()
    assert listing == ("Productivity", True, True, TODAY)
    unlisted = con.execute(
        "SELECT count(*) FROM apps WHERE store = 'app_store' AND metadata_date IS NULL"
    ).fetchone()[0]
    assert unlisted == 0


def test_a_failing_country_keeps_the_others_and_a_retry_fetches_only_what_is_missing(
    tmp_path, httpserver, chart_bodies
):
    broken = "/api/v2/gb/apps/top-free/100/apps.json"
    for path, body in chart_bodies.items():
        if path != broken:
            httpserver.expect_request(path).respond_with_data(body)
    httpserver.expect_request(broken).respond_with_data("upstream down", status=503)
    config = _config(tmp_path, httpserver)

    result = _materialize(config, TODAY, [ingest_assets[0]])

    assert not result.success
    message, metadata = _failure(result)
    assert "gb" in message and "top-free" in message and "503" in message
    assert metadata["failed_countries"].value == "gb"
    assert "503" in metadata["failures"].value
    raw = Path(config.data_dir) / "raw" / "apple_rss" / f"date={TODAY}"
    assert (raw / "country=us" / "top-free.json").is_file()
    assert (raw / "country=gb" / "top-paid.json").is_file()
    assert not (raw / "country=gb" / "top-free.json").exists()

    httpserver.clear()
    httpserver.expect_request(broken).respond_with_data(chart_bodies[broken])
    retry = _materialize(config, TODAY, [ingest_assets[0]])

    assert retry.success
    assert _paths(httpserver) == [broken]
    assert (raw / "country=gb" / "top-free.json").read_bytes() == chart_bodies[broken]


def _truncated(body: bytes) -> bytes:
    return body[: len(body) // 2]


def _legacy_of_one(body: bytes) -> bytes:
    feed = json.loads(body)
    feed["feed"]["entry"] = feed["feed"]["entry"][0]
    return json.dumps(feed).encode()


@pytest.mark.parametrize(
    ("path", "damage", "problem"),
    [
        (
            "/api/v2/gb/apps/top-free/100/apps.json",
            lambda b: b"<html><body>Bad gateway</body></html>",
            "HTML",
        ),
        ("/api/v2/gb/apps/top-free/100/apps.json", _truncated, "JSON"),
        (
            "/api/v2/gb/apps/top-free/100/apps.json",
            lambda b: b'{"feed": {"results": []}}',
            "empty chart",
        ),
        (
            "/api/v2/gb/apps/top-free/100/apps.json",
            lambda b: b'{"feed": {"title": "x"}}',
            "missing field",
        ),
        ("/api/v2/gb/apps/top-free/100/apps.json", lambda b: b'{"results": "nope"}', "feed"),
        (
            "/api/v2/gb/apps/top-free/100/apps.json",
            lambda b: b.replace(b'"country":"gb"', b'"country":"us"'),
            "storefront 'us'",
        ),
        (
            "/gb/rss/topgrossingapplications/limit=100/json",
            lambda b: b'{"feed": {"author": {}}}',
            "empty chart",
        ),
    ],
    ids=[
        "html",
        "truncated",
        "empty",
        "missing-field",
        "wrong-shape",
        "other-storefront",
        "legacy-empty",
    ],
)
def test_a_bad_response_is_quarantined_with_a_clear_error(
    tmp_path, httpserver, chart_bodies, path, damage, problem
):
    for served, body in chart_bodies.items():
        httpserver.expect_request(served).respond_with_data(
            damage(body) if served == path else body
        )
    config = _config(tmp_path, httpserver)

    result = _materialize(config, TODAY, [ingest_assets[0]])

    assert not result.success
    message, _ = _failure(result)
    assert re.search(problem, message, re.IGNORECASE), message
    assert f"date={TODAY}" in message and "country=gb" in message and path in message
    item = "top-free.json" if "apps.json" in path else "topgrossingapplications.json"
    source = "apple_rss" if "apps.json" in path else "itunes_rss"
    kept = Path(config.data_dir) / "quarantine" / source / f"date={TODAY}" / "country=gb" / item
    assert kept.read_bytes() == damage(chart_bodies[path])
    note = json.loads(kept.with_name(item + ".error.json").read_text())
    assert note["url"].endswith(path)
    # Nothing half-written: the bad response is not in the archive, the good ones are.
    raw = Path(config.data_dir) / "raw" / source / f"date={TODAY}"
    assert not (raw / "country=gb" / item).exists()
    assert (raw / "country=us" / item).is_file()


def test_a_legacy_feed_of_one_entry_is_a_chart_of_one(tmp_path, httpserver, chart_bodies):
    path = "/gb/rss/topgrossingapplications/limit=100/json"
    for served, body in chart_bodies.items():
        httpserver.expect_request(served).respond_with_data(
            _legacy_of_one(body) if served == path else body
        )
    config = _config(tmp_path, httpserver)

    result = _materialize(config, TODAY, [ingest_assets[0], lake_assets[0]])

    assert result.success
    lake = pl.read_parquet(
        Path(config.data_dir) / "lake" / "chart_entries" / f"date={TODAY}" / "country=gb"
    )
    assert lake.filter(pl.col("chart") == "top_grossing").height == 1


def test_an_unknown_storefront_is_refused_before_any_request(tmp_path, httpserver):
    config = _config(tmp_path, httpserver, countries="us,zz")

    result = _materialize(config, TODAY, [ingest_assets[0]])

    assert not result.success
    assert "zz" in _failure(result)[0]
    assert httpserver.log == []


def test_a_past_day_without_history_is_reparsed_from_the_archive_or_refused(
    tmp_path, store, monkeypatch
):
    config = _config(tmp_path, store)
    assert _materialize(config, TODAY).success
    requests_on_the_day = len(store.log)

    # The next day, the same partition again: re-parsed from the archive, nothing fetched.
    monkeypatch.setattr(live, "today", lambda: TODAY + dt.timedelta(days=1))
    again = _materialize(config, TODAY, [ingest_assets[0], lake_assets[0]])
    assert again.success
    assert len(store.log) == requests_on_the_day
    lake = Path(config.data_dir) / "lake" / "chart_entries" / f"date={TODAY}"
    assert sorted(p.name for p in lake.iterdir()) == [f"country={c}" for c in sorted(COUNTRIES)]

    # Listings are snapshots too: the next day they are not looked up again for that day.
    lookups = len(list((Path(config.data_dir) / "raw" / "itunes_lookup").rglob("*.json")))
    listing_assets = [RAW_ASSETS["itunes_lookup"], LAKE_ASSETS["app_metadata"]]
    listing = _materialize(config, TODAY, listing_assets)
    assert listing.success
    assert len(store.log) == requests_on_the_day
    assert len(list((Path(config.data_dir) / "raw" / "itunes_lookup").rglob("*.json"))) == lookups

    # A past day the archive never saw cannot be fetched: the error says how to import it.
    past = TODAY - dt.timedelta(days=3)
    result = _materialize(config, past, [ingest_assets[0]])
    assert not result.success
    message, metadata = _failure(result)
    assert "no history" in message and "import" in message and str(past) in message
    assert metadata["failed_countries"].value == "eg, gb, us"
    assert len(store.log) == requests_on_the_day


def test_a_genre_feed_that_answers_403_is_recorded_unavailable_not_a_failed_day(tmp_path, store):
    """Apple's genre feeds were reported to answer 403 in 2026: the day succeeds, the
    archive records the 403, chart_coverage says which charts were unavailable, and
    the served ones keep their depth (100 entries at most on the legacy feed)."""
    genre = re.compile(
        r"^/[a-z]{2}/rss/top(free|paid|grossing)applications/limit=100/genre=6014/json$"
    )
    store.expect_request(genre).respond_with_data("Forbidden", status=403)
    config = _config(tmp_path, store, genres="6014")

    result = _materialize(config, TODAY)

    assert result.success
    extract = next(
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["raw", "apple_charts"])
    )
    metadata = extract.materialization.metadata
    assert metadata["unavailable"].value == 9 and metadata["failed"].value == 0  # 3 charts x 3
    assert "topfreeapplications__genre-6014" in metadata["unavailable_charts"].value
    marker = (
        Path(config.data_dir)
        / "raw"
        / "itunes_rss"
        / f"date={TODAY}"
        / "country=gb"
        / "topfreeapplications__genre-6014.json.unavailable"
    )
    assert json.loads(marker.read_text())["status"] == 403
    con = duckdb.connect(str(Path(config.data_dir) / "warehouse.duckdb"), read_only=True)
    coverage = con.execute(
        "SELECT chart, genre_id, status, depth, http_status FROM chart_coverage"
        " WHERE date = ? AND country = 'gb' ORDER BY genre_id NULLS FIRST, chart",
        [TODAY],
    ).fetchall()
    assert coverage == [
        ("top_free", None, "served", 100, None),
        ("top_grossing", None, "served", 100, None),
        ("top_paid", None, "served", 100, None),
        ("top_free", "6014", "unavailable", None, 403),
        ("top_grossing", "6014", "unavailable", None, 403),
        ("top_paid", "6014", "unavailable", None, 403),
    ]

    # The next run of the day does not ask again: the 403 is on record.
    asked = len(store.log)
    assert _materialize(config, TODAY, [ingest_assets[0]]).success
    assert len(store.log) == asked


DEEP_CHARTS = "/WebObjects/MZStoreServices.woa/ws/charts"


def _deep_ids(chart_bodies: dict[str, bytes]) -> list[str]:
    """200 App Store ids of the sample market's US charts (so the Lookup API knows
    them), in another order than the RSS top free chart's."""
    paid = json.loads(chart_bodies["/api/v2/us/apps/top-paid/100/apps.json"])
    free = json.loads(chart_bodies["/api/v2/us/apps/top-free/100/apps.json"])
    grossing = json.loads(chart_bodies["/us/rss/topgrossingapplications/limit=100/json"])
    ids = [r["id"] for r in paid["feed"]["results"] + free["feed"]["results"][::-1]]
    ids += [e["id"]["attributes"]["im:id"] for e in grossing["feed"]["entry"]]
    ids = list(dict.fromkeys(ids))
    assert len(ids) >= 200
    return ids[:200]


def test_deep_charts_replace_the_rss_charts_whole_and_their_apps_are_looked_up(
    tmp_path, store, chart_bodies
):
    """With CHARTWATCH_DEEP_CHARTS on, Apple's 200-deep endpoint gives the iPhone charts
    it serves, each whole (never ranks of two feeds); a genre it refuses with 403 is on
    record as unavailable; the Lookup API names its apps."""
    deep = _deep_ids(chart_bodies)
    asked = []

    def charts(request):
        asked.append(dict(request.args))
        if request.args["g"] != "36":
            return Response("Forbidden", status=403)
        order = {"FreeApplications": deep, "PaidApplications": deep[::-1]}
        ids = order.get(request.args["name"], deep[100:] + deep[:100])
        if request.args["name"] == "PaidApplications":  # ids as JSON numbers
            # gb's is shorter than the RSS feed's 100: still the deep chart, whole.
            ids = ids[:60] if request.args["cc"] == "gb" else ids
            body = {"resultIds": [int(i) for i in ids]}
        else:
            body = {"resultIds": ids}
        return Response(json.dumps(body), content_type="text/javascript; charset=utf-8")

    store.expect_request(DEEP_CHARTS).respond_with_handler(charts)
    legacy_genre = re.compile(r"^/[a-z]{2}/rss/top(free|paid|grossing)applications/.*genre=6014")
    store.expect_request(legacy_genre).respond_with_data("Forbidden", status=403)
    config = _config(tmp_path, store, deep_charts=True, genres="6014")

    result = _materialize(config, TODAY)

    assert result.success
    assert {(a["cc"], a["g"], a["name"], a["limit"]) for a in asked} == {
        (cc, g, name, "200")
        for cc in COUNTRIES
        for g in ("36", "6014")
        for name in ("FreeApplications", "PaidApplications", "AppsByRevenue")
    }
    con = duckdb.connect(str(Path(config.data_dir) / "warehouse.duckdb"), read_only=True)
    us_free = con.execute(
        "SELECT rank, app_id, source FROM chart_entries WHERE date = ? AND country = 'us'"
        " AND store = 'app_store' AND device = 'iphone' AND chart = 'top_free'"
        " AND genre_id IS NULL ORDER BY rank",
        [TODAY],
    ).fetchall()
    assert us_free == [(rank, app_id, "itunes_charts") for rank, app_id in enumerate(deep, 1)]
    # Every overall iPhone chart is the deep one, whole: 200 ranks of one source.
    charts_by_source = con.execute(
        "SELECT country, chart, source, count(*), max(rank) FROM chart_entries"
        " WHERE date = ? AND device = 'iphone' GROUP BY ALL ORDER BY ALL",
        [TODAY],
    ).fetchall()
    assert charts_by_source == [
        (cc, chart, "itunes_charts", depth, depth)
        for cc in sorted(COUNTRIES)
        for chart in ("top_free", "top_grossing", "top_paid")
        for depth in [60 if (cc, chart) == ("gb", "top_paid") else 200]
    ]
    coverage = con.execute(
        "SELECT chart, genre_id, status, depth, http_status, source FROM chart_coverage"
        " WHERE date = ? AND country = 'us' AND device = 'iphone'"
        " ORDER BY genre_id NULLS FIRST, chart",
        [TODAY],
    ).fetchall()
    assert coverage == [
        ("top_free", None, "served", 200, None, "itunes_charts"),
        ("top_grossing", None, "served", 200, None, "itunes_charts"),
        ("top_paid", None, "served", 200, None, "itunes_charts"),
        ("top_free", "6014", "unavailable", None, 403, "itunes_charts"),
        ("top_grossing", "6014", "unavailable", None, 403, "itunes_charts"),
        ("top_paid", "6014", "unavailable", None, 403, "itunes_charts"),
    ]
    marker = (
        Path(config.data_dir)
        / "raw"
        / "itunes_charts"
        / f"date={TODAY}"
        / "country=gb"
        / "AppsByRevenue__genre-6014.json.unavailable"
    )
    assert json.loads(marker.read_text())["status"] == 403
    # The deep charts' ids were asked of the Lookup API, and apps has their names.
    looked_up = {
        app_id
        for request, _ in store.log
        if request.path == "/lookup"
        for app_id in request.args["id"].split(",")
    }
    assert set(deep) <= looked_up
    named = con.execute(
        "SELECT count(*) FROM apps WHERE store = 'app_store' AND name IS NOT NULL"
        " AND app_id IN (SELECT unnest(?))",
        [deep],
    ).fetchone()[0]
    assert named == 200


def test_without_the_setting_nothing_is_asked_of_the_deep_endpoint(tmp_path, store):
    from assets.sources.apple_charts_deep import fetch as deep_fetch

    config = _config(tmp_path, store)
    assert not config.deep_charts  # off by default: the endpoint is undocumented

    result = _materialize(config, TODAY, [RAW_ASSETS["apple_charts_deep"]])

    assert result.success
    assert not [p for p in _paths(store) if p.startswith("/WebObjects")]
    assert not (Path(config.data_dir) / "raw" / "itunes_charts").exists()
    (note,) = deep_fetch.fetch_day(config, TODAY, client=None).notes
    assert "CHARTWATCH_DEEP_CHARTS=1" in note


def test_a_past_day_of_deep_charts_is_read_from_the_archive_never_fetched(
    tmp_path, store, chart_bodies
):
    """A past day the deep archive lacks keeps the RSS charts (a note, not a failure);
    an imported deep chart of it replaces the RSS chart whole."""
    past = TODAY - dt.timedelta(days=4)
    config = _config(tmp_path, store, countries="us", deep_charts=True)
    rss = Path(config.data_dir) / "raw" / "itunes_rss" / f"date={past}" / "country=us"
    rss.mkdir(parents=True)
    body = chart_bodies["/us/rss/topgrossingapplications/limit=100/json"]
    (rss / "topgrossingapplications.json").write_bytes(body)
    deep = _deep_ids(chart_bodies)
    imported = tmp_path / "AppsByRevenue.json"
    imported.write_text(json.dumps({"resultIds": deep}), encoding="utf-8")
    from assets.imports import import_files

    import_files("itunes_charts", past, "us", [imported], Path(config.data_dir) / "raw")

    result = _materialize(config, past, [*ingest_assets[:2], lake_assets[0]])

    assert result.success
    assert store.log == []  # a past day is never fetched
    lake = pl.read_parquet(
        Path(config.data_dir) / "lake" / "chart_entries" / f"date={past}" / "country=us"
    )
    grossing = lake.filter(chart="top_grossing").sort("rank")
    assert grossing["app_id"].to_list() == deep
    assert grossing["source"].unique().to_list() == ["itunes_charts"]


def test_a_past_day_with_some_charts_says_which_it_lacks(tmp_path, store, chart_bodies):
    """A past day imported with only the legacy feed succeeds, and says that the iPhone
    top free and top paid charts are missing (not "already in the archive")."""
    past = TODAY - dt.timedelta(days=5)
    config = _config(tmp_path, store, countries="us")
    body = chart_bodies["/us/rss/topgrossingapplications/limit=100/json"]
    folder = Path(config.data_dir) / "raw" / "itunes_rss" / f"date={past}" / "country=us"
    folder.mkdir(parents=True)
    (folder / "topgrossingapplications.json").write_bytes(body)

    result = _materialize(config, past, [ingest_assets[0], lake_assets[0]])

    assert result.success
    extract = next(
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["raw", "apple_charts"])
    )
    metadata = extract.materialization.metadata
    assert metadata["lacking"].value == 2 and metadata["already_archived"].value == 1
    assert "top-free chart" in metadata["lacking_charts"].value
    assert "top-paid chart" in metadata["lacking_charts"].value
    assert len(store.log) == 0  # a past day is never fetched


def test_pageviews_of_past_days_are_fetched_day_by_day(tmp_path, httpserver):
    days = [TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)]

    def pageviews(request):
        match = re.search(
            r"per-article/([^/]+)/all-access/user/([^/]+)/daily/(\d{8})/(\d{8})$", request.path
        )
        project, article, start, end = match.groups()
        assert start == end
        if article == "ChatGPT" and start == days[0].strftime("%Y%m%d"):
            return Response(json.dumps({"type": "not_found", "title": "Not found."}), status=404)
        item = {
            "project": project,
            "article": article,
            "granularity": "daily",
            "timestamp": start + "00",
            "access": "all-access",
            "agent": "user",
            "views": 1000 + int(start[-2:]),
        }
        return Response(json.dumps({"items": [item]}), content_type="application/json")

    httpserver.expect_request(re.compile("^/metrics/pageviews/")).respond_with_handler(pageviews)
    config = _config(tmp_path, httpserver)
    wikimedia = next(a for a in ingest_assets if a.key.path[-1] == "wikimedia_pageviews")
    search = next(a for a in lake_assets if a.key.path[-1] == "search_interest")

    result = dg.materialize(
        [wikimedia, search],
        resources=resources_for(config),
        tags={
            "dagster/asset_partition_range_start": days[0].isoformat(),
            "dagster/asset_partition_range_end": days[1].isoformat(),
        },
        raise_on_error=False,
    )

    assert result.success
    assert len(httpserver.log) == 6  # 3 articles x 2 days, one request each
    lake = pl.read_parquet(
        Path(config.data_dir) / "lake" / "search_interest", hive_partitioning=False
    )
    assert lake.sort("date", "term").select("date", "term", "interest").rows() == [
        (days[0], "en.wikipedia/DeepSeek", 1000 + days[0].day),
        (days[0], "fr.wikipedia/DeepSeek", 1000 + days[0].day),
        (days[1], "en.wikipedia/ChatGPT", 1000 + days[1].day),
        (days[1], "en.wikipedia/DeepSeek", 1000 + days[1].day),
        (days[1], "fr.wikipedia/DeepSeek", 1000 + days[1].day),
    ]


def test_import_checks_a_file_then_archives_it_unchanged(tmp_path):
    from assets.imports import import_files

    (response,) = [
        r
        for r in play_render.google_play_responses(sample_market(), [SAMPLE_DAY], ["us"])
        if r.item == "topselling_free.json"
    ]
    good = tmp_path / "topselling_free.json"
    good.write_bytes(response.body)
    raw = tmp_path / "raw"

    archived = [done.path for done in import_files("google_play", SAMPLE_DAY, "us", [good], raw)]

    assert [p.relative_to(raw).as_posix() for p in archived] == [
        f"google_play/date={SAMPLE_DAY}/country=us/topselling_free.json"
    ]
    assert archived[0].read_bytes() == response.body


def test_import_refuses_a_bad_file_and_archives_nothing(tmp_path):
    from assets.imports import import_files
    from assets.raw import RawFileError

    good = tmp_path / "estimates.csv"
    good.write_text("date,country,store,app_id,app_name,downloads,dau\n", encoding="utf-8")
    bad = tmp_path / "more" / "estimates.csv"
    bad.parent.mkdir()
    bad.write_text("date,country,app,downloads\n2025-01-27,us,x,1\n", encoding="utf-8")

    with pytest.raises(RawFileError, match="header"):
        import_files("vendor_estimates", SAMPLE_DAY, "us", [bad], tmp_path / "raw")
    assert not (tmp_path / "raw").exists()
    with pytest.raises(ValueError, match=r"both the estimates\.csv"):
        import_files("vendor_estimates", SAMPLE_DAY, "us", [good, bad], tmp_path / "raw")
    assert not (tmp_path / "raw").exists()


def test_each_app_is_looked_up_once_a_day_in_one_storefront():
    charts = pl.DataFrame(
        {
            "country": ["gb", "us", "eg", "gb", "eg", "us"],
            "store": ["app_store"] * 5 + ["google_play"],
            "app_id": ["2", "2", "3", "3", "10", "com.example"],
        }
    )
    # The US when the app charts there, else its first storefront by code; Play apps
    # are not App Store ids.
    assert lookup_plan(charts) == {"eg": ["10", "3"], "us": ["2"]}


def test_sample_and_live_are_one_asset_graph_with_another_market(tmp_path, httpserver):
    """Issue 15: the same assets (the App Store listings included) in both modes; only
    the market resource differs. (Before, live mode added the listing assets and had
    twins of app_estimates, the warehouse and the reports.)"""
    live = build_definitions(_config(tmp_path, httpserver))
    sample = build_definitions(ChartwatchConfig(data_dir=str(tmp_path / "sample")))
    live_keys = live.resolve_asset_graph().get_all_asset_keys()
    listings = {dg.AssetKey(["raw", "itunes_lookup"]), dg.AssetKey(["lake", "app_metadata"])}
    assert listings <= live_keys
    assert sample.resolve_asset_graph().get_all_asset_keys() == live_keys
    assert isinstance(live.resources["market"], LiveMarketClient)
    assert isinstance(sample.resources["market"], SampleMarketClient)


APPFIGURES_PRODUCTS = PRODUCTS.replace(
    'app_store = ["6737597349"]\n',
    'app_store = ["6737597349"]\nappfigures = { "6737597349" = 330001 }\n',
    1,
)


def _appfigures(request):
    """Appfigures' ranks and estimates endpoints, for product 330001 in every country asked."""
    countries = request.args["countries"].split(";")
    if request.path.startswith("/ranks/"):
        day = request.path.rsplit("/", 1)[-1]
        data = [
            {
                "product_id": 330001,
                "country": c,
                "category": {
                    "store_id": 1,
                    "device_id": 1,
                    "id": 36,
                    "name": "Overall",
                    "subtype": "free",
                },
                "positions": [index + 1],
                "deltas": [0],
            }
            for index, c in enumerate(countries)
        ]
        return Response(json.dumps({"dates": [day], "data": data}), content_type="application/json")
    day = request.args["start_date"]
    leaves = {
        c: {day: {"product_id": 330001, "country": c, "date": day, "downloads": 1000 + i}}
        for i, c in enumerate(countries)
    }
    return Response(json.dumps({"330001": leaves}), content_type="application/json")


def test_appfigures_ranks_and_estimates_of_past_days(tmp_path, httpserver, monkeypatch, caplog):
    monkeypatch.setenv("APPFIGURES_TOKEN", "sekrit-token-123")
    httpserver.expect_request(re.compile("^/(ranks|reports)/")).respond_with_handler(_appfigures)
    # The secret as pipelines/resources.py sets it: the variable, resolved in the run.
    config = _config(tmp_path, httpserver, appfigures_token=dg.EnvVar("APPFIGURES_TOKEN"))
    Path(config.products_file).write_text(APPFIGURES_PRODUCTS, encoding="utf-8")
    day = TODAY - dt.timedelta(days=10)
    # The user's own import for the US wins over Appfigures' estimate there.
    imported = (
        Path(config.data_dir)
        / "raw"
        / "vendor_estimates"
        / f"date={day}"
        / "country=us"
        / "estimates.csv"
    )
    imported.parent.mkdir(parents=True)
    imported.write_text(
        f"date,country,store,app_id,app_name,downloads,dau\n{day},us,app_store,6737597349,DeepSeek,777,\n"
    )
    defs = build_definitions(config)
    keys = [
        "raw/appfigures",
        "raw/vendor_estimates",
        "lake/app_estimates",
        "lake/vendor_ranks",
        "warehouse/duckdb",
    ]
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        partition_key=day.isoformat(),
        asset_selection=[dg.AssetKey.from_user_string(k) for k in keys],
        raise_on_error=False,
    )

    assert result.success
    assert {r.headers.get("Authorization") for r, _ in httpserver.log} == {
        "Bearer sekrit-token-123"
    }
    assert "sekrit-token-123" not in caplog.text
    con = duckdb.connect(str(Path(config.data_dir) / "warehouse.duckdb"), read_only=True)
    estimates = con.execute(
        "SELECT country, downloads, source FROM app_estimates ORDER BY country"
    ).fetchall()
    assert estimates == [
        ("eg", 1002, "appfigures"),
        ("gb", 1001, "appfigures"),
        ("us", 777, "import"),
    ]
    ranks = con.execute("SELECT country, chart, rank FROM vendor_ranks ORDER BY country").fetchall()
    assert ranks == [("eg", "top_free", 3), ("gb", "top_free", 2), ("us", "top_free", 1)]


def test_without_a_token_appfigures_is_skipped(tmp_path, httpserver, monkeypatch):
    monkeypatch.delenv("APPFIGURES_TOKEN", raising=False)
    config = _config(tmp_path, httpserver)
    result = _materialize(config, TODAY - dt.timedelta(days=2), [RAW_ASSETS["appfigures"]])

    assert result.success and httpserver.log == []


def test_live_mode_checks_that_todays_partition_arrived_by_the_deadline(tmp_path):
    """Freshness of the latest partition: failing until the lake and the warehouse
    have the partition due by 08:00 UTC, passing once they have."""
    config = ChartwatchConfig(source="live", data_dir=str(tmp_path))
    definitions = build_definitions(config)
    (sensor,) = [s for s in definitions.sensors if s.name != "pool_waits"]
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert not build_definitions(ChartwatchConfig(data_dir=str(tmp_path))).asset_checks
    checks = list(definitions.asset_checks)
    keys = [key for check in checks for key in check.check_keys]
    lake_key = dg.AssetKey(["lake", "chart_entries"])
    assert {key.asset_key for key in keys} == {lake_key, live_warehouse.key}

    def evaluate(instance) -> dict[dg.AssetKey, dg.AssetCheckEvaluation]:
        chart_entries = next(a for a in lake_assets if a.key == lake_key)
        result = dg.materialize(
            [chart_entries, live_warehouse, *checks],
            instance=instance,
            selection=dg.AssetSelection.checks(*keys),
            resources=resources_for(config),
        )
        return {e.asset_key: e for e in result.get_asset_check_evaluations()}

    with dg.DagsterInstance.ephemeral() as instance:
        before = evaluate(instance)
        assert not any(e.passed for e in before.values())
        due = re.search(r"partition (\d{4}-\d{2}-\d{2})", before[lake_key].description).group(1)
        now = dt.datetime.now(dt.UTC).date()
        assert due in {str(now), str(now - dt.timedelta(days=1))}
        instance.report_runless_asset_event(dg.AssetMaterialization(lake_key, partition=due))
        after = evaluate(instance)
        assert after[lake_key].passed and not after[live_warehouse.key].passed

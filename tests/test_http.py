"""The shared HTTP client against a local server (pytest-httpserver on 127.0.0.1):
retries, Retry-After, timeouts, errors, User-Agent, secrets in logs and the
per-host rate limit. No internet; backoffs are tiny and long waits are patched."""

from __future__ import annotations

import email.utils
import itertools
import logging
import socket
import threading
import time

import pytest
from werkzeug import Request, Response

from assets import http
from assets.http import HttpClient, HttpError, redact_url
from assets.live import live_client
from pipelines.resources import chartwatch_from_env


def fast_client(**kw) -> HttpClient:
    """A client whose retries take milliseconds."""
    kw.setdefault("retries", 2)
    kw.setdefault("backoff_factor", 0.001)
    return HttpClient(**kw)


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Record the client's waits without waiting."""
    recorded: list[float] = []
    monkeypatch.setattr(http, "_sleep", recorded.append)
    return recorded


def arrivals(times: list[float], body: str = "ok"):
    """A handler that notes when each request reached the server."""

    def handle(request: Request) -> Response:
        times.append(time.monotonic())
        return Response(body)

    return handle


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_error_then_success_returns_the_body(httpserver):
    httpserver.expect_ordered_request("/chart").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/chart").respond_with_data("the chart")
    with fast_client() as client:
        assert client.get_bytes(httpserver.url_for("/chart")) == b"the chart"
    assert len(httpserver.log) == 2


def test_retry_after_seconds_is_waited(httpserver, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(http, "_sleep", lambda s: (waits.append(s), time.sleep(s)))
    httpserver.expect_ordered_request("/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_ordered_request("/x").respond_with_data("ok")
    started = time.monotonic()
    assert fast_client().get_bytes(httpserver.url_for("/x")) == b"ok"
    assert waits == [1]
    assert 0.95 <= time.monotonic() - started < 5


def test_retry_after_http_date_is_capped(httpserver, sleeps):
    in_an_hour = email.utils.formatdate(time.time() + 3600, usegmt=True)
    httpserver.expect_ordered_request("/x").respond_with_data(
        "", status=503, headers={"Retry-After": in_an_hour}
    )
    httpserver.expect_ordered_request("/x").respond_with_data("ok")
    client = fast_client(retry_after_cap=2.5)
    assert client.get_bytes(httpserver.url_for("/x")) == b"ok"
    assert sleeps == [2.5]


@pytest.mark.parametrize(
    ("status", "headers", "advice"),
    [
        (404, {}, "check the URL / id / storefront"),
        (401, {}, "check the credentials"),
        (413, {"Retry-After": "1"}, "check the URL / id / storefront"),  # urllib3 would retry
    ],
)
def test_other_4xx_is_not_retried_and_says_what_to_do(httpserver, sleeps, status, headers, advice):
    httpserver.expect_request("/lookup").respond_with_data("no", status=status, headers=headers)
    url = httpserver.url_for("/lookup")
    with pytest.raises(HttpError) as caught:
        fast_client(retries=5).get(url, params={"id": "123", "country": "zz"})
    err = caught.value
    assert len(httpserver.log) == 1 and sleeps == []
    assert (err.status, err.attempts, err.body) == (status, 1, b"no")
    assert f"{url}?id=123&country=zz" in str(err)
    assert f"HTTP {status}" in str(err) and "after 1 attempt" in str(err)
    assert "attempts" not in str(err)
    assert advice in str(err)


def test_persistent_server_error_gives_up_after_the_retries(httpserver):
    httpserver.expect_request("/x").respond_with_data("oops", status=500)
    with pytest.raises(HttpError) as caught:
        fast_client(retries=3).get(httpserver.url_for("/x"))
    err = caught.value
    assert len(httpserver.log) == 4
    assert (err.status, err.attempts, err.body) == (500, 4, b"oops")
    assert "4 attempts" in str(err) and "try again later" in str(err)


def test_read_timeout_is_retried_then_reported(httpserver, caplog):
    release = threading.Event()

    def never_answers_in_time(request: Request) -> Response:
        release.wait(2)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(never_answers_in_time)
    client = fast_client(retries=1, read_timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(HttpError) as caught:
            client.get(httpserver.url_for("/slow"))
        elapsed = time.monotonic() - started
    finally:
        release.set()
        # Let the (single-threaded) server finish both requests before the next test.
        deadline = time.monotonic() + 3
        while len(httpserver.log) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    err = caught.value
    assert (err.status, err.attempts) == (None, 2)
    assert "timed out" in str(err) and "CHARTWATCH_HTTP_TIMEOUT" in str(err)
    assert "retry 1/1" in caplog.text
    assert elapsed < 1.5


def test_connection_refused_is_retried_then_reported():
    url = f"http://127.0.0.1:{closed_port()}/x"
    with pytest.raises(HttpError) as caught:
        fast_client(retries=2).get(url)
    err = caught.value
    assert (err.status, err.attempts, err.url) == (None, 3, url)
    assert "could not connect" in str(err) and "3 attempts" in str(err)


def test_user_agent_names_chartwatch_and_the_contact(httpserver):
    httpserver.expect_request("/x").respond_with_data("ok")
    fast_client(contact="ops@example.org").get(httpserver.url_for("/x"))
    sent = httpserver.log[0][0].headers["User-Agent"]
    assert sent.startswith("Chartwatch/") and "contact: ops@example.org" in sent
    assert "CHARTWATCH_CONTACT" in fast_client().user_agent


@pytest.mark.parametrize("server", ["failing", "unreachable"])
def test_secrets_never_reach_logs_or_errors(httpserver, caplog, server):
    caplog.set_level(logging.DEBUG)
    # Importing dagster-k8s (tests/test_deploy.py) sets urllib3's logger to WARNING.
    caplog.set_level(logging.DEBUG, logger="urllib3")
    if server == "failing":
        httpserver.expect_request("/data").respond_with_data("down", status=503)
        base = httpserver.url_for("/data")
    else:
        base = f"http://127.0.0.1:{closed_port()}/data"
    headers = {"Authorization": "Bearer HEADER-SECRET-1", "X-Client-Key": "HEADER-SECRET-2"}
    with pytest.raises(HttpError) as caught:
        fast_client(retries=1).get(
            f"{base}?token=QUERY-SECRET&country=us",
            params={"api_key": "PARAM-SECRET"},
            headers=headers,
        )
    # Everything logged on the client side (werkzeug's lines are the test server's).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    shown = [str(caught.value), repr(caught.value), caught.value.url, logged]
    for secret in ("HEADER-SECRET-1", "HEADER-SECRET-2", "QUERY-SECRET", "PARAM-SECRET"):
        assert not any(secret in text for text in shown), secret
    assert "token=***&country=us&api_key=***" in str(caught.value)
    assert any(
        r.name.startswith("urllib3") and "token=***" in r.getMessage() for r in caplog.records
    )
    assert "retry 1/1" in logged


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://h/x?id=1&token=abc", "https://h/x?id=1&token=***"),
        (
            "https://h/x?Client_Key=abc&api_key=d&country=us",
            "https://h/x?Client_Key=***&api_key=***&country=us",
        ),
        (
            "https://user:pw@h/x?signature=s&password=p",
            "https://user:***@h/x?signature=***&password=***",
        ),
        ("https://h/keys/x?monkey=1", "https://h/keys/x?monkey=***"),  # over-masking is harmless
        ("https://h/x?id=1", "https://h/x?id=1"),
    ],
)
def test_redact_url_masks_secret_looking_parameters(url, shown):
    assert redact_url(url) == shown


def test_requests_to_one_host_start_at_least_the_interval_apart(httpserver):
    times: list[float] = []
    httpserver.expect_request("/x").respond_with_handler(arrivals(times))
    client = fast_client()
    client.per_host_interval["127.0.0.1"] = 0.3  # as a connector sets its hosts' intervals
    client.get(httpserver.url_for("/x"))
    client.get(httpserver.url_for("/x"))
    assert times[1] - times[0] >= 0.3 - 0.02


def test_the_interval_holds_across_threads_and_for_retries(httpserver):
    times: list[float] = []

    def first_fails(request: Request) -> Response:
        times.append(time.monotonic())
        return Response("down", status=503) if len(times) == 1 else Response("ok")

    httpserver.expect_request("/x").respond_with_handler(first_fails)
    client = fast_client(per_host_interval={"127.0.0.1": 0.15})
    bodies: list[bytes] = []
    workers = [
        threading.Thread(target=lambda: bodies.append(client.get_bytes(httpserver.url_for("/x"))))
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert bodies == [b"ok"] * 3 and len(times) == 4  # one 503, retried
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.15 - 0.02 for gap in gaps), gaps


def test_other_hosts_are_not_delayed(httpserver):
    httpserver.expect_request("/x").respond_with_data("ok")
    client = fast_client(default_interval=0.5)
    client.get(httpserver.url_for("/x"))
    started = time.monotonic()
    client.get(f"http://localhost:{httpserver.port}/x")
    assert time.monotonic() - started < 0.25


def test_redirect_to_another_host_drops_secret_headers(httpserver):
    elsewhere = f"http://localhost:{httpserver.port}/b"
    httpserver.expect_request("/a").respond_with_data(
        "", status=302, headers={"Location": elsewhere}
    )
    httpserver.expect_request("/b").respond_with_data("moved")
    headers = {"X-Client-Key": "k", "Authorization": "Bearer t", "Accept": "application/json"}
    assert fast_client().get_bytes(httpserver.url_for("/a"), headers=headers) == b"moved"
    first, second = (request.headers for request, _ in httpserver.log)
    assert first["X-Client-Key"] == "k"
    assert "X-Client-Key" not in second and "Authorization" not in second
    assert second["Accept"] == "application/json"


def client_from_env(contact: str | None = None) -> HttpClient:
    """The client of a run, from the settings the environment gives (pipelines/settings.py)."""
    config = chartwatch_from_env()
    return live_client(config.model_copy(update={"contact": contact}) if contact else config)


def test_client_from_env_reads_the_settings(monkeypatch):
    monkeypatch.setenv("CHARTWATCH_CONTACT", "ops@example.org")
    monkeypatch.setenv("CHARTWATCH_HTTP_TIMEOUT", "12.5")
    monkeypatch.setenv("CHARTWATCH_HTTP_RETRIES", "2")
    client = client_from_env()
    assert (client.timeout[1], client.retries) == (12.5, 2)
    assert "ops@example.org" in client.user_agent
    assert "other@example.org" in client_from_env("other@example.org").user_agent


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CHARTWATCH_HTTP_TIMEOUT", "soon"),
        ("CHARTWATCH_HTTP_TIMEOUT", "0"),
        ("CHARTWATCH_HTTP_RETRIES", "2.5"),
        ("CHARTWATCH_HTTP_RETRIES", "-1"),
    ],
)
def test_client_from_env_names_a_bad_setting(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"{name}='{value}' is not"):
        client_from_env()


def test_a_relative_url_is_a_clear_error():
    with pytest.raises(ValueError, match="not an absolute http"):
        fast_client().get("itunes.apple.com/lookup?id=1")


def test_live_mode_without_a_contact_still_sends_a_user_agent_that_asks_for_one():
    # live_client passes contact=None when CHARTWATCH_CONTACT is unset.
    client = HttpClient(contact=None)
    assert "set CHARTWATCH_CONTACT" in client.user_agent

"""The one HTTP client every live connector uses.

Why one client: politeness and failure handling are the same for every source,
so they live here once. A :class:`HttpClient` gives

- a pooled ``requests`` session (connections to a host are reused);
- a connect and a read timeout on every request (``requests`` has none by default,
  so a silent server would hang a run forever);
- a User-Agent naming Chartwatch and a contact (Wikimedia's API policy asks for
  one, and it lets any operator reach us instead of blocking us);
- retries of GET, with exponential backoff and jitter, on 429, 500, 502, 503,
  504, connection errors and read timeouts, honouring ``Retry-After`` (seconds or
  HTTP date) up to a cap; no retry on any other 4xx, which a retry cannot fix;
- a minimum interval between request starts to the same host, shared by all the
  threads that use the client;
- a single exception, :class:`HttpError`, that says what failed, where, after how
  many attempts and what to do.

The retry, backoff, jitter and ``Retry-After`` logic is urllib3's ``Retry``,
mounted through ``requests.adapters.HTTPAdapter``: well-tested code rather than
a hand-written loop. ``_Retry`` subclasses it only to log each retry, to apply
the per-host interval to retries too and to count attempts. The per-host limiter
is a lock and a next-allowed time per host, small enough not to warrant a
dependency.

Secrets: pass tokens and keys in headers (``Authorization: Bearer ...``,
Appfigures' ``X-Client-Key``). Nothing here logs a header value, and on a
redirect to another host, headers whose name looks secret are dropped as
requests already drops ``Authorization``. URLs are logged and reported through
:func:`redact_url`, which masks query parameters whose name looks secret. urllib3
logs request targets itself (at DEBUG, and a WARNING per connection retry); this
module adds a filter to urllib3's loggers that applies the same masking, so an
API that insists on a key in the query string does not leak it into logs either.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

log = logging.getLogger("chartwatch.http")

VERSION = "0.1"
PROJECT_URL = "https://github.com/chartwatch/chartwatch"
USER_AGENT_TEMPLATE = (
    "Chartwatch/{version} (+{project_url}; contact: {contact}) python-requests/{requests_version}"
)
UNSET_CONTACT = "unset (set CHARTWATCH_CONTACT)"

# Throttling (429) and transient server failures; every other 4xx/5xx is final.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# A query parameter (after ?, & or ;, or # for OAuth fragments) whose name
# contains one of these words has its value masked; masking a harmless parameter
# by mistake costs nothing, showing a key costs a rotation.
_SECRET_WORDS = "token|key|secret|passw|signature|credential|auth"
_SECRET_PARAM = re.compile(
    rf"(?i)(?<=[?&;#])(?P<name>[^=&#?\s'\"]*(?:{_SECRET_WORDS})[^=&#?\s'\"]*)=(?P<value>[^&#\s'\"]*)"
)
_SECRET_HEADER = re.compile(rf"(?i){_SECRET_WORDS}|cookie")
_POOL_PREFIX = re.compile(r"^\w*Connection(?:Pool)?\(host=[^)]*\): ")
_USERINFO = re.compile(r"(?<=//)(?P<user>[^/@:\s]*):(?P<password>[^/@\s]+)@")


def redact_url(url: str) -> str:
    """``url`` with the value of each secret-looking query parameter and any
    password in the user info replaced by ``***``.

    Works on any text that contains URLs (a log line, an exception message), so it
    can scrub messages from libraries too.
    """
    text = _SECRET_PARAM.sub(r"\g<name>=***", url)
    return _USERINFO.sub(r"\g<user>:***@", text)


def user_agent(contact: str | None = "") -> str:
    """The User-Agent Chartwatch sends: who we are, where to read about us and
    whom to contact."""
    contact = (contact or "").strip()
    if any(ch in contact for ch in "\r\n\t") or not contact.isprintable():
        raise ValueError(
            f"contact {contact!r} contains control characters; set CHARTWATCH_CONTACT to "
            "an e-mail address or URL on one line"
        )
    return USER_AGENT_TEMPLATE.format(
        version=VERSION,
        project_url=PROJECT_URL,
        contact=contact or UNSET_CONTACT,
        requests_version=requests.__version__,
    )


class HttpError(RuntimeError):
    """A request that failed for good: after the retries for throttling, server
    errors, connection errors and timeouts, at once for any other 4xx.

    Attributes: ``url`` (secret query values masked), ``status`` (None when no
    response came back: connection error or timeout), ``reason`` (short text),
    ``attempts`` (None if unknown), ``advice`` (what to do), ``body`` (the
    response body, b"" if none) and ``retry_after`` (seconds the server asked us
    to wait, if it said). ``str()`` puts these in one sentence; it never shows
    the body or any header, which may echo a token.
    """

    def __init__(
        self,
        url: str,
        status: int | None,
        reason: str,
        *,
        attempts: int | None = 1,
        advice: str = "",
        body: bytes = b"",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(url, status, reason)
        self.url = url
        self.status = status
        self.reason = reason
        self.attempts = attempts
        self.advice = advice
        self.body = body
        self.retry_after = retry_after

    def __str__(self) -> str:
        what = f"HTTP {self.status} {self.reason}".rstrip() if self.status else self.reason
        tries = "" if self.attempts is None else f" after {_plural(self.attempts, 'attempt')}"
        wait = (
            ""
            if self.retry_after is None
            else f" (the server asked to wait {self.retry_after:g} s)"
        )
        advice = f". What to do: {self.advice}" if self.advice else ""
        return f"GET {self.url} failed: {what}{tries}{wait}{advice}."


class _HostLimiter:
    """At least ``interval`` seconds between request starts to one host.

    Each caller reserves the next free slot under the lock and sleeps outside it,
    so threads waiting for one host never hold up requests to another.
    """

    def __init__(self, intervals: dict[str, float], default: float) -> None:
        self.intervals = intervals  # the client's live per_host_interval dict
        self._default = float(default)
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        host = host.lower()
        interval = self.intervals.get(host, self._default)
        if interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + interval
        if start > now:
            _sleep(start - now)


def _sleep(seconds: float) -> None:
    """Every wait of this module goes through here (one place for tests to patch)."""
    time.sleep(seconds)


class _Retry(Retry):
    """urllib3's Retry, plus: a WARNING per retry, the per-host interval applied
    to retries as well, and the attempt count on the final MaxRetryError.

    ``Retry`` objects are immutable (``increment`` returns a new one), so the
    extra attributes are carried over in ``new``.
    """

    # urllib3 also retries 413 and 503 whenever they carry Retry-After; keep to
    # RETRY_STATUSES so no other 4xx is ever retried.
    RETRY_AFTER_STATUS_CODES = frozenset()

    limiter: _HostLimiter | None = None
    origin: str = ""  # scheme://host:port of the last attempt, for the log line
    host: str = ""

    def new(self, **kw: Any) -> _Retry:
        retry = super().new(**kw)
        retry.limiter, retry.origin, retry.host = self.limiter, self.origin, self.host
        return retry

    def increment(
        self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None
    ):
        try:
            retry = super().increment(method, url, response, error, _pool, _stacktrace)
        except MaxRetryError as exc:
            exc.attempts = len(self.history) + 1  # type: ignore[attr-defined]
            raise
        if _pool is not None:
            retry.host = _pool.host
            retry.origin = f"{_pool.scheme}://{_pool.host}:{_pool.port}"
        return retry

    def sleep(self, response=None) -> None:  # type: ignore[override]
        # Same choice as Retry.sleep (Retry-After first, capped at retry_after_max,
        # else backoff with jitter), computed once so the log shows the real wait.
        delay: float | None = None
        if self.respect_retry_after_header and response is not None:
            try:
                delay = self.get_retry_after(response)
            except InvalidHeader:
                delay = None  # unparseable Retry-After: fall back to backoff
        if not delay:
            delay = self.get_backoff_time()
        last = self.history[-1]
        url = last.url if (last.url or "").startswith("http") else f"{self.origin}{last.url}"
        outcome = last.status if last.status is not None else _describe(last.error)
        done = len(self.history)
        log.warning(
            "%s %s -> %s, retry %d/%d in %.1f s",
            last.method,
            redact_url(url),
            outcome,
            done,
            done + (self.total or 0),
            delay,
        )
        if delay > 0:
            _sleep(delay)
        if self.limiter is not None and self.host:
            self.limiter.wait(self.host)


class _Adapter(HTTPAdapter):
    """Applies the per-host interval to every request the session sends
    (including redirect hops); retries wait in ``_Retry.sleep``."""

    def __init__(self, limiter: _HostLimiter, **kw: Any) -> None:
        self.limiter = limiter
        super().__init__(**kw)

    def send(self, request, *args, **kwargs):  # type: ignore[override]
        self.limiter.wait(urlsplit(request.url).hostname or "")
        return super().send(request, *args, **kwargs)


class _Session(requests.Session):
    """A session that, on a redirect to another host, drops every header whose
    name looks secret (``X-Client-Key``, ``X-Api-Key``...), not only
    ``Authorization`` as requests does."""

    def rebuild_auth(self, prepared_request, response) -> None:  # type: ignore[override]
        if self.should_strip_auth(response.request.url, prepared_request.url):
            for name in [n for n in prepared_request.headers if _SECRET_HEADER.search(n)]:
                del prepared_request.headers[name]
        super().rebuild_auth(prepared_request, response)


class HttpClient:
    """The shared client: use one per run, from several threads if you like.

    Timeouts: ``connect_timeout`` bounds opening a connection, ``read_timeout``
    bounds each wait for data (not the whole download). Retries: up to
    ``retries`` more attempts; urllib3 waits ``backoff_factor * 2**(n-1)`` s
    before the n-th retry (none before the first), plus up to ``backoff_factor``
    s of random jitter so parallel workers do not retry in step, at most
    ``backoff_max`` s; a ``Retry-After`` header replaces that wait, capped at
    ``retry_after_cap`` s. ``per_host_interval`` maps a host name (e.g.
    ``"itunes.apple.com"``) to the minimum seconds between request starts to it;
    other hosts get ``default_interval``. The mapping is kept as the attribute
    ``per_host_interval`` (keys lower-case, as a URL's host), which callers may
    update, e.g. with their sources' intervals (``assets/live.py:live_client`` builds
    the client of a run from the settings).
    """

    def __init__(
        self,
        *,
        contact: str = "",
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        retries: int = 5,
        backoff_factor: float = 0.5,
        backoff_max: float = 60.0,
        retry_after_cap: float = 120.0,
        per_host_interval: Mapping[str, float] | None = None,
        default_interval: float = 0.0,
        pool_size: int = 8,
    ) -> None:
        for name, value in (("connect_timeout", connect_timeout), ("read_timeout", read_timeout)):
            if not value > 0:
                raise ValueError(f"HttpClient: {name} must be > 0 seconds, got {value!r}")
        for name, value in (
            ("backoff_factor", backoff_factor),
            ("backoff_max", backoff_max),
            ("retry_after_cap", retry_after_cap),
            ("default_interval", default_interval),
            *((f"per_host_interval[{h!r}]", s) for h, s in (per_host_interval or {}).items()),
        ):
            if not value >= 0:
                raise ValueError(f"HttpClient: {name} must be >= 0 seconds, got {value!r}")
        if not (isinstance(retries, int) and retries >= 0):
            raise ValueError(f"HttpClient: retries must be a whole number >= 0, got {retries!r}")
        if not (isinstance(pool_size, int) and pool_size >= 1):
            raise ValueError(
                f"HttpClient: pool_size must be a whole number >= 1, got {pool_size!r}"
            )

        self.user_agent = user_agent(contact)
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.retries = retries
        self.per_host_interval: dict[str, float] = {
            host.lower(): float(seconds) for host, seconds in (per_host_interval or {}).items()
        }
        limiter = _HostLimiter(self.per_host_interval, default_interval)
        self._retry = _Retry(
            total=retries,
            other=0,  # e.g. a certificate error: retrying will not fix it
            allowed_methods=frozenset({"GET"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            backoff_jitter=backoff_factor,
            backoff_max=backoff_max,
            retry_after_max=retry_after_cap,  # type: ignore[arg-type]  # a float works
            raise_on_status=False,  # hand back the last 429/5xx so HttpError has status and body
        )
        self._retry.limiter = limiter
        self._session = _Session()
        self._session.headers["User-Agent"] = self.user_agent
        adapter = _Adapter(
            limiter, pool_connections=pool_size, pool_maxsize=pool_size, max_retries=self._retry
        )
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """GET ``url`` and return the response if its status is 2xx; otherwise raise
        :class:`HttpError` (after retrying what is worth retrying).

        Put tokens in ``headers``, never in ``url`` or ``params``.
        """
        shown = _shown_url(url, params)
        started = time.monotonic()
        try:
            response = self._session.get(url, params=params, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            error = self._error_from_exception(shown, exc)
            log.debug("GET %s failed: %s", shown, error.reason)
            # `from None`: the requests exception shows the unmasked URL.
            raise error from None
        retries = getattr(response.raw, "retries", None)
        attempts = len(retries.history) + 1 if retries is not None else None
        log.debug(
            "GET %s -> %d in %.2f s (%s)",
            shown,
            response.status_code,
            time.monotonic() - started,
            _plural(attempts, "attempt") if attempts else "attempts unknown",
        )
        if 200 <= response.status_code < 300:
            return response
        raise HttpError(
            shown,
            response.status_code,
            response.reason or "",
            attempts=attempts,
            advice=_advice(response.status_code),
            body=response.content,
            retry_after=self._retry_after(response),
        )

    def get_bytes(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> bytes:
        """The body of a 2xx response to GET ``url``, byte for byte (see :meth:`get`)."""
        return self.get(url, params=params, headers=headers).content

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _retry_after(self, response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if value is None:
            return None
        try:
            return self._retry.parse_retry_after(value)
        except InvalidHeader:
            return None

    def _error_from_exception(self, shown: str, exc: requests.RequestException) -> HttpError:
        inner = exc.args[0] if exc.args else None
        if isinstance(inner, MaxRetryError):
            cause: BaseException | None = inner.reason
            attempts: int | None = getattr(inner, "attempts", None)
        else:
            # Raised outside urllib3's retries, e.g. while reading the body.
            cause, attempts = (inner if isinstance(inner, BaseException) else exc), None
        if isinstance(cause, ReadTimeoutError | requests.ReadTimeout):
            reason = f"timed out: no response within the read timeout of {self.timeout[1]:g} s"
            advice = "raise CHARTWATCH_HTTP_TIMEOUT or try later"
        elif isinstance(cause, ConnectTimeoutError) and not isinstance(cause, NewConnectionError):
            reason = f"timed out connecting (connect timeout {self.timeout[0]:g} s)"
            advice = "check the network and the host name, or try later"
        elif isinstance(cause, NewConnectionError | ProtocolError | requests.ConnectionError):
            reason = f"could not connect: {_describe(cause)}"
            advice = "check the network and the host name, or try later"
        else:
            reason = _describe(cause)
            advice = "check the URL and the network"
        return HttpError(shown, None, reason, attempts=attempts, advice=advice)


def _shown_url(url: str, params: Mapping[str, Any] | None) -> str:
    """The full URL as sent (with ``params``), secrets masked; ValueError if it is
    not an absolute http(s) URL."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"HttpClient.get: {redact_url(str(url))!r} is not an absolute http(s) URL; pass a full "
            "URL such as 'https://itunes.apple.com/lookup?id=284882215' (check the base URL "
            "setting it was built from)"
        )
    prepared = PreparedRequest()
    try:
        prepared.prepare_url(url, params)
    except requests.RequestException as exc:
        raise ValueError(
            f"HttpClient.get: {redact_url(url)!r} is not a valid URL ({redact_url(str(exc))}); "
            "check the base URL setting it was built from"
        ) from None
    return redact_url(prepared.url or url)


def _advice(status: int) -> str:
    if status in RETRY_STATUSES or status >= 500:
        return "the service is throttling or down; try again later, the run only fetches what is missing"
    if status in (401, 403):
        return (
            "check the credentials for this source (token or key) and that they allow this request"
        )
    if 400 <= status < 500:
        return "check the URL / id / storefront in the request"
    return "unexpected status; check the URL (a redirect that was not followed?)"


def _describe(error: BaseException | None) -> str:
    """A one-line, secret-masked description of an exception."""
    if error is None:
        return "error"
    while isinstance(error, MaxRetryError | requests.RequestException) and error.args:
        inner = error.reason if isinstance(error, MaxRetryError) else error.args[0]
        if not isinstance(inner, BaseException):
            break
        error = inner
    # urllib3 prefixes "HTTPConnectionPool(host=..., port=...): "; the URL is shown already.
    message = _POOL_PREFIX.sub("", str(error)).strip()
    return redact_url(message or type(error).__name__)


def _plural(n: int | None, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class _RedactFilter(logging.Filter):
    """Masks secret query values in urllib3's own log records (see module doc)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return True
        masked = redact_url(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_REDACT_FILTER = _RedactFilter()
for _name in (
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
):
    logging.getLogger(_name).addFilter(_REDACT_FILTER)

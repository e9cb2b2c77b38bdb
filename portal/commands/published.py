"""The published portal's sitemap, over HTTP, for `check --published`: asked the way the
weather source asks its service (weather/source.py), since the answer is just as
untrusted. A deadline for connecting and for each read, a budget for the whole (in a
thread: socket timeouts do not cover a resolver that hangs), a size limit, redirects
followed only to http(s) addresses, and every failure a key that says in plain words
what went wrong, never the system's own text. A sitemap that is not there (404, 410)
is a portal not yet published: nothing to compare with, and nothing to say.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from ..errors import ContentError
from ..urls import usable_base_url

TIMEOUT = 10.0  # seconds, for connecting and for the whole body
MAX_SITEMAP_BYTES = 50 * 2 ** 20  # the sitemap protocol's own limit
NOT_PUBLISHED = (404, 410)


@dataclass(frozen=True)
class Fetched:
    """A sitemap's bytes; None when there is none (not published yet), or the problem."""

    data: bytes | None = None
    problem: ContentError | None = None


class _Failure(Exception):
    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key, self.params = key, params


def sitemap_address(published: str, base_url: str) -> str:
    """`--published` as given (empty: the site's base_url); a folder means its sitemap.xml."""
    address = published.strip() or base_url
    return address + "sitemap.xml" if address.endswith("/") else address


def fetch_sitemap(address: str, base_url: str) -> Fetched:
    if not usable_base_url(address):
        return Fetched(problem=_problem(address, "moved_bad_address"))
    outcome: list = []

    def attempt() -> None:
        try:
            outcome.append(_get(address, base_url))
        except _Failure as failure:
            outcome.append(failure)
        except Exception:  # noqa: BLE001 (whatever the answer did, it must not escape the thread)
            outcome.append(_Failure("moved_unreachable"))

    worker = threading.Thread(target=attempt, name="sitemap", daemon=True)
    worker.start()
    worker.join(TIMEOUT + 1.0)
    if not outcome:
        return Fetched(problem=_problem(address, "moved_timeout", seconds=f"{TIMEOUT:g}"))
    if isinstance(outcome[0], _Failure):
        failure = outcome[0]
        return Fetched(problem=_problem(address, failure.key, **failure.params))
    return outcome[0]


def _problem(address: str, key: str, **params: object) -> ContentError:
    return ContentError(address, None, None, key,
                        tuple((k, str(v)) for k, v in {"url": address, **params}.items()))


class _HttpOnly(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to another http(s) address (not ftp:, which urllib allows)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _get(address: str, base_url: str) -> Fetched:
    request = urllib.request.Request(address, headers={
        "User-Agent": f"portal-check (+{base_url})", "Accept": "application/xml, text/xml"})
    opener = urllib.request.build_opener(_HttpOnly)
    try:
        return Fetched(_read_body(opener, request))
    except urllib.error.HTTPError as error:
        if error.code in NOT_PUBLISHED:
            return Fetched()
        raise _Failure("moved_http_error", status=error.code) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise _network_failure(error) from None


def _read_body(opener: urllib.request.OpenerDirector, request: urllib.request.Request) -> bytes:
    deadline = time.monotonic() + TIMEOUT
    with opener.open(request, timeout=TIMEOUT) as response:
        chunks, size = [], 0
        while chunk := response.read(65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_SITEMAP_BYTES:
                raise _Failure("moved_too_large", max=MAX_SITEMAP_BYTES // 2 ** 20)
            if time.monotonic() > deadline:
                raise TimeoutError
    return b"".join(chunks)


def _network_failure(error: Exception) -> _Failure:
    reason = getattr(error, "reason", error)
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return _Failure("moved_timeout", seconds=f"{TIMEOUT:g}")
    if isinstance(reason, socket.gaierror):
        return _Failure("moved_host_not_found")
    return _Failure("moved_unreachable")

"""The published portal's sitemap, over HTTP, for `check --published`: asked through the
same bounded GET as the weather (portal/fetch.py), since the answer is just as
untrusted; redirects are followed only to http(s) addresses, and every failure is a
key that says in plain words what went wrong, never the system's own text. A sitemap that is not there (404, 410)
is a portal not yet published: nothing to compare with, and nothing to say.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from ..errors import ContentError
from ..fetch import OverBudget, TooLarge, network_problem, read_body, run_within_budget
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
    try:
        return run_within_budget(lambda: _get(address, base_url), TIMEOUT + 1.0, _Failure,
                                 lambda: _Failure("moved_unreachable"))
    except OverBudget:
        return Fetched(problem=_problem(address, "moved_timeout", seconds=f"{TIMEOUT:g}"))
    except _Failure as failure:
        return Fetched(problem=_problem(address, failure.key, **failure.params))


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
        return Fetched(read_body(opener.open, request, TIMEOUT, MAX_SITEMAP_BYTES))
    except TooLarge:
        raise _Failure("moved_too_large", max=MAX_SITEMAP_BYTES // 2 ** 20) from None
    except urllib.error.HTTPError as error:
        if error.code in NOT_PUBLISHED:
            return Fetched()
        raise _Failure("moved_http_error", status=error.code) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise _network_failure(error) from None


def _network_failure(error: Exception) -> _Failure:
    kind = network_problem(error)
    if kind == "timeout":
        return _Failure("moved_timeout", seconds=f"{TIMEOUT:g}")
    return _Failure("moved_host_not_found" if kind == "host_not_found" else "moved_unreachable")

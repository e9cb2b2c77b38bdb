"""One bounded HTTP GET, for the two answers the engine asks another machine for: the
weather (weather/source.py) and the published sitemap (`check --published`). Both
answers are untrusted data, and a slow or hostile server must not hold a build.

A deadline for connecting and for every read, one for the whole body, a size limit, and
a budget for the whole exchange in a thread (socket timeouts do not cover a resolver
that hangs). Failures come out by kind (`network_problem`), never as the system's own
words ("[Errno -2] Name or service not known"), which mean nothing to an editor.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from typing import Callable, TypeVar

T = TypeVar("T")


class TooLarge(ValueError):
    """The answer passed its size limit (a ValueError: a retry would get the same)."""


class OverBudget(Exception):
    """The exchange took longer than its budget."""


def run_within_budget(fetch: Callable[[], T], budget: float, expected: type[Exception],
                  unexpected: Callable[[], Exception]) -> T:
    """`fetch()` in a daemon thread, waited for `budget` seconds at most. Its `expected`
    failures are raised here as they are; anything else it raises becomes
    `unexpected()`, since whatever the answer did must not escape the thread (that
    prints a traceback and leaves the caller waiting out the budget for nothing)."""
    outcome: list = []

    def attempt() -> None:
        try:
            outcome.append(fetch())
        except expected as failure:
            outcome.append(failure)
        except Exception:  # noqa: BLE001
            outcome.append(unexpected())

    worker = threading.Thread(target=attempt, name="fetch", daemon=True)
    worker.start()
    worker.join(budget)
    if not outcome:
        raise OverBudget
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def read_body(open_request: Callable[..., object], request: urllib.request.Request,
              timeout: float, max_bytes: int, chunk_bytes: int = 65536) -> bytes:
    """The whole body of `open_request(request, timeout=…)` (urlopen, or an opener's
    open), within `timeout` seconds and `max_bytes`."""
    deadline = time.monotonic() + timeout
    with open_request(request, timeout=timeout) as response:
        chunks, size = [], 0
        while chunk := response.read(chunk_bytes):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge("the answer is too large")
            if time.monotonic() > deadline:
                raise TimeoutError
    return b"".join(chunks)


def network_problem(error: Exception) -> str:
    """What went wrong on the way: "timeout", "host_not_found", "refused" or "unreachable"."""
    reason = getattr(error, "reason", error)
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timeout"
    if isinstance(reason, socket.gaierror):
        return "host_not_found"
    if isinstance(reason, ConnectionRefusedError):
        return "refused"
    return "unreachable"

"""Per-client throttling of failed authentication (API bearer keys, /signin, session cookies).

A client (its address as the ASGI server reports it: behind a reverse proxy, run uvicorn with
``--proxy-headers --forwarded-allow-ips=PROXY`` so that this is the real client) may fail
``limit`` times within ``window`` seconds of its first failure. After that, until the window
ends, every attempt of that client to authenticate is refused with 429 and ``Retry-After``
*without checking the key*, so a blocked client learns nothing from its guesses. Successful
authentications are not counted; a client that never fails is never throttled.

Examples
--------
>>> now = [0.0]
>>> t = Throttle(limit=2, window=60, clock=lambda: now[0])
>>> t.failed("10.0.0.1"); t.failed("10.0.0.1")
>>> now[0] = 2.0; t.retry_after("10.0.0.1")        # blocked until 60 s after the first
58
>>> t.retry_after("10.0.0.2") is None              # another client is not
True
>>> now[0] = 61.0; t.retry_after("10.0.0.1") is None
True
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from cachetools import TTLCache
from starlette.requests import HTTPConnection


class Throttle:
    """Failed-authentication counts per client, forgotten ``window`` seconds after each
    client's first failure (at most ``max_clients`` clients are remembered)."""

    def __init__(self, limit: int = 20, window: float = 60.0, *, max_clients: int = 100_000,
                 clock: Callable[[], float] = time.monotonic):
        if limit < 1 or window <= 0:
            raise ValueError(f"need limit >= 1 and window > 0, got {limit!r} and {window!r}")
        self.limit, self.window, self._clock = limit, window, clock
        # client -> [failures, time of the first]; the entry expires with its window
        self._failures: TTLCache = TTLCache(max_clients, window, timer=clock)
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """Whole seconds until ``client`` may try again, or None if it is not blocked."""
        with self._lock:
            entry = self._failures.get(client)
            if entry is None or entry[0] < self.limit:
                return None
            left = entry[1] + self.window - self._clock()
        return max(1, math.ceil(left)) if left > 0 else None

    def failed(self, client: str) -> None:
        """Count one failed authentication of ``client``."""
        with self._lock:
            entry = self._failures.get(client)
            if entry is None:
                self._failures[client] = [1, self._clock()]
            else:
                entry[0] += 1  # in place: the window still ends ``window`` after the first

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()


def client_of(conn: HTTPConnection) -> str:
    """The client's address (``unknown`` when the server does not say)."""
    return conn.client.host if conn.client else "unknown"


def throttle_of(conn: HTTPConnection) -> Throttle:
    """The app's throttle (made in ``create_app`` from the settings)."""
    return conn.app.state.throttle


__all__ = ["Throttle", "client_of", "throttle_of"]

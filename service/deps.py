"""Shared dependencies: the engine held by the app, and API-key authentication.

The Engine (and its Store) is created once in the app's lifespan and lives on
``app.state``. Sync routes run in FastAPI's thread pool, so engine calls that build or
mutate the engine's caches go through :func:`locked`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from matcher.engine import Engine
from matcher.keys import hash_secret, verify_key
from matcher.store import extra
from matcher.store.extra import KeyRecord


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's scope and what it is bound to."""

    key_id: int
    scope: str
    member_id: str | None = None
    event: str | None = None

    @property
    def admin(self) -> bool:
        return self.scope == "admin"

    def is_member(self, member_id: str) -> bool:
        return self.scope == "member" and self.member_id == member_id

    def sees_private(self, member_id: str) -> bool:
        return self.admin or self.is_member(member_id)


class PairingRuns:
    """Event name -> its newest PairingRun, kept in the store (so a restart loses nothing).

    ``runs.get(name)`` reads the current schedule, ``runs[name] = run`` saves a new one and
    ``runs.previous(name)`` gives the one before it (for comparing re-runs).
    """

    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, name: str, default=None):
        runs = self.engine.runs(name, 1)
        return runs[0] if runs else default

    def previous(self, name: str):
        runs = self.engine.runs(name, 2)
        return runs[1] if len(runs) > 1 else None

    def __setitem__(self, name: str, run) -> None:
        if run.event != name:
            raise ValueError(f"a schedule of {run.event!r} cannot be saved as {name!r}'s")
        self.engine.save_run(run)


class Runtime:
    """What the app shares between requests."""

    def __init__(self, engine: Engine, key_cache_seconds: float = 30.0,
                 recs_cache_seconds: float = 60.0, recs_cache_size: int = 50_000):
        self.engine = engine
        self.lock = threading.RLock()
        self._keys: dict[str, tuple[float, KeyRecord | None]] = {}
        self._ttl = key_cache_seconds
        self._recs: dict[tuple, tuple[float, list[dict]]] = {}
        self._recs_ttl, self._recs_size = recs_cache_seconds, recs_cache_size
        self.pairings = PairingRuns(engine)

    def recommend(self, member_id: str, k: int, event: str | None) -> list[dict]:
        """``engine.recommend``, memoised until anything it depends on changes through this
        service (members, attendance, accepted introductions) or for ``recs_cache_seconds``
        (changes made behind the service's back, e.g. by the CLI)."""
        key = (member_id, k, event)
        now = time.monotonic()
        hit = self.cached_recommendations(member_id, k, event)
        if hit is not None:
            return hit
        with self.lock:
            rows = self.engine.recommend(member_id, k, event=event)
            if len(self._recs) >= self._recs_size:
                self._recs.clear()
            self._recs[key] = (now, rows)
        return rows

    def cached_recommendations(self, member_id: str, k: int, event: str | None) -> list[dict] | None:
        """The memoised answer of :meth:`recommend`, or None (cheap: no engine, no I/O)."""
        hit = self._recs.get((member_id, k, event))
        if hit is not None and time.monotonic() - hit[0] < self._recs_ttl:
            return hit[1]
        return None

    def history_changed(self) -> None:
        """Meetings were added: cached recommendations may now include people already met."""
        self._recs.clear()

    def verify(self, secret: str) -> KeyRecord | None:
        now = time.monotonic()
        digest = hash_secret(secret)  # the cache holds no secrets either
        hit = self._keys.get(digest)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        record = verify_key(self.engine.store, secret)
        if len(self._keys) > 10_000:
            self._keys.clear()
        if record is not None:  # never cache misses: a new key must work at once
            self._keys[digest] = (now, record)
        return record

    def forget_keys(self) -> None:
        self._keys.clear()

    def invalidate(self) -> None:
        """Members or attendance changed: drop the engine's fitted scorers."""
        with self.lock:
            self.engine.invalidate()
            self._recs.clear()


async def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(runtime)]


async def principal(request: Request, rt: RuntimeDep) -> Principal:
    """The caller's key (async: a cached key is checked without a thread-pool hop; a cache
    miss is one indexed SQLite read)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "missing API key: send 'Authorization: Bearer KEY'",
                            headers={"WWW-Authenticate": "Bearer"})
    record = rt.verify(token.strip())
    if record is None:
        raise HTTPException(401, "invalid or revoked API key",
                            headers={"WWW-Authenticate": "Bearer"})
    return Principal(record.id, record.scope, record.member_id, record.event)


Caller = Annotated[Principal, Depends(principal)]


def forbid(detail: str = "this key's scope does not allow that") -> HTTPException:
    return HTTPException(403, detail)


def require(p: Principal, *scopes: str) -> None:
    if p.scope not in scopes:
        raise forbid(f"needs a key with scope {' or '.join(scopes)}")


def require_admin(p: Caller) -> Principal:
    require(p, "admin")
    return p


Admin = Annotated[Principal, Depends(require_admin)]


def host_event(p: Principal, event: str | None) -> None:
    """Host keys may act on their own event only."""
    if p.scope == "host" and event != p.event:
        raise forbid(f"this host key is for event {p.event!r} only")


def host_can_see(rt: Runtime, p: Principal, member_id: str) -> bool:
    """Does a host key's event include ``member_id``?"""
    return p.scope == "host" and p.event in extra.events_of(rt.engine.store, member_id)

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

KEY_TTL_UNVERSIONED = 1.0  # seconds a key is trusted where the store has no data_version


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
    """What the app shares between requests: the engine, its lock, and two memos (API keys;
    recommendations).

    Recommendations are memoised per (member, k, event) and dropped when anything they read
    changes: through this service (members, attendance, accepted introductions, held
    schedules), or behind its back (the CLI writing to the same database; detected by
    :meth:`fresh`, at most once per ``check_seconds``). With ``warm_k``, every member's
    recommendations (whole community, ``k = warm_k``) are computed ahead in a background
    thread after start-up and after each change, so that readers rarely wait for the engine.
    """

    def __init__(self, engine: Engine, key_cache_seconds: float = 30.0,
                 recs_cache_seconds: float = 60.0, recs_cache_size: int = 50_000, *,
                 warm_k: int | None = None, check_seconds: float = 1.0):
        self.engine = engine
        self.lock = threading.RLock()
        self._keys: dict[str, tuple[float, KeyRecord | None]] = {}
        self._ttl = key_cache_seconds
        self._keys_version: int | None = None  # the data_version the key memo is valid for
        self._recs: dict[tuple, tuple[float, list[dict]]] = {}
        self._recs_ttl, self._recs_size = recs_cache_seconds, recs_cache_size
        self.pairings = PairingRuns(engine)
        self._generation = 0  # bumped by every invalidation; a stale warm-up stops
        self._warm_k = warm_k
        self._check_seconds = check_seconds
        self._checked = time.monotonic()
        self._version = engine.store.data_version()
        self._revision = engine.store.revision() if self._version is not None else None
        self.warming: threading.Thread | None = None
        # share of members whose answer the current warm-up has (None: no warm-up)
        self.warm_progress: float | None = 0.0 if warm_k else None

    # -- recommendations ---------------------------------------------------------------
    def recommend(self, member_id: str, k: int, event: str | None) -> list[dict]:
        """``engine.recommend``, memoised (see the class docstring)."""
        hit = self.cached_recommendations(member_id, k, event)
        if hit is not None:
            return hit
        with self.lock:
            generation = self._generation
            rows = self.engine.recommend(member_id, k, event=event)
            if generation == self._generation:
                self._remember({(member_id, k, event): rows})
        return rows

    def cached_recommendations(self, member_id: str, k: int, event: str | None) -> list[dict] | None:
        """The memoised answer of :meth:`recommend`, or None (no engine work)."""
        self.fresh()
        hit = self._recs.get((member_id, k, event))
        if hit is None:
            return None
        if self._version is None and time.monotonic() - hit[0] >= self._recs_ttl:
            return None  # a backend that cannot say whether it changed: trust a memo briefly
        return hit[1]

    def _remember(self, answers: dict[tuple, list[dict]]) -> None:
        if len(self._recs) + len(answers) > self._recs_size:
            self._recs.clear()
        now = time.monotonic()
        self._recs.update({key: (now, rows) for key, rows in answers.items()})

    def fresh(self) -> None:
        """Forget what another writer to the database made stale (the CLI, another process)."""
        now = time.monotonic()
        if self._version is None or now - self._checked < self._check_seconds:
            return
        self._checked = now
        version = self.engine.store.data_version()
        if version == self._version:
            return
        self._version = version
        revision = self.engine.store.revision()
        if revision[0] != self._revision[0]:
            self.invalidate()
        elif revision[1] != self._revision[1]:
            self.history_changed()
        self._revision = revision

    def history_changed(self) -> None:
        """Meetings were added: cached recommendations may now include people already met."""
        with self.lock:
            self._generation += 1
            self._recs.clear()
        self.warm()

    def invalidate(self) -> None:
        """Members or attendance changed: drop the engine's fitted scorers."""
        with self.lock:
            self._generation += 1
            self.engine.invalidate()
            self._recs.clear()
        self.warm()

    def warm(self, chunk: int = 64) -> threading.Thread | None:
        """Compute every member's recommendations in the background (if ``warm_k`` is set).

        Works in chunks under the lock, so requests interleave; stops as soon as anything
        invalidates what it computes (a newer warm-up starts then).
        """
        if not self._warm_k:
            return None
        generation, k = self._generation, self._warm_k

        def run() -> None:
            with self.lock:
                if generation != self._generation:
                    return
                ids = [m.id for m in self.engine.store.members()]
                if len(ids) > self._recs_size:  # the memo would evict what it computes
                    self.warm_progress = None
                    return
                self.warm_progress = 0.0 if ids else 1.0
            for start in range(0, len(ids), chunk):
                with self.lock:
                    if generation != self._generation:
                        return
                    todo = [m for m in ids[start:start + chunk] if (m, k, None) not in self._recs]
                    answers = self.engine.recommend_many(todo, k) if todo else {}
                    self._remember({(m, k, None): rows for m, rows in answers.items()})
                    self.warm_progress = min(start + chunk, len(ids)) / len(ids)

        self.warming = threading.Thread(target=run, name="rolecall-warm", daemon=True)
        self.warming.start()
        return self.warming

    # -- API keys ----------------------------------------------------------------------
    def verify(self, secret: str) -> KeyRecord | None:
        """The live key whose secret this is, or None.

        Keys are memoised (by their hash: the memo holds no secrets) only until the next
        commit to the database by anyone (SQLite's ``data_version``: one PRAGMA per call), so a
        key revoked here or by another process (``matcher keys revoke``) stops working at
        once; a backend that cannot tell when it changed keeps them at most
        ``min(key_cache_seconds, 1)`` seconds.
        """
        now = time.monotonic()
        digest = hash_secret(secret)
        version = self.engine.store.data_version()
        ttl = self._ttl if version is not None else min(self._ttl, KEY_TTL_UNVERSIONED)
        if version != self._keys_version:
            self._keys.clear()  # something was written: it may have been a revocation
            self._keys_version = version
        hit = self._keys.get(digest)
        if hit is not None and now - hit[0] < ttl:
            return hit[1]
        record = verify_key(self.engine.store, secret)
        if len(self._keys) > 10_000:
            self._keys.clear()
        if record is not None:  # never cache misses: a new key must work at once
            self._keys[digest] = (now, record)
        return record

    def forget_keys(self) -> None:
        self._keys.clear()


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

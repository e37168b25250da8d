"""Shared dependencies: the engine held by the app, and API-key authentication.

The Engine (and its Store) is created once in the app's lifespan and lives on
``app.state``. Sync routes run in FastAPI's thread pool, so engine calls that build or
mutate the engine's caches go through :func:`locked`.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from matcher.engine import Engine, ImportReport
from matcher.keys import hash_secret, verify_key
from matcher.store import extra
from matcher.store.extra import KeyRecord

from .refresher import RefreshWorker, background_priority
from .throttle import client_of, throttle_of

log = logging.getLogger("rolecall.service")
REFRESH_CHUNK = 8  # answers recomputed per hold of the lock after an edit
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


def settle_heap() -> None:
    """Move what the process holds now (the memo's answers, the fitted scorer) out of the
    garbage collector's sight: a full collection would otherwise walk millions of long-lived
    objects and stall the event loop for a fraction of a second each time."""
    gc.freeze()


@dataclass(frozen=True)
class Answer:
    """A memoised answer: its rows, the count of scored edits it reflects (``edits``) and
    when the data it reflects was read (``at``, ``time.monotonic()``)."""

    rows: list[dict]
    edits: int
    at: float


class Runtime:
    """What the app shares between requests: the engine, its lock, and two memos (API keys;
    recommendations).

    Recommendations are memoised per (member, k, event). An edit of a profile field no score
    reads changes nothing. An edit of a scored field (:meth:`save_members`, or by another
    process: :meth:`fresh` notices it) never blocks readers: the memoised answers keep being
    served, marked stale with their age (:meth:`describe`), while a background thread refits
    the community's scorer and recomputes only the answers the edit can change
    (:meth:`Engine.stale_answers`); the others are confirmed as they are. New or deleted
    members, attendance and event changes drop the memo (:meth:`invalidate`), new meetings
    and blocks too (:meth:`history_changed`). Writes behind the service's back (the CLI on the
    same database) are detected by :meth:`fresh`, at most once per ``check_seconds``. With
    ``warm_k``, every member's recommendations (whole community, ``k = warm_k``) are computed
    ahead in a background thread after start-up and after each drop, so that readers rarely
    wait for the engine. ``background=False`` leaves edits pending until :meth:`refresh` is
    called (tests). With ``worker`` (``matcher serve``), the warm-up and the refresh of the
    ``warm_k`` answers run in a process of their own (:mod:`service.refresher`), so that their
    Python-heavy refits never hold this process's GIL; this process's engine (for other
    ``k``, events, explanations, reports) is refitted in a background thread only once
    something reads it while edits are pending (answers it computes meanwhile are marked
    stale).
    """

    def __init__(self, engine: Engine, key_cache_seconds: float = 30.0,
                 recs_cache_seconds: float = 60.0, recs_cache_size: int = 50_000, *,
                 warm_k: int | None = None, check_seconds: float = 1.0,
                 background: bool = True, settle_seconds: float = 0.2, worker: bool = False):
        self.engine = engine
        self.lock = threading.RLock()
        self._keys: dict[str, tuple[float, KeyRecord | None]] = {}
        self._ttl = key_cache_seconds
        self._keys_version: int | None = None  # the data_version the key memo is valid for
        self._recs: dict[tuple, Answer] = {}
        self._recs_ttl, self._recs_size = recs_cache_seconds, recs_cache_size
        self.pairings = PairingRuns(engine)
        self._generation = 0  # bumped by every invalidation; a stale warm-up stops
        self._edits = 0  # scored edits seen; an answer reflecting fewer is stale
        self._fitted = (0, time.monotonic())  # (edits, time) the engine's scorer reflects
        self._compare = False  # another process wrote members: compare them in the background
        self._saving = 0  # writes of this process under way
        self._background, self._settle = background, settle_seconds
        self._wake = threading.Event()
        self.refreshing: threading.Thread | None = None
        self.last_refresh: dict | None = None  # what the newest refresh did (for tests, health)
        # with ``worker`` (and a SQLite file), answers are kept up to date by a process of
        # its own (service/refresher.py); this process refits only when its engine is read
        self._use_worker = worker and background and engine.store.data_version() is not None
        self._worker: RefreshWorker | None = None
        self._worker_edits = 0  # the edits the worker's newest complete answers reflect
        self._sent_seq = 0  # the engine's newest edit sequence number sent to the worker
        self._worker_sent = 0  # answers received in the worker's current round
        self.refitting: threading.Thread | None = None
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
        return self.answer(member_id, k, event).rows

    def answer(self, member_id: str, k: int, event: str | None) -> Answer:
        """:meth:`recommend` with its :class:`Answer` (see :meth:`describe`)."""
        hit = self.cached(member_id, k, event)
        if hit is not None:
            return hit
        with self.lock:
            generation = self._generation
            rows = self.engine.recommend(member_id, k, event=event)
            # an event's scorer is refitted after every edit; the community's may lag
            answer = (Answer(rows, *self._fitted) if event is None
                      else Answer(rows, self._edits, time.monotonic()))
            if generation == self._generation:
                self._remember({(member_id, k, event): answer})
        return answer

    def cached(self, member_id: str, k: int, event: str | None) -> Answer | None:
        """The memoised answer of :meth:`recommend`, or None (no engine work)."""
        self.fresh()
        hit = self._recs.get((member_id, k, event))
        if hit is None:
            return None
        if self._version is None and time.monotonic() - hit.at >= self._recs_ttl:
            return None  # a backend that cannot say whether it changed: trust a memo briefly
        return hit

    def describe(self, answer: Answer) -> dict:
        """``age_seconds``: how old the data the answer was computed from is; ``stale``: a
        scored edit since then is still being worked in (a fresh answer follows)."""
        return {"age_seconds": round(max(time.monotonic() - answer.at, 0.0), 1),
                "stale": answer.edits < self._edits}

    def stale_count(self) -> int:
        """How many memoised answers are stale."""
        edits = self._edits
        return sum(a.edits < edits for a in list(self._recs.values()))

    def _remember(self, answers: dict[tuple, Answer]) -> None:
        if len(self._recs) + len(answers) > self._recs_size:
            self._recs.clear()
        self._recs.update(answers)

    # -- edits -------------------------------------------------------------------------
    def save_members(self, members: list) -> ImportReport:
        """Write edited or new members (PATCH, PUT). An edit of scored fields is worked in
        in the background (see the class docstring): this returns once the members are
        saved, their new texts embedded."""
        with self.lock:
            self._saving += 1  # :meth:`fresh` must not take this write for another process's
            try:
                before = self.engine.pending_edits()
                report = self.engine.import_members(members, keep_fitted=True)
                if not self.engine.fitted():
                    self.invalidate()  # new members, or nothing fitted yet
                elif self.engine.pending_edits() != before:
                    self._edited()
                self._seen()  # our own write: :meth:`fresh` need not look at it again
            finally:
                self._saving -= 1
        return report

    def _edited(self) -> None:
        """Scored edits are pending in the engine: mark the answers stale, wake the refresh."""
        with self.lock:
            self._edits += 1
            worker = self._use_worker and self._worker is not None
            for key in [key for key in self._recs
                        if key[2] is not None or (worker and key[1] != self._warm_k)]:
                del self._recs[key]  # events' scorers were dropped; the worker has warm_k only
            if worker:
                pending = self.engine.pending_edits()
                new = {m: seq for m, seq in pending.items() if seq > self._sent_seq}
                self._sent_seq = max(pending.values(), default=self._sent_seq)
                self._worker.send(("edits", self._tag(), new))
                return
        self._kick()

    def _tag(self) -> tuple[int, int, float]:
        """What answers computed from now on reflect: (generation, edits, time)."""
        return (self._generation, self._edits, time.monotonic())

    def _on_worker(self, message: tuple | None) -> None:
        """A reply of the refresh worker (from its reader thread)."""
        if message is None:  # the worker is gone: carry on in this process
            log.error("refresh worker exited; refreshing in the serving process from now on")
            with self.lock:
                self._use_worker, self._worker = False, None
            self.invalidate()
            return
        kind, (generation, edits, at) = message[0], message[1]
        if kind == "failed":
            log.error("refresh worker failed (%s); recomputing every answer", message[2])
            if generation == self._generation:
                self.warm()
            return
        _, _, answers, progress, done = message
        k = self._warm_k
        with self.lock:
            if generation != self._generation:
                return  # everything was dropped since: a newer warm-up is on its way
            self._remember({(m, k, None): Answer(rows, edits, at) for m, rows in answers.items()})
            self._worker_sent += len(answers)
            if self.warm_progress is not None and self.warm_progress < 1.0:
                self.warm_progress = progress
            if not done:
                return
            basis = self._worker_edits
            for key, a in list(self._recs.items()):
                if key[1] == k and key[2] is None and a.edits < edits:
                    if a.edits == basis:  # the edits cannot change it: confirmed
                        self._recs[key] = Answer(a.rows, edits, at)
                    else:  # computed here from an older scorer: computed again on request
                        del self._recs[key]
            self._worker_edits = edits
            self.last_refresh = {"recomputed": self._worker_sent,
                                 "seconds": round(time.monotonic() - at, 2)}
            self._worker_sent = 0
        settle_heap()

    def _refit_engine(self) -> None:
        """Worker mode: this process's engine was read while edits were pending, or was
        dropped: refit it (in a background thread at low priority). Its scorer is what tells
        an edit of a scored field from one of :data:`~matcher.refresh.UNSCORED_FIELDS`."""
        if self.refitting is not None and self.refitting.is_alive():
            return

        def run() -> None:
            background_priority()
            with self.lock:
                if not self.engine.fitted():  # after an invalidation: fit from the store
                    self.engine.scorer(None)
                    return
                edits, generation, t0 = self._edits, self._generation, time.monotonic()
                pending = self.engine.pending_edits()
            refresh = self.engine.refresh(pending) if pending else None
            if refresh is None:
                return
            with self.lock:
                if generation == self._generation and self.engine.install(refresh):
                    self._fitted = (edits, t0)
                    for key, a in list(self._recs.items()):  # this engine's, not the worker's
                        if (key[1] != self._warm_k or key[2] is not None) and a.edits < edits:
                            del self._recs[key]

        self.refitting = threading.Thread(target=run, name="rolecall-refit", daemon=True)
        self.refitting.start()

    def _kick(self) -> None:
        """Wake the background refresh (started on first use)."""
        if not self._background:
            return
        self._wake.set()
        if self.refreshing is None or not self.refreshing.is_alive():
            self.refreshing = threading.Thread(target=self._refresh_loop,
                                               name="rolecall-refresh", daemon=True)
            self.refreshing.start()

    def _seen(self) -> None:
        if self._version is not None:
            self._version = self.engine.store.data_version()
            self._revision = self.engine.store.revision()

    def _refresh_loop(self) -> None:
        background_priority()
        while True:
            self._wake.wait()
            time.sleep(self._settle)  # a burst of edits becomes one refit
            self._wake.clear()
            try:
                self.refresh()
            except Exception:  # never leave stale answers behind: start over
                log.exception("background refresh failed; recomputing everything")
                self.invalidate()

    def refresh(self) -> dict | None:
        """Work the pending edits in: refit the community's scorer (off the lock), keep the
        memoised answers the edits cannot change, recompute the others. Returns counts."""
        if self._compare:
            self._compare_members()
        if self._use_worker and self._worker is not None:
            return None  # the worker has the edits (:meth:`_edited`)
        with self.lock:
            edits, generation, t0 = self._edits, self._generation, time.monotonic()
            pending = self.engine.pending_edits()
            basis = self._fitted[0]  # the edits the installed scorer (and its answers) reflect
            entries = {key: a for key, a in self._recs.items() if key[2] is None}
        refresh = self.engine.refresh(pending) if pending else None
        if refresh is None:
            return None
        by_k: dict[int, dict[str, Answer]] = {}
        redo: dict[int, set[str]] = {}
        for (member_id, k, _), a in entries.items():
            if a.edits == basis:
                by_k.setdefault(k, {})[member_id] = a
            else:  # computed from an older scorer than the one being replaced
                redo.setdefault(k, set()).add(member_id)
        # the warm k last: the new scorer keeps the exposure cap of the last k asked
        for k in sorted(by_k, key=lambda k: k == self._warm_k):
            stale = self.engine.stale_answers(refresh, {m: a.rows for m, a in by_k[k].items()}, k)
            redo.setdefault(k, set()).update(stale)
        with self.lock:
            if generation != self._generation or not self.engine.install(refresh):
                return None  # everything was dropped meanwhile
            self._fitted = (edits, t0)
            kept = 0
            for k, answers in by_k.items():
                for member_id, a in answers.items():
                    key = (member_id, k, None)
                    if member_id not in redo[k] and self._recs.get(key) is a:
                        self._recs[key] = Answer(a.rows, edits, t0)
                        kept += 1
        recomputed = 0
        for k, ids in redo.items():
            ids = sorted(ids)
            for start in range(0, len(ids), REFRESH_CHUNK):
                with self.lock:
                    if generation != self._generation:
                        return None
                    chunk = [m for m in ids[start:start + REFRESH_CHUNK]
                             if m in self.engine.scorer(None).scorer.matrix_]
                    answers = self.engine.recommend_many(chunk, k)
                    fitted = self._fitted
                    self._remember({(m, k, None): Answer(rows, *fitted)
                                    for m, rows in answers.items()})
                recomputed += len(chunk)
        settle_heap()
        self.last_refresh = {"edited": len(refresh.members), "kept": kept,
                             "recomputed": recomputed,
                             "seconds": round(time.monotonic() - t0, 2)}
        return self.last_refresh

    def _compare_members(self) -> None:
        """Another process wrote members: compare every member with the fitted community."""
        self._compare = False
        members = self.engine.store.members()
        with self.lock:
            if not self.engine.compare(members):
                self.invalidate()
            elif self.engine.pending_edits():
                self._edited()

    def fresh(self) -> None:
        """Notice what another writer to the database changed (the CLI, another process)."""
        if self._use_worker and self.engine.stale_reads:
            self.engine.stale_reads = 0
            self._refit_engine()
        now = time.monotonic()
        if self._version is None or self._saving or now - self._checked < self._check_seconds:
            return
        self._checked = now
        version = self.engine.store.data_version()
        if version == self._version:
            return
        self._version = version
        revision = self.engine.store.revision()
        before, self._revision = self._revision, revision
        if revision[0][1:] != before[0][1:] or not self.engine.fitted():
            self.invalidate()  # events or attendance changed (or nothing is fitted)
        elif revision[0][0] != before[0][0]:
            if revision[0][0][0] != before[0][0][0]:
                self.invalidate()  # members were added or deleted
            else:  # members were edited: compare them in the background
                self._compare = True
                self._kick()
        if revision[1] != before[1]:
            self.history_changed()

    def history_changed(self) -> None:
        """Meetings were added: cached recommendations may now include people already met."""
        with self.lock:
            self._generation += 1
            self._recs.clear()
            self._fitted = (self._edits, time.monotonic())
        self.warm()

    def invalidate(self) -> None:
        """Members or attendance changed: drop the engine's fitted scorers."""
        with self.lock:
            self._generation += 1
            self.engine.invalidate()
            self._recs.clear()
            self._fitted = (self._edits, time.monotonic())
        self.warm()

    def warm(self, chunk: int = 64) -> threading.Thread | None:
        """Compute every member's recommendations in the background (if ``warm_k`` is set).

        Works in chunks under the lock, so requests interleave; stops as soon as anything
        invalidates what it computes (a newer warm-up starts then).
        """
        if not self._warm_k:
            return None
        if self._use_worker:
            with self.lock:
                if self._worker is None:
                    self._worker = RefreshWorker(self.engine.store.url, self._warm_k,
                                                 self._on_worker)
                self.warm_progress = 0.0
                self._sent_seq = max(self.engine.pending_edits().values(), default=self._sent_seq)
                self._worker.send(("reset", self._tag()))
            if not self.engine.fitted():
                self._refit_engine()
            return None
        generation, k = self._generation, self._warm_k

        def run() -> None:
            background_priority()
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
                    fitted = self._fitted
                    self._remember({(m, k, None): Answer(rows, *fitted)
                                    for m, rows in answers.items()})
                    self.warm_progress = min(start + chunk, len(ids)) / len(ids)
            settle_heap()

        self.warming = threading.Thread(target=run, name="rolecall-warm", daemon=True)
        self.warming.start()
        return self.warming

    def close(self) -> None:
        """Stop the refresh worker (the app's shutdown)."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None

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
    miss is one indexed SQLite read). A client with too many failed keys gets 429
    (:mod:`service.throttle`) and its key is not checked."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "missing API key: send 'Authorization: Bearer KEY'",
                            headers={"WWW-Authenticate": "Bearer"})
    throttle, client = throttle_of(request), client_of(request)
    wait = throttle.retry_after(client)
    if wait is not None:
        raise HTTPException(429, f"too many failed authentications from this client; "
                                 f"try again in {wait} s", headers={"Retry-After": str(wait)})
    record = rt.verify(token.strip())
    if record is None:
        throttle.failed(client)
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

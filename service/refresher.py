"""The memoised answers' refresh in a process of its own.

Refitting the community after an edit is Python-heavy (seconds at 10,000 members); in the
serving process it would hold the GIL half the time and halve the reads it serves. So the
service (``matcher serve``) starts one worker process, at low CPU priority, with its own
Engine on the same database. The worker computes every member's answer ahead (start-up, and
after each :meth:`Runtime.invalidate`) and, for each batch of scored edits, refits its
community with :meth:`Engine.refresh`, finds the answers the edits can change with
:meth:`Engine.stale_answers` and sends back only those; the serving process stamps the rest as
confirmed. Messages are plain tuples through a pipe:

- to the worker: ``("reset", tag)`` (refit from the store, recompute everything) and
  ``("edits", tag, {member_id: seq})``; ``None`` stops it;
- from the worker: ``("answers", tag, {member_id: rows}, progress, done)`` (a few answers
  each; the last, with ``done``, none: every answer not sent is confirmed as it was), and
  ``("failed", tag, message)``.

``tag`` is the serving process's own marker (which change the answers reflect), sent back as
it came.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable

log = logging.getLogger("rolecall.service")
CHUNK = 256  # answers computed at a time while recomputing everything
MESSAGE = 32  # answers per message: unpickling holds the server's GIL, so keep each short


def background_priority(niceness: int = 10, *, whole_process: bool = False) -> None:
    """Lower the calling thread's CPU priority (Linux: a thread is a task with its own nice
    value, inherited by the threads it starts), so that background work yields the cores to
    the request path; ``whole_process``: every thread of this process (e.g. the BLAS threads
    numpy started on import)."""
    tasks = [threading.get_native_id()]
    if whole_process and os.path.isdir("/proc/self/task"):
        tasks = [int(t) for t in os.listdir("/proc/self/task")]
    for task in tasks:
        try:
            os.setpriority(os.PRIO_PROCESS, task, niceness)
        except (AttributeError, OSError):  # not Linux, or not allowed: normal priority
            pass


class RefreshWorker:
    """The serving side: starts the worker, sends it messages, hands its replies to
    ``on_message`` (from a reader thread; ``None`` when the worker is gone)."""

    def __init__(self, db_url: str, k: int, on_message: Callable[[tuple | None], None]):
        ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._conn, child = ctx.Pipe()
        self._send_lock = threading.Lock()
        self.on_message = on_message
        self.closed = False
        self.process = ctx.Process(target=serve, args=(db_url, k, child),
                                   name="rolecall-refresh", daemon=True)
        self.process.start()
        child.close()
        self._reader = threading.Thread(target=self._read, name="rolecall-refresh-reader",
                                        daemon=True)
        self._reader.start()

    def send(self, message: tuple | None) -> bool:
        try:
            with self._send_lock:
                self._conn.send(message)
            return True
        except (OSError, ValueError):
            return False

    def alive(self) -> bool:
        return self.process.is_alive()

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                if not self.closed:
                    self.on_message(None)
                return
            self.on_message(message)

    def close(self) -> None:
        self.closed = True
        self.send(None)
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
        self._conn.close()


def serve(db_url: str, k: int, conn) -> None:
    """The worker's loop (runs in the child process)."""
    from matcher.engine import Engine
    from matcher.store import Store

    store = Store(db_url, migrate_schema=False)
    engine = Engine(store)
    background_priority(whole_process=True)
    answers: dict[str, list[dict]] = {}  # every member's answer, as last sent
    try:
        while True:
            message = _coalesce(conn)
            if message is None:
                return
            kind, tag = message[0], message[1]
            try:
                if kind == "reset":
                    answers = _recompute_all(engine, k, conn, tag)
                else:
                    _refresh(engine, k, message[2], answers, conn, tag)
            except Exception as exc:  # noqa: BLE001 - reported; the server starts over
                log.exception("refresh worker failed")
                engine.invalidate()
                answers = {}
                conn.send(("failed", tag, repr(exc)))
    finally:
        store.close()


def _coalesce(conn) -> tuple | None:
    """The next message, merged with those already waiting: edits add up; a reset makes
    what came before it moot."""
    message = conn.recv()
    while message is not None and conn.poll():
        newer = conn.recv()
        if newer is None or newer[0] == "reset":
            message = newer
        elif message[0] == "reset":
            message = ("reset", newer[1])  # the reset reads the store: it has these edits
        else:
            merged = dict(message[2])
            for member_id, seq in newer[2].items():
                merged[member_id] = max(seq, merged.get(member_id, seq))
            message = ("edits", newer[1], merged)
    return message


def _recompute_all(engine, k: int, conn, tag) -> dict[str, list[dict]]:
    engine.invalidate()
    engine.scorer(None)
    ids = engine.scorer(None).scorer.matrix_.ids
    answers: dict[str, list[dict]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = engine.recommend_many(ids[start:start + CHUNK], k)
        answers.update(chunk)
        _send(conn, tag, chunk, min(start + CHUNK, len(ids)) / len(ids))
    conn.send(("answers", tag, {}, 1.0, True))
    return answers


def _send(conn, tag, answers: dict[str, list[dict]], progress: float) -> None:
    items = list(answers.items())
    for start in range(0, len(items), MESSAGE):
        conn.send(("answers", tag, dict(items[start:start + MESSAGE]), progress, False))


def _refresh(engine, k: int, pending: dict[str, int], answers: dict[str, list[dict]],
             conn, tag) -> None:
    refresh = engine.refresh(pending) if engine.fitted() else None
    if refresh is None:  # nothing fitted (a failure before): start over
        answers.clear()
        answers.update(_recompute_all(engine, k, conn, tag))
        return
    stale = engine.stale_answers(refresh, answers, k)
    engine.install(refresh)
    members = refresh.new.scorer.matrix_
    todo = sorted(m for m in stale if m in members)
    for start in range(0, len(todo), CHUNK):
        fresh = engine.recommend_many(todo[start:start + CHUNK], k)
        answers.update(fresh)
        _send(conn, tag, fresh, 1.0)
    conn.send(("answers", tag, {}, 1.0, True))

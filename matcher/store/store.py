"""The store: members, events, attendance, meetings, blocks and cached embeddings.

Any SQLAlchemy URL works; the embedded default is a SQLite file in WAL mode. Opening a
store brings its schema to the newest Alembic revision. Every write method runs in one
transaction: it lands whole or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, event, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..errors import NotFound
from ..profiles import Member
from .schema import AttendanceRow, BlockRow, EmbeddingRow, EventRow, MeetingRow, MemberRow

DEFAULT_DB = "rolecall.db"
_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def resolve_db(db: str | os.PathLike | None = None) -> str:
    """``--db`` if given, else ``$ROLECALL_DB``, else ``./rolecall.db``."""
    return str(db or os.environ.get("ROLECALL_DB") or DEFAULT_DB)


def db_url(db: str | os.PathLike) -> str:
    db = str(db)
    return db if "://" in db else f"sqlite:///{db}"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def migrate(engine: Engine) -> None:
    """Upgrade the database behind ``engine`` to the newest schema revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Store:
    """Persistence for the engine. Construct with a path or SQLAlchemy URL."""

    def __init__(self, db: str | os.PathLike | None = None, *, migrate_schema: bool = True):
        self.url = db_url(resolve_db(db))
        self.engine = create_engine(self.url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate_schema:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        if getattr(self, "_watch", None) is not None:
            self._watch.close()
            self._watch = None
        self.engine.dispose()

    def revision(self) -> tuple[tuple, tuple]:
        """(what scores depend on, what history depends on): members, events and attendance;
        meetings and blocks. Equal revisions mean nothing a recommendation reads has changed."""
        from sqlalchemy import func, select

        with self._sessions() as s:
            members = s.execute(select(func.count(), func.max(MemberRow.updated_at))).one()
            events = tuple(s.execute(select(EventRow.name, EventRow.settings).order_by(EventRow.id)))
            attendance = s.scalar(select(func.count()).select_from(AttendanceRow))
            meetings = s.scalar(select(func.count()).select_from(MeetingRow))
            blocks = s.scalar(select(func.count()).select_from(BlockRow))
        return ((tuple(members), repr(events), attendance), (meetings, blocks))

    def data_version(self) -> int | None:
        """A number that changes whenever anyone commits to the database file (SQLite's
        ``PRAGMA data_version`` on a connection kept for this alone), or None where the
        backend cannot tell (then callers fall back on a time limit)."""
        path = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        if not path or path == ":memory:":
            return None
        import sqlite3
        import threading

        if getattr(self, "_watch", None) is None:
            self._watch = sqlite3.connect(path, check_same_thread=False)
            self._watch_lock = threading.Lock()
        with self._watch_lock:
            return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # -- members -----------------------------------------------------------------------
    def members(self, ids: Iterable[str] | None = None) -> list[Member]:
        with self._sessions() as s:
            query = select(MemberRow).order_by(MemberRow.id)
            if ids is not None:
                query = query.where(MemberRow.id.in_(list(ids)))
            return [_to_member(r) for r in s.scalars(query)]

    def member(self, member_id: str) -> Member:
        with self._sessions() as s:
            row = s.get(MemberRow, member_id)
            if row is None:
                raise NotFound("member", member_id)
            return _to_member(row)

    def count_members(self) -> int:
        with self._sessions() as s:
            return s.scalar(select(func.count()).select_from(MemberRow))

    def save_import(
        self,
        members: list[Member],
        vectors: dict[str, np.ndarray],
        *,
        model_id: str,
        fields: dict[str, set[str]] | None = None,
    ) -> dict[str, int]:
        """Upsert ``members`` by id and cache ``vectors`` (text hash -> vector), atomically.

        With ``fields`` (id -> field names), an existing member gets only those fields
        written; the others keep what the row holds now (a partial import never overwrites a
        field it did not set, even one changed since the import read it).
        Returns counts of ``created``, ``updated`` and ``unchanged`` members.
        """
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        now = _now()
        with self.transaction() as s:
            self._put_vectors(s, vectors, model_id)
            existing = {
                r.id: r for r in s.scalars(select(MemberRow).where(MemberRow.id.in_([m.id for m in members])))
            }
            for m in members:
                data = m.model_dump()
                row = existing.get(m.id)
                if row is None:
                    s.add(MemberRow(**data, created_at=now, updated_at=now))
                    counts["created"] += 1
                    continue
                keys = data.keys() if fields is None or m.id not in fields else fields[m.id]
                changed = {k: data[k] for k in keys if getattr(row, k) != data[k]}
                if changed:
                    for key, value in changed.items():
                        setattr(row, key, value)
                    row.updated_at = now
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
        return counts

    def delete_member(self, member_id: str) -> None:
        with self.transaction() as s:
            row = s.get(MemberRow, member_id)
            if row is None:
                raise NotFound("member", member_id)
            s.delete(row)

    # -- embeddings --------------------------------------------------------------------
    def vectors(self, model_id: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        hashes = list(dict.fromkeys(hashes))
        out: dict[str, np.ndarray] = {}
        with self._sessions() as s:
            for i in range(0, len(hashes), 500):
                chunk = hashes[i : i + 500]
                rows = s.execute(
                    select(EmbeddingRow.text_hash, EmbeddingRow.vector).where(
                        EmbeddingRow.model_id == model_id, EmbeddingRow.text_hash.in_(chunk)
                    )
                )
                for h, blob in rows:
                    out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    @staticmethod
    def _put_vectors(s: Session, vectors: dict[str, np.ndarray], model_id: str) -> None:
        for h, v in vectors.items():
            v = np.ascontiguousarray(v, dtype=np.float32)
            s.merge(EmbeddingRow(model_id=model_id, text_hash=h, dim=v.shape[0], vector=v.tobytes()))

    def put_vectors(self, vectors: dict[str, np.ndarray], *, model_id: str) -> None:
        with self.transaction() as s:
            self._put_vectors(s, vectors, model_id)

    # -- events and attendance ----------------------------------------------------------
    def create_event(
        self,
        name: str,
        *,
        date: str | None = None,
        rounds: int = 3,
        table_size: int = 2,
        attendees: Iterable[str] = (),
        settings: dict | None = None,
    ) -> EventRow:
        attendees = list(dict.fromkeys(attendees))
        with self.transaction() as s:
            if s.scalar(select(EventRow).where(EventRow.name == name)) is not None:
                raise ValueError(f"an event named {name!r} exists already")
            known = set(s.scalars(select(MemberRow.id).where(MemberRow.id.in_(attendees))))
            unknown = [a for a in attendees if a not in known]
            if unknown:
                raise NotFound("member", unknown[0] if len(unknown) == 1 else unknown)
            ev = EventRow(
                name=name, date=date, rounds=rounds, table_size=table_size,
                settings=settings or {}, created_at=_now(),
            )
            s.add(ev)
            s.flush()
            s.add_all(AttendanceRow(event_id=ev.id, member_id=a) for a in attendees)
        return ev

    def event(self, name: str) -> EventRow:
        with self._sessions() as s:
            ev = s.scalar(select(EventRow).where(EventRow.name == name))
            if ev is None:
                raise NotFound("event", name)
            return ev

    def events(self) -> list[EventRow]:
        with self._sessions() as s:
            return list(s.scalars(select(EventRow).order_by(EventRow.id)))

    def update_event(self, name: str, **changes) -> EventRow:
        with self.transaction() as s:
            ev = s.scalar(select(EventRow).where(EventRow.name == name))
            if ev is None:
                raise NotFound("event", name)
            for key, value in changes.items():
                setattr(ev, key, value)
            return ev

    def attendees(self, name: str) -> list[str]:
        ev = self.event(name)
        with self._sessions() as s:
            return list(
                s.scalars(
                    select(AttendanceRow.member_id)
                    .where(AttendanceRow.event_id == ev.id)
                    .order_by(AttendanceRow.member_id)
                )
            )

    # -- meetings and blocks -------------------------------------------------------------
    def add_meetings(
        self,
        pairs: Iterable[tuple[str, str]],
        *,
        event_name: str | None = None,
        met_at: datetime | None = None,
        rounds: Iterable[int | None] | None = None,
        source: str = "event",
    ) -> int:
        pairs = list(pairs)
        rounds = list(rounds) if rounds is not None else [None] * len(pairs)
        event_id = self.event(event_name).id if event_name else None
        with self.transaction() as s:
            for (a, b), rnd in zip(pairs, rounds, strict=True):
                a, b = _pair(a, b)
                s.add(MeetingRow(event_id=event_id, a=a, b=b, met_at=met_at or _now(),
                                 round=rnd, source=source))
        return len(pairs)

    def met_pairs(self, *, since: datetime | None = None, member_id: str | None = None) -> set[tuple[str, str]]:
        with self._sessions() as s:
            q = select(MeetingRow.a, MeetingRow.b)
            if since is not None:
                q = q.where(MeetingRow.met_at >= since)
            if member_id is not None:
                q = q.where(or_(MeetingRow.a == member_id, MeetingRow.b == member_id))
            return {(a, b) for a, b in s.execute(q)}

    def block(self, a: str, b: str, reason: str = "") -> None:
        a, b = _pair(a, b)
        with self.transaction() as s:
            s.merge(BlockRow(a=a, b=b, reason=reason))

    def blocked_pairs(self) -> set[tuple[str, str]]:
        with self._sessions() as s:
            return {(a, b) for a, b in s.execute(select(BlockRow.a, BlockRow.b))}


def _to_member(row: MemberRow) -> Member:
    return Member.model_validate(
        {
            "id": row.id, "name": row.name, "email": row.email, "phone": row.phone,
            "headline": row.headline, "specialty": row.specialty, "offers": row.offers,
            "seeks": row.seeks, "role": row.role, "location": row.location,
            "company": row.company, "tags": row.tags, "notes": row.notes,
            "opt_out": row.opt_out,
        },
        context={"stored": True},  # ids stored before the id check was added still read back
    )

"""Store access for the HTTP API's tables: API keys, introduction requests and feedback,
plus the event edits the core store lacks (delete, attendee changes).

Functions take a :class:`~matcher.store.Store` and run each write in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, or_, select

from ..errors import NotFound
from .schema import (
    ApiKeyRow,
    AttendanceRow,
    EventRow,
    FeedbackRow,
    IntroductionRow,
    MemberRow,
    PairingRunRow,
)
from .store import Store

ROW_ID_MAX = 2**63 - 1  # the largest integer primary key SQLite (and BIGINT) can hold


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _row_id(kind: str, value: int) -> int:
    """``value`` as a row id, or NotFound when no row can have it (not a 500 from the driver)."""
    if not 1 <= value <= ROW_ID_MAX:
        raise NotFound(kind, value)
    return value


# -- API keys ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyRecord:
    id: int
    prefix: str
    scope: str
    member_id: str | None
    event: str | None
    label: str
    created_at: datetime
    revoked_at: datetime | None

    def as_dict(self) -> dict:
        return {"id": self.id, "prefix": self.prefix, "scope": self.scope,
                "member_id": self.member_id, "event": self.event, "label": self.label,
                "created_at": self.created_at.isoformat(),
                "revoked": self.revoked_at is not None}


def _key(row: ApiKeyRow) -> KeyRecord:
    return KeyRecord(row.id, row.prefix, row.scope, row.member_id, row.event, row.label,
                     row.created_at, row.revoked_at)


def add_key(store: Store, *, key_hash: str, prefix: str, scope: str, member_id: str | None,
            event: str | None, label: str = "") -> KeyRecord:
    """Store a key. A member key is bound to the member's row (its ``created_at``), not just
    to the id: a member deleted and created again under the same id is another person."""
    with store.transaction() as s:
        since = None
        if member_id is not None:
            member = s.get(MemberRow, member_id)
            if member is None:
                raise NotFound("member", member_id)
            since = member.created_at
        row = ApiKeyRow(key_hash=key_hash, prefix=prefix, scope=scope, member_id=member_id,
                        member_since=since, event=event, label=label, created_at=_now())
        s.add(row)
        s.flush()
        return _key(row)


def key_by_hash(store: Store, key_hash: str) -> tuple[str, KeyRecord] | None:
    """(stored hash, record) of the live key with this hash, or None. A member key is live
    only while the member row it was made for exists (same id *and* same ``created_at``)."""
    with store.transaction() as s:
        found = s.execute(
            select(ApiKeyRow, MemberRow.created_at)
            .outerjoin(MemberRow, MemberRow.id == ApiKeyRow.member_id)
            .where(ApiKeyRow.key_hash == key_hash, ApiKeyRow.revoked_at.is_(None))).first()
        if found is None:
            return None
        row, member_since = found
        if row.scope == "member" and (member_since is None or member_since != row.member_since):
            return None
        return row.key_hash, _key(row)


def keys(store: Store) -> list[KeyRecord]:
    with store.transaction() as s:
        return [_key(r) for r in s.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id))]


def revoke_key(store: Store, key_id: int) -> KeyRecord:
    with store.transaction() as s:
        row = s.get(ApiKeyRow, _row_id("api key", key_id))
        if row is None:
            raise NotFound("api key", key_id)
        if row.revoked_at is None:
            row.revoked_at = _now()
        return _key(row)


def revoke_member_keys(store: Store, member_id: str) -> list[int]:
    """Revoke every live key of ``member_id`` (when the member is deleted); their ids."""
    with store.transaction() as s:
        rows = list(s.scalars(select(ApiKeyRow).where(ApiKeyRow.member_id == member_id,
                                                      ApiKeyRow.revoked_at.is_(None))))
        now = _now()
        for row in rows:
            row.revoked_at = now
        return [row.id for row in rows]


# -- events ------------------------------------------------------------------------------------
def delete_event(store: Store, name: str) -> None:
    with store.transaction() as s:
        ev = s.scalar(select(EventRow).where(EventRow.name == name))
        if ev is None:
            raise NotFound("event", name)
        for table in (AttendanceRow, PairingRunRow):
            s.execute(delete(table).where(table.event_id == ev.id))
        s.delete(ev)


def set_attendance(store: Store, name: str, *, add: list[str] = (), remove: list[str] = (),
                   replace: bool = False) -> list[str]:
    """Add and remove attendees of event ``name`` (or replace them all with ``add``)."""
    add = list(dict.fromkeys(add))
    with store.transaction() as s:
        ev = s.scalar(select(EventRow).where(EventRow.name == name))
        if ev is None:
            raise NotFound("event", name)
        known = set(s.scalars(select(MemberRow.id).where(MemberRow.id.in_(add))))
        unknown = [a for a in add if a not in known]
        if unknown:
            raise NotFound("member", unknown[0])
        current = {r.member_id: r for r in
                   s.scalars(select(AttendanceRow).where(AttendanceRow.event_id == ev.id))}
        drop = set(current) - set(add) if replace else set(remove) & set(current)
        for m in drop:
            s.delete(current[m])
        for m in add:
            if m not in current:
                s.add(AttendanceRow(event_id=ev.id, member_id=m))
        s.flush()
        return sorted(s.scalars(select(AttendanceRow.member_id)
                                .where(AttendanceRow.event_id == ev.id)))


def events_of(store: Store, member_id: str) -> list[str]:
    """Names of the events ``member_id`` attends."""
    with store.transaction() as s:
        return list(s.scalars(
            select(EventRow.name).join(AttendanceRow, AttendanceRow.event_id == EventRow.id)
            .where(AttendanceRow.member_id == member_id).order_by(EventRow.name)))


# -- introductions -----------------------------------------------------------------------------
def _intro(row: IntroductionRow) -> dict:
    return {"id": row.id, "from": row.from_id, "to": row.to_id, "message": row.message,
            "status": row.status, "created_at": row.created_at.isoformat(),
            "answered_at": row.answered_at.isoformat() if row.answered_at else None}


def add_introduction(store: Store, from_id: str, to_id: str, message: str = "") -> dict:
    with store.transaction() as s:
        for m in (from_id, to_id):
            if s.get(MemberRow, m) is None:
                raise NotFound("member", m)
        row = IntroductionRow(from_id=from_id, to_id=to_id, message=message, status="pending",
                              created_at=_now())
        s.add(row)
        s.flush()
        return _intro(row)


def introduction(store: Store, intro_id: int) -> dict:
    with store.transaction() as s:
        row = s.get(IntroductionRow, _row_id("introduction", intro_id))
        if row is None:
            raise NotFound("introduction", intro_id)
        return _intro(row)


def introductions(store: Store, member_id: str | None = None) -> list[dict]:
    with store.transaction() as s:
        q = select(IntroductionRow).order_by(IntroductionRow.id)
        if member_id is not None:
            q = q.where(or_(IntroductionRow.from_id == member_id,
                            IntroductionRow.to_id == member_id))
        return [_intro(r) for r in s.scalars(q)]


def answer_introduction(store: Store, intro_id: int, status: str) -> dict:
    """Set a pending request to ``accepted`` or ``declined``; raises ValueError if it was
    answered already."""
    if status not in ("accepted", "declined"):
        raise ValueError(f"unknown answer {status!r}")
    with store.transaction() as s:
        row = s.get(IntroductionRow, _row_id("introduction", intro_id))
        if row is None:
            raise NotFound("introduction", intro_id)
        if row.status != "pending":
            raise ValueError(f"introduction {intro_id} was {row.status} already")
        row.status, row.answered_at = status, _now()
        return _intro(row)


# -- feedback ----------------------------------------------------------------------------------
def add_feedback(store: Store, member_id: str, other_id: str, rating: int,
                 led_to_business: bool = False, text: str = "") -> dict:
    with store.transaction() as s:
        for m in (member_id, other_id):
            if s.get(MemberRow, m) is None:
                raise NotFound("member", m)
        row = FeedbackRow(member_id=member_id, other_id=other_id, rating=rating,
                          led_to_business=led_to_business, text=text, created_at=_now())
        s.add(row)
        s.flush()
        return {"id": row.id, "member_id": member_id, "other_id": other_id, "rating": rating,
                "led_to_business": led_to_business, "text": text,
                "created_at": row.created_at.isoformat()}


# -- pairing runs ------------------------------------------------------------------------------
KEEP_RUNS = 20  # per event; older runs are dropped when a new one is saved


def save_pairing_run(store: Store, name: str, document: dict) -> int:
    """Store a generated schedule of event ``name``; returns its id."""
    with store.transaction() as s:
        ev = s.scalar(select(EventRow).where(EventRow.name == name))
        if ev is None:
            raise NotFound("event", name)
        row = PairingRunRow(event_id=ev.id, document=document, created_at=_now())
        s.add(row)
        s.flush()
        old = select(PairingRunRow.id).where(PairingRunRow.event_id == ev.id) \
            .order_by(PairingRunRow.id.desc()).offset(KEEP_RUNS)
        s.execute(delete(PairingRunRow).where(PairingRunRow.id.in_(old)))
        return row.id


def pairing_runs(store: Store, name: str, limit: int = 2) -> list[dict]:
    """The newest ``limit`` schedules of event ``name``, newest first."""
    with store.transaction() as s:
        ev = s.scalar(select(EventRow).where(EventRow.name == name))
        if ev is None:
            raise NotFound("event", name)
        rows = s.scalars(select(PairingRunRow).where(PairingRunRow.event_id == ev.id)
                         .order_by(PairingRunRow.id.desc()).limit(limit))
        return [r.document for r in rows]

"""Tables of the embedded store (SQLAlchemy 2). Alembic migrations in ``matcher/migrations``
create and evolve them; change both together (``alembic revision --autogenerate``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class MemberRow(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    headline: Mapped[str] = mapped_column(Text, default="")
    specialty: Mapped[str] = mapped_column(Text)
    offers: Mapped[list] = mapped_column(JSON, default=list)
    seeks: Mapped[list] = mapped_column(JSON, default=list)
    role: Mapped[str | None] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(Text, default="")
    company: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    date: Mapped[str | None] = mapped_column(String(40))
    rounds: Mapped[int] = mapped_column(Integer, default=3)
    table_size: Mapped[int] = mapped_column(Integer, default=2)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AttendanceRow(Base):
    __tablename__ = "attendance"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )


class MeetingRow(Base):
    """Who met whom, when, at which event (``a`` < ``b``)."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    a: Mapped[str] = mapped_column(String(100), index=True)
    b: Mapped[str] = mapped_column(String(100), index=True)
    met_at: Mapped[datetime] = mapped_column(DateTime)
    round: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(40), default="event")


class BlockRow(Base):
    """A pair that must never be introduced (``a`` < ``b``)."""

    __tablename__ = "blocks"

    a: Mapped[str] = mapped_column(String(100), primary_key=True)
    b: Mapped[str] = mapped_column(String(100), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")


class EmbeddingRow(Base):
    """Cached sentence vectors: normalised float32, keyed by model id and text sha256."""

    __tablename__ = "embeddings"

    model_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)



# -- HTTP API (migration 0002_api) ---------------------------------------------------------
class ApiKeyRow(Base):
    """An API key: only the sha256 of its secret is kept. ``scope`` is admin, host, member or
    app; ``member_id`` binds a member key, ``event`` a host key. ``member_since`` is the
    ``created_at`` of the member row a member key was made for (migration 0004): the key
    works for that row only, not for a later member who reuses the id."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(20))
    member_id: Mapped[str | None] = mapped_column(String(100))
    member_since: Mapped[datetime | None] = mapped_column(DateTime)
    event: Mapped[str | None] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class IntroductionRow(Base):
    """A request by ``from_id`` to be introduced to ``to_id``; ``status`` is pending,
    accepted or declined (mutual opt-in: only ``to_id`` answers)."""

    __tablename__ = "introduction_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    from_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    to_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)


class FeedbackRow(Base):
    """One member's rating of a meeting with another member."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    led_to_business: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


# -- pairing runs (migration 0003_pairing_runs) ------------------------------------------------
class PairingRunRow(Base):
    """One generated schedule of an event, as the JSON document of
    :meth:`matcher.events.PairingRun.to_document`; the newest is the event's current one."""

    __tablename__ = "pairing_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)

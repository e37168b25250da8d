"""Response and request bodies of the API (pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from matcher.profiles import PRIVATE_FIELDS, Member
from matcher.store.extra import ROW_ID_MAX

MemberIn = Member
RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description="a row id (1 to 2^63-1)")]


class MemberOut(BaseModel):
    """A member profile. ``email``, ``phone`` and ``notes`` appear only for admin keys and
    for the member's own key."""

    id: str
    name: str
    headline: str = ""
    specialty: str
    offers: list[str] = []
    seeks: list[str] = []
    role: str | None = None
    location: str = ""
    company: str = ""
    tags: list[str] = []
    opt_out: bool = False
    email: str | None = None
    phone: str | None = None
    notes: str | None = None


def member_view(member: Member, private: bool) -> dict[str, Any]:
    return member.model_dump() if private else member.public()


assert PRIVATE_FIELDS <= set(MemberOut.model_fields)


class MemberPage(BaseModel):
    data: list[MemberOut]
    count: int = Field(description="members matching the filters (before paging)")
    offset: int
    limit: int


class ImportOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    encoded: int
    created_ids: list[str] = []
    changes: dict[str, list[str]] = Field(default={}, description="updated id -> fields changed")
    file: dict[str, Any] = Field(default={}, description=(
        "format, encoding, delimiter, columns (column -> field) and unknown_columns"))
    dry_run: bool = False


class Recommendation(BaseModel):
    model_config = ConfigDict(extra="allow")

    member_id: str
    name: str
    score: float
    relation: str
    reasons: list[str]
    components: dict[str, Any] = {}


class Recommendations(BaseModel):
    member_id: str
    event: str | None
    data: list[Recommendation]
    age_seconds: float = Field(description="how old the data this answer was computed from is")
    stale: bool = Field(description="a profile edit since then is being worked in")


class PairExplanation(Recommendation):
    already_met: bool
    same_company: bool


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    date: str | None = Field(default=None, max_length=40)
    rounds: int = Field(default=3, ge=1, le=50)
    table_size: int = Field(default=2, ge=2, le=20)
    attendees: list[str] = Field(default_factory=list, max_length=10_000)


class EventPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: str | None = Field(default=None, max_length=40)
    rounds: int | None = Field(default=None, ge=1, le=50)
    table_size: int | None = Field(default=None, ge=2, le=20)
    start: datetime | None = Field(default=None, description="first round's start (ICS)")
    minutes: int | None = Field(default=None, ge=1, le=240, description="minutes per round")


class EventOut(BaseModel):
    id: int
    name: str
    date: str | None
    rounds: int
    table_size: int
    attendees: int
    start: str | None = None
    minutes: int | None = None


class Attendees(BaseModel):
    event: str
    data: list[str]


class AttendeeChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_ids: list[str] = Field(max_length=10_000)


class IntroductionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", min_length=1, max_length=100)
    to: str = Field(min_length=1, max_length=100)
    message: str = Field(default="", max_length=2000)


class IntroductionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    from_: str = Field(alias="from")
    to: str
    message: str
    status: Literal["pending", "accepted", "declined"]
    created_at: str
    answered_at: str | None


class IntroductionList(BaseModel):
    data: list[IntroductionOut]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: str = Field(min_length=1, max_length=100)
    other_id: str = Field(min_length=1, max_length=100)
    rating: int = Field(ge=1, le=5)
    led_to_business: bool = False
    text: str = Field(default="", max_length=2000)


class FeedbackOut(FeedbackIn):
    id: int
    created_at: str


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: Literal["admin", "host", "member", "app"]
    member_id: str | None = Field(default=None, max_length=100)
    event: str | None = Field(default=None, max_length=200)
    label: str = Field(default="", max_length=200)


class KeyOut(BaseModel):
    id: int
    prefix: str
    scope: str
    member_id: str | None
    event: str | None
    label: str
    created_at: str
    revoked: bool


class NewKeyOut(BaseModel):
    key: str = Field(description="the secret; shown only once")
    id: int
    scope: str
    member_id: str | None
    event: str | None

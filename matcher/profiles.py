"""Member profiles: the validated shape of one person at a meetup.

``email``, ``phone`` and ``notes`` are private: :meth:`Member.public` leaves them out, and
only that view may be shown to other members or to apps without the right scope.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

ROLES: tuple[str, ...] = ("entre-ployee", "b2b-provider", "business-rep", "self", "non-b2b-rep")
PRIVATE_FIELDS: frozenset[str] = frozenset({"email", "phone", "notes"})
MAX_TEXT = 2000

# Common ways people write the roles, after lower-casing and folding separators to "-".
_ROLE_ALIASES = {
    "entreployee": "entre-ployee",
    "entre-employee": "entre-ployee",
    "entrepreneur-employee": "entre-ployee",
    "intrapreneur": "entre-ployee",
    "b2b": "b2b-provider",
    "b-2-b-provider": "b2b-provider",
    "b2b-service-provider": "b2b-provider",
    "b2b-vendor": "b2b-provider",
    "provider": "b2b-provider",
    "business-representative": "business-rep",
    "business": "business-rep",
    "company-rep": "business-rep",
    "myself": "self",
    "individual": "self",
    "me": "self",
    "non-b2b": "non-b2b-rep",
    "non-b2b-representative": "non-b2b-rep",
    "nonb2b-rep": "non-b2b-rep",
    "b2c": "non-b2b-rep",
    "b2c-rep": "non-b2b-rep",
    "consumer-business": "non-b2b-rep",
}


def normalise_role(value: str) -> str:
    """Map a free-form role spelling onto one of :data:`ROLES`.

    >>> normalise_role("B2B provider")
    'b2b-provider'
    >>> normalise_role("Entre-ployee")
    'entre-ployee'
    """
    key = re.sub(r"[\s_/]+", "-", value.strip().lower()).strip("-")
    if key in ROLES:
        return key
    if key in _ROLE_ALIASES:
        return _ROLE_ALIASES[key]
    nearest = difflib.get_close_matches(key, list(ROLES) + list(_ROLE_ALIASES), n=1, cutoff=0.5)
    hint = ""
    if nearest:
        hint = f"; did you mean {_ROLE_ALIASES.get(nearest[0], nearest[0])!r}?"
    raise ValueError(f"unknown role {value!r}{hint} expected one of {', '.join(ROLES)}")


def check_id(value: str) -> str:
    """Refuse member ids that could act as a path or hide characters: path separators,
    ``.`` / ``..`` and control or format characters (NUL, escapes, bidi overrides).

    >>> check_id("m01")
    'm01'
    >>> check_id("../x")
    Traceback (most recent call last):
    ...
    ValueError: an id may not contain a path separator (a slash or a backslash)
    """
    if "/" in value or "\\" in value:
        raise ValueError("an id may not contain a path separator (a slash or a backslash)")
    if value in (".", ".."):
        raise ValueError("an id may not be '.' or '..'")
    bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")), None)
    if bad is not None:
        raise ValueError(f"an id may not contain control characters (found {bad!r})")
    return value


Text = Annotated[str, Field(max_length=MAX_TEXT)]
Phrase = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]


def split_phrases(value: Any) -> Any:
    """Accept a list or a ``;``-separated string; drop empty phrases."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(";")
    if isinstance(value, list | tuple):
        return [p.strip() for p in value if isinstance(p, str) and p.strip()] + [
            p for p in value if not isinstance(p, str)
        ]
    return value


class Member(BaseModel):
    """One member's profile, as imported or entered."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\s]+$")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: EmailStr | None = None
    phone: Annotated[str, Field(max_length=50)] | None = None
    headline: Text = ""
    specialty: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    offers: list[Phrase] = Field(default_factory=list, max_length=50)
    seeks: list[Phrase] = Field(default_factory=list, max_length=50)
    role: str | None = None
    location: Text = ""
    company: Text = ""
    tags: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=50)
    notes: Text = ""
    opt_out: bool = False

    @field_validator("id")
    @classmethod
    def _safe_id(cls, value: str, info: ValidationInfo) -> str:
        if info.context and info.context.get("stored"):
            return value  # rows already in the store are read back as they are
        return check_id(value)

    @field_validator("offers", "seeks", "tags", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return split_phrases(value)

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValueError(f"role must be text, got {value!r}")
        return normalise_role(value)

    @field_validator("email", "phone", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def public(self) -> dict[str, Any]:
        """The profile as other members and apps may see it: no private fields."""
        return self.model_dump(exclude=set(PRIVATE_FIELDS))


FIELDS: tuple[str, ...] = tuple(Member.model_fields)

"""Which column of a host's file fills which member field.

A registration tool's export has its own headers (``Email Address``, ``First Name``,
``Job Title``, ``What does your business do?``). :func:`match_columns` maps them onto
:data:`~matcher.profiles.FIELDS` (plus ``first_name`` and ``last_name``, joined into ``name``):
first the host's explicit mapping, then a header that *is* a field once case, spaces and
punctuation are folded, then known synonyms, then known registration questions. Columns that
match nothing are kept aside and listed, never an error. Map a column to ``-`` to leave it
aside on purpose.

>>> cols = match_columns(["Email Address", "First Name", "Last Name", "Order #"])
>>> cols.fields
{'Email Address': 'email', 'First Name': 'first_name', 'Last Name': 'last_name'}
>>> cols.unknown
['Order #']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import RowError
from ..profiles import FIELDS, Member

NAME_PARTS = ("first_name", "last_name")
TARGETS: tuple[str, ...] = FIELDS + NAME_PARTS
ASIDE = "-"
REQUIRED = tuple(f for f, info in Member.model_fields.items() if info.is_required())
LIST_FIELDS = ("offers", "seeks", "tags")
JOINED = {"location": ", ", "notes": "\n"}

# Normalised headers (see :func:`normalise`) that mean a field. Order matters only in that a
# row takes the first non-empty value among several columns of one field (left to right).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "member id", "contact id", "record id", "user id", "attendee id",
           "person id", "external id"),
    "name": ("name", "full name", "your name", "attendee name", "contact name", "member name",
             "participant name", "display name"),
    "first_name": ("first name", "firstname", "given name", "first", "forename",
                   "attendee first name", "contact first name"),
    "last_name": ("last name", "lastname", "surname", "family name", "last",
                  "attendee last name", "contact last name"),
    "email": ("email", "e mail", "email address", "e mail address", "mail", "work email",
              "your email", "your email address", "attendee email", "contact email",
              "primary email", "email id"),
    "phone": ("phone", "phone number", "mobile", "mobile phone", "mobile number", "cell",
              "cell phone", "cellphone", "telephone", "tel", "work phone", "business phone",
              "home phone", "phone no", "whatsapp"),
    "headline": ("headline", "job title", "title", "position", "job", "job role",
                 "occupation", "professional title", "your title", "job position"),
    "company": ("company", "company name", "organization", "organisation",
                "organization name", "organisation name", "business", "business name",
                "employer", "account name", "firm", "your company"),
    "location": ("location", "city", "town", "city town", "city state", "where are you based",
                 "based in", "state", "state region", "region", "country", "country region",
                 "mailing city", "mailing state province", "mailing country", "address city"),
    "specialty": ("specialty", "speciality", "specialties", "specialities", "expertise",
                  "area of expertise", "profession", "business description", "what i do",
                  "what you do", "industry specialty"),
    "offers": ("offers", "offer", "what i offer", "what you offer", "services",
               "services offered", "can help with", "i can help with", "skills"),
    "seeks": ("seeks", "seeking", "looking for", "what i am looking for", "needs",
              "wants to meet", "who i want to meet", "who you want to meet"),
    "role": ("role", "member role", "networking role"),
    "tags": ("tags", "labels", "interests", "topics"),
    "notes": ("notes", "note", "comments", "comment", "host notes", "private notes"),
    "opt_out": ("opt out", "optout", "do not match", "no introductions"),
}

# Registration questions, matched on the normalised header.
QUESTIONS: tuple[tuple[str, re.Pattern], ...] = (
    ("name", re.compile(r"^(what s|what is) your (full )?name$")),
    ("email", re.compile(r"^(what s|what is) your (work |business )?e ?mail( address)?$")),
    ("company", re.compile(r"^(what s|what is) your (company|business|organi[sz]ation)"
                           r"( name)?$|^(company|business) you (work for|run|own)$")),
    ("phone", re.compile(r"^(what s|what is) your (mobile |cell |phone |best )*"
                         r"(phone|mobile|number)( number)?$")),
    ("headline", re.compile(r"^(what s|what is) your (job )?(title|position|role)$")),
    ("specialty", re.compile(r"\bwhat (does|do) (your|you) (business|company|firm|practice)? ?do\b"
                             r"|\bwhat (do you|does your \w+) (do|does)\b"
                             r"|\bdescribe (your|what you) (business|work|do)\b"
                             r"|\bwhat is your (business|specialty|speciality|expertise|niche)\b"
                             r"|\bwhat do you do for (a living|work)\b"
                             r"|^what (they|he|she) do(es)?$|^what (they|he|she) (sell|offer)s?$")),
    ("offers", re.compile(r"\bhow can you help\b|\bwhat can you (offer|help)\b"
                          r"|\bwhat (do|can) you (offer|bring)\b|\bhow could you help\b")),
    ("seeks", re.compile(r"\bwho (would|do|should|are) you (like|want|hope|hoping|looking)\b"
                         r"|\bwho (would|do) you (like|want) to meet\b"
                         r"|\bwhat are you looking for\b|\bwho are you looking for\b"
                         r"|\bwhat (kind of|type of)? ?(people|contacts|introductions)\b"
                         r"|\bwho is your ideal (client|customer|referral)\b")),
)


def normalise(header: str) -> str:
    """Fold case, accents, ``&`` and punctuation: ``"E-mail Address:"`` -> ``"e mail address"``.

    >>> normalise(" What does your business do? ")
    'what does your business do'
    """
    text = unicodedata.normalize("NFKD", str(header))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ").replace("#", " number ")
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


_BY_SYNONYM = {s: f for f, names in SYNONYMS.items() for s in names}
_BY_SYNONYM.update({normalise(f): f for f in TARGETS})


def guess_field(header: str) -> tuple[str | None, str]:
    """``(field, how)`` for one header, or ``(None, "")``; ``how`` is "name", "synonym" or
    "question"."""
    key = normalise(header)
    if key in _BY_SYNONYM:
        return _BY_SYNONYM[key], "name" if key == normalise(_BY_SYNONYM[key]) else "synonym"
    for target, pattern in QUESTIONS:
        if pattern.search(key):
            return target, "question"
    return None, ""


@dataclass
class Columns:
    """``fields``: column -> field for the columns in use; ``unknown``: columns kept aside;
    ``how``: column -> "map", "name", "synonym" or "question"."""

    fields: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    how: dict[str, str] = field(default_factory=dict)


def parse_map(items: Iterable[str]) -> dict[str, str]:
    """``["Header=field", ...]`` -> ``{"Header": "field"}`` (split at the last ``=``)."""
    out = {}
    for item in items:
        header, sep, target = str(item).rpartition("=")
        if not sep or not header.strip():
            raise ValueError(f"a mapping is 'Header=field', got {item!r}")
        out[header.strip()] = target.strip()
    return out


def match_columns(columns: list[str], mapping: Mapping[str, str] | None = None, *,
                  saved: Mapping[str, str] | None = None) -> Columns:
    """Match ``columns`` to fields. ``mapping`` (the host's explicit choices) must name
    columns of this file and valid fields, else :class:`ValueError`-free row-0 errors are
    raised as :class:`~matcher.errors.ValidationFailed`; ``saved`` (an event's remembered
    mapping) applies to the columns it names that the file has, quietly."""
    from ..errors import ValidationFailed

    errors = []
    chosen: dict[str, str] = {}
    by_norm = {normalise(c): c for c in columns}
    for source, strict in ((saved or {}, False), (mapping or {}, True)):
        for header, target in source.items():
            col = header if header in columns else by_norm.get(normalise(header))
            if col is None:
                if strict:
                    errors.append(RowError(0, "map", f"no column {header!r} in the file; its "
                                           f"columns are {', '.join(map(repr, columns))}"))
                continue
            if target not in TARGETS and target != ASIDE:
                errors.append(RowError(0, "map", f"cannot map {header!r} to {target!r}; expected "
                                       f"one of {', '.join(TARGETS)} or {ASIDE!r} to leave it aside"))
                continue
            chosen[col] = target
    if errors:
        raise ValidationFailed(errors)
    out = Columns()
    for col in columns:
        if col in chosen:
            target, how = chosen[col], "map"
        else:
            target, how = guess_field(col)
        if target in (None, ASIDE):
            out.unknown.append(col)
        else:
            out.fields[col], out.how[col] = target, how
    return out


_SPLIT = re.compile(r"[;\n\r]+")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
_WRITTEN_LIST = re.compile(r",\s+and\s+", re.I)
_LIST_COMMA = re.compile(r",\s*(?:and\s+)?", re.I)


def split_list(text: str) -> list[str]:
    """Phrases of a free-text answer: split on ``;`` and line breaks, and a written-out list
    (``"a, b, and c"``) on its commas; bullets are dropped.

    >>> split_list("payroll; bookkeeping, tax returns, and audits\\n- coaching")
    ['payroll', 'bookkeeping', 'tax returns', 'audits', 'coaching']
    >>> split_list("dentists, orthodontists")
    ['dentists, orthodontists']
    """
    out = []
    for part in _SPLIT.split(text):
        part = _BULLET.sub("", part).strip()
        if not part:
            continue
        if _WRITTEN_LIST.search(part):
            out += [p.strip() for p in _LIST_COMMA.split(part) if p.strip()]
        else:
            out.append(part)
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_DEFAULTS = {f: info.get_default(call_default_factory=True)
             for f, info in Member.model_fields.items() if not info.is_required()}


def _empty(target: str) -> Any:
    """The value an explicitly empty cell sets: the field's default (a fresh list)."""
    value = _DEFAULTS[target]
    return list(value) if isinstance(value, list) else value


def build_record(cells: Mapping[str, Any], cols: Columns) -> dict[str, Any]:
    """The fields one row gives, by field name. A field whose columns are absent from the
    file is not given (the stored value stays); an empty cell gives the field's default (it
    clears), except a required field, which an empty cell leaves not given."""
    values: dict[str, list[Any]] = {}
    for col, target in cols.fields.items():
        if col in cells:
            values.setdefault(target, []).append(cells[col])
    given: dict[str, Any] = {}
    for target, found in values.items():
        if target in NAME_PARTS:
            continue
        present = [v.strip() if isinstance(v, str) else v for v in found if not _blank(v)]
        if not present:
            if target not in REQUIRED:
                given[target] = _empty(target)
            continue
        if target in LIST_FIELDS:
            items: list[Any] = []
            for v in present:
                items += split_list(v) if isinstance(v, str) else (v if isinstance(v, list) else [v])
            given[target] = items
        elif target in JOINED and all(isinstance(v, str) for v in present):
            given[target] = JOINED[target].join(dict.fromkeys(present))
        else:
            given[target] = present[0]
    if "name" not in given:
        parts = [str(v).strip() for part in NAME_PARTS for v in values.get(part, [])
                 if not _blank(v)]
        if parts:
            given["name"] = " ".join(parts)
    if isinstance(given.get("name"), str):
        given["name"] = " ".join(given["name"].split())
    return given

"""Rows of a file against the members already stored: validate, merge, say what changes.

A row updates only the fields its file gives: a column absent from the file leaves the stored
value alone, an empty cell clears an optional field. Every bad row is collected; any error
and :class:`~matcher.errors.ValidationFailed` lists them all (nothing is written).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..errors import RowError, ValidationFailed
from ..profiles import FIELDS, Member
from .reading import show


@dataclass
class ParsedRow:
    row: int
    given: dict[str, Any]
    id_from: str = ""  # "email" or "name and company" when the id was derived
    aside: dict[str, Any] = field(default_factory=dict)  # values of the unknown columns


@dataclass
class Plan:
    """What an import would do: the members to write, the ids it creates, and per updated
    member the fields that change."""

    members: list[Member]
    created: list[str]
    changes: dict[str, list[str]]
    given: dict[str, set[str]] = field(default_factory=dict)  # id -> fields its row sets

    @property
    def unchanged(self) -> int:
        return len(self.members) - len(self.created) - len(self.changes)


def plan(rows: list[ParsedRow], stored: Mapping[str, Member],
         errors: list[RowError] | None = None, *, columns=None) -> Plan:
    """Validate ``rows`` merged with ``stored`` (id -> member); raises on any error. With
    ``columns`` (:class:`~.columns.Columns`), a required field that no column fills gets one
    row-0 error naming the columns kept aside, the likely candidates for a mapping."""
    errors = list(errors or [])
    reported = {e.row for e in errors}
    members: list[Member] = []
    created: list[str] = []
    changes: dict[str, list[str]] = {}
    first: dict[str, ParsedRow] = {}
    given: dict[str, set[str]] = {}
    for r in rows:
        if r.row in reported:
            continue
        mid = r.given.get("id")
        old = stored.get(mid.strip()) if isinstance(mid, str) else None
        record = old.model_dump() | r.given if old is not None else r.given
        if old is not None and _same_email(old.email, r.given.get("email")):
            record["email"] = old.email  # the same address in other letter case
        try:
            member = Member.model_validate(record)
        except ValidationError as exc:
            errors.extend(row_errors(r.row, exc))
            continue
        if member.id in first:
            errors.append(_duplicate(r, first[member.id]))
            continue
        first[member.id] = r
        members.append(member)
        if old is None:
            created.append(member.id)
        else:
            given[member.id] = set(r.given) & set(FIELDS)
            diff = [f for f in FIELDS if getattr(old, f) != getattr(member, f)]
            if diff:
                changes[member.id] = diff
    if errors:
        if columns is not None:
            errors += _unfilled(errors, columns)
        raise ValidationFailed(sorted(errors, key=lambda e: e.row))
    return Plan(members, created, changes, given)


def _unfilled(errors: list[RowError], columns) -> list[RowError]:
    matched = set(columns.fields.values())
    if {"first_name", "last_name"} & matched:
        matched.add("name")
    missing = sorted({e.field for e in errors if e.message.startswith("Field required")}
                     - matched)
    aside = ", ".join(repr(c) for c in columns.unknown) or "none"
    return [RowError(0, f, f"no column of the file is matched to {f}; columns kept aside: "
                     f"{aside}; map one as \"Column={f}\"") for f in missing]


def _same_email(stored: str | None, given: Any) -> bool:
    return (isinstance(stored, str) and isinstance(given, str)
            and stored.casefold() == given.strip().casefold())


def _duplicate(r: ParsedRow, earlier: ParsedRow) -> RowError:
    if r.id_from and earlier.id_from == r.id_from:
        field_ = "email" if r.id_from == "email" else "name"
        return RowError(r.row, field_, f"the same person as row {earlier.row} (same "
                        f"{r.id_from}); merge the two rows or remove one")
    return RowError(r.row, "id", f"duplicate id {r.given.get('id')!r} (first in row {earlier.row})")


def row_errors(row: int, exc: ValidationError) -> list[RowError]:
    out = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        field_ = ".".join(loc) if loc else "-"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown field; expected one of {', '.join(FIELDS)}"
        if err["type"] == "missing":  # its input is the whole record: nothing to show
            out.append(RowError(row, field_, msg))
            continue
        out.append(RowError(row, field_, f"{msg} (got {show(err.get('input'))})"))
    return out

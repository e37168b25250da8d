"""A host's attendee upload: the all-or-nothing import of :mod:`matcher.importing`, plus one
rule of the pages: a host key may not overwrite a member outside its own event.

A row whose id is already a member but not an attendee of the event is a row error for a host
("belongs to another event; ask an admin"); admin keys may upload anything. Any error, of
either kind, and nothing is written. A row without an id is matched by its email only among the
event's own attendees for a host (never to someone else's member). Error messages never repeat
private values (email, phone, notes), not even the ones in the uploaded file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matcher.engine import ImportReport
from matcher.errors import RowError, ValidationFailed
from matcher.importing import ParsedFile, parse_file
from matcher.profiles import PRIVATE_FIELDS

from ..deps import Runtime

_GOT = re.compile(r" \(got .*\)$", re.S)


@dataclass
class UploadRow:
    """One data row of the upload, as shown back to the host (public columns only)."""

    row: int
    id: str
    name: str
    errors: list[str] = field(default_factory=list)


def import_attendees(rt: Runtime, event: str, data: bytes, *, admin: bool,
                     fmt: str = "csv", mapping: dict[str, str] | None = None,
                     dry_run: bool = False) -> ImportReport:
    """Import the file ``data`` and make every row an attendee of ``event``; raises
    :class:`ValidationFailed` (nothing written) on any bad or forbidden row. Columns the file
    leaves out keep their stored values; the event's remembered column mapping applies."""
    store = rt.engine.store
    store.event(event)  # NotFound for an unknown event
    if data.startswith(b"PK\x03\x04"):  # a zip: an Excel workbook
        fmt = "xlsx"
    with rt.lock:
        parsed = parse_file(data, fmt, mapping=mapping, saved=rt.engine.saved_mapping(event))
        scope = None if admin else store.attendees(event)  # a host matches its own people
        rt.engine.match_emails(parsed.rows, among=scope)
        errors = [] if admin else _foreign_rows(rt, event, parsed)
        try:  # a host's file is checked by a dry run first: it may not change a profile
            report = rt.engine.import_file(parsed, event=event, email_scope=scope,
                                           dry_run=dry_run or not admin or bool(errors))
        except ValidationFailed as exc:
            errors += exc.errors
        else:
            errors += [] if admin else _changed_rows(parsed, report)
        if errors:
            raise ValidationFailed(sorted(errors, key=lambda e: e.row))
        if not dry_run:
            if not admin:
                report = rt.engine.import_file(parsed, event=event, email_scope=scope)
            rt.invalidate()
    return report


def _changed_rows(parsed: ParsedFile, report: ImportReport) -> list[RowError]:
    """Rows that would change an existing member's stored profile: a host adds new members
    and seats its attendees, but changing a profile needs the member's own key or an admin's."""
    return [RowError(r.row, "id", (
                f"member {r.given.get('id')!r} exists; a host upload may not change an existing "
                f"member's profile ({', '.join(report.changes[r.given.get('id')])}): that needs "
                "the member's own key or an admin's"))
            for r in parsed.rows if r.given.get("id") in report.changes]


def _foreign_rows(rt: Runtime, event: str, parsed: ParsedFile) -> list[RowError]:
    ids = parsed.ids()
    existing = {m.id for m in rt.engine.store.members(ids)}
    ours = set(rt.engine.store.attendees(event))
    return [RowError(r.row, "id", f"member id {r.given['id']!r} belongs to another event; "
                     "ask an admin")
            for r in parsed.rows if r.given.get("id") in existing and r.given["id"] not in ours]


def _raw_rows(data: bytes) -> list[UploadRow]:
    """The rows as the host sees them (id, derived when the file has none, and name)."""
    try:
        parsed = parse_file(data, "xlsx" if data.startswith(b"PK\x03\x04") else "csv")
    except ValidationFailed:
        return []
    return [UploadRow(r.row, str(r.given.get("id") or ""), str(r.given.get("name") or ""))
            for r in parsed.rows]


def shown_errors(data: bytes, errors: list[RowError]) -> tuple[list[UploadRow], list[str]]:
    """Every row of the upload with its errors next to it, and the errors about the whole
    file (row 0 or a row the CSV reader did not see)."""
    rows = _raw_rows(data)
    by_row = {r.row: r for r in rows}
    general = []
    for e in errors:
        text = f"{e.field}: {_safe(e)}"
        if e.row in by_row:
            by_row[e.row].errors.append(text)
        else:
            general.append(text if e.row == 0 else f"row {e.row}, {text}")
    return rows, general


def _safe(e: RowError) -> str:
    """The message without the offending value when it is, or may include, a private one."""
    got = _GOT.search(e.message)
    if got and (e.field.split(".")[0] in PRIVATE_FIELDS or got.group(0).startswith(" (got {")):
        return e.message[:got.start()]
    return e.message

"""The host's upload with a column-mapping preview (plain forms, no JavaScript).

``Preview and map columns`` on the event page posts the file here: the page shows the first
rows, one dropdown per column (preselected from the event's remembered mapping, then from
the headers), and a dry run of the import (what would be created and updated, or every row
error). ``Update preview`` re-runs it with the chosen mapping; ``Import`` imports with it
(all or nothing, the host rules of :mod:`.uploads`), and the event remembers the mapping for
the next upload. Between the steps the file travels in a hidden field (base64), so nothing
is kept on the server.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from matcher.errors import ValidationFailed
from matcher.importing import read_table
from matcher.importing.columns import ASIDE, TARGETS, match_columns

from ..deps import Runtime, RuntimeDep
from .auth import HostPoster
from .pages import PageRoute, q, render, see_other
from .uploads import import_attendees, shown_errors

router = APIRouter(route_class=PageRoute)
PREVIEW_ROWS = 5
CHOICES = [(ASIDE, "(keep aside)")] + [(t, t.replace("_", " ")) for t in TARGETS]


async def _upload(request: Request, file: UploadFile | None, data: str, filename: str):
    """The file's bytes, name and format, and the mapping chosen in the dropdowns (or None)."""
    if file is not None and file.filename:
        raw, filename = await file.read(), file.filename
    else:
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise HTTPException(422, "The file did not come back intact; upload it again.") \
                from None
    if not raw:
        raise HTTPException(422, "Choose a file to upload first.")
    fmt = "xlsx" if raw.startswith(b"PK\x03\x04") else "csv"
    form = await request.form()
    columns = read_table(raw, fmt).columns
    mapping = {}
    for i, col in enumerate(columns):
        choice = form.get(f"col-{i}")
        if choice is None:
            continue
        if choice not in TARGETS and choice != ASIDE:
            raise HTTPException(422, f"Unknown field {choice!r} for column {col!r}.")
        mapping[col] = choice
    return raw, filename or "the file", fmt, mapping or None


def _page(request: Request, rt: Runtime, event: str, raw: bytes, filename: str, fmt: str,
          mapping: dict | None, *, admin: bool, errors=None, status: int = 200):
    table = read_table(raw, fmt)
    cols = match_columns(table.columns, mapping, saved=rt.engine.saved_mapping(event))
    report = None
    if errors is None:
        try:
            report = import_attendees(rt, event, raw, admin=admin, fmt=fmt, mapping=mapping,
                                      dry_run=True)
        except ValidationFailed as exc:
            errors = exc.errors
    rows, general = shown_errors(raw, errors or [])
    bad = [r for r in rows if r.errors]
    columns = [{"index": i, "name": c, "target": cols.fields.get(c, ASIDE),
                "how": cols.how.get(c, ""),
                "samples": [str(cells.get(c, "")) for _, cells in table.rows[:PREVIEW_ROWS]]}
               for i, c in enumerate(table.columns)]
    return render(request, "host/upload_preview.html", status, event=event, filename=filename,
                  data=base64.b64encode(raw).decode(), columns=columns, choices=CHOICES,
                  n_rows=len(table.rows), preview_rows=min(len(table.rows), PREVIEW_ROWS),
                  report=report, bad_rows=bad, general=general)


@router.post("/host/{event}/attendees/preview")
async def preview(event: str, request: Request, rt: RuntimeDep, p: HostPoster,
                  file: Annotated[UploadFile | None, File(description="attendee file")] = None,
                  data: Annotated[str, Form()] = "", filename: Annotated[str, Form()] = ""):
    """The first rows with a dropdown per column and a dry run of the import."""
    rt.engine.store.event(event)
    raw, filename, fmt, mapping = await _upload(request, file, data, filename)
    return await run_in_threadpool(_page, request, rt, event, raw, filename, fmt, mapping,
                                   admin=p.admin)


@router.post("/host/{event}/attendees/import")
async def import_mapped(event: str, request: Request, rt: RuntimeDep, p: HostPoster,
                        data: Annotated[str, Form()] = "", filename: Annotated[str, Form()] = ""):
    """Import with the chosen mapping (remembered for the event); errors show the preview
    again with every row's problems."""
    rt.engine.store.event(event)
    raw, filename, fmt, mapping = await _upload(request, None, data, filename)

    def run():
        try:
            report = import_attendees(rt, event, raw, admin=p.admin, fmt=fmt, mapping=mapping)
        except ValidationFailed as exc:
            return _page(request, rt, event, raw, filename, fmt, mapping, admin=p.admin,
                         errors=exc.errors, status=422)
        return see_other(f"/host/{q(event)}?created={report.created}&updated={report.updated}"
                         f"&unchanged={report.unchanged}")

    return await run_in_threadpool(run)

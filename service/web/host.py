"""The host's pages: the event (settings, attendees, CSV upload) and the role-clarity report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile

from matcher.errors import NotFound, ValidationFailed
from matcher.report import role_report

from ..deps import RuntimeDep
from .auth import HostPoster, HostVisitor, Visitor
from .charts import CHARTS, chart_images
from .pages import PageRoute, q, render, see_other
from .uploads import import_attendees, shown_errors

router = APIRouter(route_class=PageRoute)


@router.get("/host")
def events(request: Request, rt: RuntimeDep, p: Visitor, event: str | None = None):
    """Admin: every event (and a box to open or create one); host: its own event."""
    if p.scope == "host":
        return see_other(f"/host/{q(p.event)}")
    if not p.admin:
        raise HTTPException(403, "These pages are for hosts: sign in with a host key.")
    if event:
        return see_other(f"/host/{q(event.strip())}")
    rows = [{"name": e.name, "date": e.date, "attendees": len(rt.engine.store.attendees(e.name))}
            for e in rt.engine.store.events()]
    return render(request, "host/events.html", events=rows)


def _event_page(request: Request, rt, event: str, status: int = 200, **extra):
    store = rt.engine.store
    try:
        ev = store.event(event)
    except NotFound:
        ev = None
    members = store.members(store.attendees(event)) if ev else []
    return render(request, "host/event.html", status, event=event, ev=ev,
                  settings=(ev.settings or {}) if ev else {},
                  attendees=[m.public() for m in members],
                  has_run=ev is not None and rt.pairings.get(event) is not None, **extra)


@router.get("/host/{event}")
def event_page(event: str, request: Request, rt: RuntimeDep, p: HostVisitor,
               created: int | None = None, updated: int | None = None,
               unchanged: int | None = None, saved: bool = False):
    imported = None if created is None else {"created": created, "updated": updated or 0,
                                             "unchanged": unchanged or 0}
    return _event_page(request, rt, event, imported=imported, saved=saved)


@router.post("/host/{event}")
def save_event(event: str, rt: RuntimeDep, p: HostPoster,
               date: Annotated[str, Form(max_length=40)] = "",
               rounds: Annotated[int, Form(ge=1, le=20)] = 3,
               table_size: Annotated[int, Form(ge=2, le=12)] = 2,
               start: Annotated[str, Form(max_length=40)] = "",
               minutes: Annotated[int, Form(ge=1, le=240)] = 15):
    """Create the event, or change its date, rounds, table size and round times."""
    if start:
        try:
            datetime.fromisoformat(start)
        except ValueError:
            raise HTTPException(422, f"start {start!r} is not a date and time") from None
    store = rt.engine.store
    timing = {"start": start or None, "minutes": minutes}
    try:
        ev = store.event(event)
    except NotFound:
        store.create_event(event, date=date or None, rounds=rounds, table_size=table_size,
                           settings=timing)
    else:
        store.update_event(event, date=date or None, rounds=rounds, table_size=table_size,
                           settings={**(ev.settings or {}), **timing})
    return see_other(f"/host/{q(event)}?saved=true")


@router.post("/host/{event}/attendees")
def upload(event: str, request: Request, rt: RuntimeDep, p: HostPoster,
           file: Annotated[UploadFile, File(description="attendee CSV")]):
    """Import a CSV of attendees, all or nothing (errors are shown next to their rows).

    A host adds new members and its own attendees; it may not change an existing member's
    profile (that takes the member's own key or an admin's)."""
    data = file.file.read()
    try:
        report = import_attendees(rt, event, data, admin=p.admin)
    except ValidationFailed as exc:
        rows, general = shown_errors(data, exc.errors)
        return _event_page(request, rt, event, 422, upload_rows=rows, upload_general=general,
                           upload_name=file.filename or "the file",
                           bad_rows=sum(bool(r.errors) for r in rows))
    r = report.as_dict()
    return see_other(f"/host/{q(event)}?created={r['created']}&updated={r['updated']}"
                     f"&unchanged={r['unchanged']}")


@router.get("/host/{event}/report")
def report(event: str, request: Request, rt: RuntimeDep, p: HostVisitor):
    """The role-clarity report with its charts."""
    store = rt.engine.store
    store.event(event)
    if len(store.attendees(event)) < 2:
        return render(request, "host/report.html", event=event, report=None)
    with rt.lock:
        scored = rt.engine.scorer(event)
        taxonomy = rt.engine.taxonomy(event)
    doc = role_report(scored.insights, taxonomy)
    images = chart_images(event, doc, scored.insights, taxonomy)
    return render(request, "host/report.html", event=event, report=doc,
                  charts=[{"name": n, "alt": alt, "src": images[n]} for n, alt in CHARTS.items()])

"""/v1/events: CRUD and attendees."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from matcher.errors import NotFound
from matcher.store import extra

from ..deps import Caller, Principal, Runtime, RuntimeDep, forbid, host_event, require
from ..errors import problem_responses
from ..models import AttendeeChange, Attendees, EventIn, EventOut, EventPatch

router = APIRouter(prefix="/v1/events", tags=["events"],
                   responses=problem_responses(401, 403, 404, 422, 429))


def _out(rt, ev) -> dict:
    return {"id": ev.id, "name": ev.name, "date": ev.date, "rounds": ev.rounds,
            "table_size": ev.table_size, "attendees": len(rt.engine.store.attendees(ev.name)),
            "start": (ev.settings or {}).get("start"), "minutes": (ev.settings or {}).get("minutes")}


def _manage(p, name: str) -> None:
    require(p, "admin", "host")
    host_event(p, name)


def _may_add(rt: Runtime, p: Principal, member_ids: list[str]) -> None:
    """A host key adds to its event only members who attend it already; anyone else is not
    the host's to manage (else a host could pull in any member, then overwrite their profile
    with an upload). New members come in through the host's attendee upload; others need an
    admin key. Unknown ids get the same 403 as other people's members."""
    if p.scope != "host":
        return
    try:
        ours = set(rt.engine.store.attendees(p.event))
    except NotFound:  # the event is being created
        ours = set()
    foreign = [m for m in dict.fromkeys(member_ids) if m not in ours]
    if foreign:
        raise forbid(f"a host key adds only members who attend event {p.event!r} already; "
                     f"ask an admin to add {', '.join(map(repr, foreign[:5]))}")


@router.get("", response_model=list[EventOut])
def list_events(rt: RuntimeDep, p: Caller):
    """Events (a host key sees its own event only)."""
    require(p, "admin", "app", "host")
    events = rt.engine.store.events()
    if p.scope == "host":
        events = [e for e in events if e.name == p.event]
    return [_out(rt, e) for e in events]


@router.post("", status_code=201, response_model=EventOut, responses=problem_responses(409))
def create_event(body: EventIn, rt: RuntimeDep, p: Caller):
    """Create an event (admin, or the host key for that event name)."""
    _manage(p, body.name)
    _may_add(rt, p, body.attendees)
    try:
        ev = rt.engine.store.create_event(body.name, date=body.date, rounds=body.rounds,
                                          table_size=body.table_size, attendees=body.attendees)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    return _out(rt, ev)


@router.get("/{name}", response_model=EventOut)
def get_event(name: str, rt: RuntimeDep, p: Caller):
    require(p, "admin", "app", "host")
    host_event(p, name)
    return _out(rt, rt.engine.store.event(name))


@router.patch("/{name}", response_model=EventOut)
def update_event(name: str, body: EventPatch, rt: RuntimeDep, p: Caller):
    _manage(p, name)
    changes = body.model_dump(exclude_unset=True)
    timing = {k: changes.pop(k) for k in ("start", "minutes") if k in changes}
    changes = {k: v for k, v in changes.items() if v is not None or k == "date"}
    if timing:
        settings = dict(rt.engine.store.event(name).settings or {})
        for k, v in timing.items():
            settings[k] = v.isoformat() if hasattr(v, "isoformat") else v
        changes["settings"] = settings
    return _out(rt, rt.engine.store.update_event(name, **changes))


@router.delete("/{name}", status_code=204, response_class=Response)
def delete_event(name: str, rt: RuntimeDep, p: Caller):
    _manage(p, name)
    extra.delete_event(rt.engine.store, name)
    rt.invalidate()
    return Response(status_code=204)


@router.get("/{name}/attendees", response_model=Attendees)
def attendees(name: str, rt: RuntimeDep, p: Caller):
    """Attendee ids (their public profiles are at /v1/members?event=NAME)."""
    require(p, "admin", "app", "host")
    host_event(p, name)
    return {"event": name, "data": rt.engine.store.attendees(name)}


@router.put("/{name}/attendees", response_model=Attendees)
def replace_attendees(name: str, body: AttendeeChange, rt: RuntimeDep, p: Caller):
    _manage(p, name)
    _may_add(rt, p, body.member_ids)
    ids = extra.set_attendance(rt.engine.store, name, add=body.member_ids, replace=True)
    rt.invalidate()
    return {"event": name, "data": ids}


@router.post("/{name}/attendees", response_model=Attendees)
def add_attendees(name: str, body: AttendeeChange, rt: RuntimeDep, p: Caller):
    _manage(p, name)
    _may_add(rt, p, body.member_ids)
    ids = extra.set_attendance(rt.engine.store, name, add=body.member_ids)
    rt.invalidate()
    return {"event": name, "data": ids}


@router.delete("/{name}/attendees/{member_id}", response_model=Attendees)
def remove_attendee(name: str, member_id: str, rt: RuntimeDep, p: Caller):
    _manage(p, name)
    ids = extra.set_attendance(rt.engine.store, name, remove=[member_id])
    rt.invalidate()
    return {"event": name, "data": ids}

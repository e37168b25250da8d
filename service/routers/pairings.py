"""/v1/events/{name}/pairings: generate a schedule, read it (JSON, CSV, HTML), and each
attendee's iCalendar file. Every run is kept in the store;
the newest is the event's schedule."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from matcher.pairing import export

from ..deps import Caller, Runtime, RuntimeDep, forbid, host_event, require
from ..errors import problem_responses

router = APIRouter(prefix="/v1/events/{name}/pairings", tags=["pairings"],
                   responses=problem_responses(401, 403, 404, 409, 422, 429))


class PairingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rounds: int | None = Field(default=None, ge=1, le=20)
    table_size: int | None = Field(default=None, ge=2, le=12)
    seed: int = Field(default=0, ge=0, le=2**31)
    allow_competitors: bool = False
    hold: bool = Field(default=False, description="write the pairs to meeting history")


def _run(rt: Runtime, name: str):
    rt.engine.store.event(name)  # 404 for an unknown event
    run = rt.pairings.get(name)
    if run is None:
        raise HTTPException(404, f"no pairings generated for event {name!r} yet")
    return run


@router.post("", status_code=201, response_model=dict[str, Any])
def generate(name: str, body: PairingsIn, rt: RuntimeDep, p: Caller):
    """Schedule the event's attendees (admin, or the event's host)."""
    require(p, "admin", "host")
    host_event(p, name)
    rt.engine.store.event(name)
    if len(rt.engine.store.attendees(name)) < 2:
        raise HTTPException(409, "an event needs at least two attendees to pair")
    try:
        with rt.lock:
            run = rt.engine.pairings(name, rounds=body.rounds, table_size=body.table_size,
                                     seed=body.seed, allow_competitors=body.allow_competitors)
            if body.hold:
                rt.engine.hold(run)
    except ValueError as exc:  # PairingError is a ValueError
        raise HTTPException(409, str(exc)) from None
    if body.hold:
        rt.history_changed()
    rt.pairings[name] = run
    return export.to_json(run.schedule, **run.export_kwargs())


@router.get("", response_model=dict[str, Any],
            responses={200: {"content": {"text/csv": {}, "text/html": {}}}})
def read(name: str, rt: RuntimeDep, p: Caller,
         format: Annotated[str, Query(pattern="^(json|csv|html)$")] = "json"):
    """The last schedule generated for the event, as JSON, CSV or HTML."""
    require(p, "admin", "host", "app")
    host_event(p, name)
    run = _run(rt, name)
    if format == "csv":
        return Response(export.to_csv(run.schedule, **run.export_kwargs()), media_type="text/csv")
    if format == "html":
        return Response(export.to_html(run.schedule, **run.export_kwargs()),
                        media_type="text/html")
    return export.to_json(run.schedule, **run.export_kwargs())


@router.get("/{member_id}.ics", response_class=Response,
            responses={200: {"content": {"text/calendar": {}}}})
def calendar(name: str, member_id: str, rt: RuntimeDep, p: Caller):
    """An attendee's rounds as iCalendar (needs the event's ``start`` setting)."""
    require(p, "admin", "host", "member")
    host_event(p, name)
    if p.scope == "member" and p.member_id != member_id:
        raise forbid("a member key reads its own calendar only")
    run = _run(rt, name)
    if member_id not in run.ids:
        raise HTTPException(404, f"{member_id!r} is not in this schedule")
    if not run.round_times:
        raise HTTPException(409, "the event has no start time (settings.start)")
    kwargs = run.export_kwargs()
    ics = export.to_ics(run.schedule, member=run.ids.index(member_id), **kwargs)
    return Response(ics, media_type="text/calendar")

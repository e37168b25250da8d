"""A member's pages: whom to meet (with reasons), whom I can help, introductions (ask,
accept, decline), my agenda for an event, my specificity tips.

Other members appear by name and public reasons only; a member's own private fields are
shown to that member alone (on the tips page).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Request

from matcher.store import extra

from ..deps import Principal, Runtime, RuntimeDep
from ..routers.intros import answer_introduction, ask_introduction
from .auth import MemberPoster, MemberVisitor
from .pages import PageRoute, render, see_other
from .pairings import calendar_response

router = APIRouter(route_class=PageRoute)
RELATIONS = {"complement": "you complement each other", "referral-partner": "referral partner",
             "peer": "peer", "competitor": "competitor"}
K = 10


def _names(rt: Runtime, ids) -> dict[str, str]:
    return {m.id: m.name for m in rt.engine.store.members(sorted(set(ids)))}


def _my_event(rt: Runtime, p: Principal, event: str | None) -> str | None:
    if event and event not in extra.events_of(rt.engine.store, p.member_id):
        raise HTTPException(404, f"You are not an attendee of {event!r}.")
    return event or None


@router.get("/me")
def recommendations(request: Request, rt: RuntimeDep, p: MemberVisitor,
                    event: str | None = None):
    """Who I should meet, best first, with the reasons."""
    event = _my_event(rt, p, event)
    rows = rt.recommend(p.member_id, K, event)
    asked = {i["to"]: i["status"] for i in extra.introductions(rt.engine.store, p.member_id)
             if i["from"] == p.member_id}
    return render(request, "member/recommendations.html", rows=rows, asked=asked,
                  relations=RELATIONS, event=event,
                  events=extra.events_of(rt.engine.store, p.member_id))


@router.get("/me/help")
def helpable(request: Request, rt: RuntimeDep, p: MemberVisitor):
    """Whom I can help: members who seek what I offer."""
    with rt.lock:
        rows = rt.engine.helpable(p.member_id, K)
    return render(request, "member/help.html", rows=rows, relations=RELATIONS)


@router.get("/me/intros")
def introductions(request: Request, rt: RuntimeDep, p: MemberVisitor,
                  sent: bool = False, answered: Literal["accepted", "declined"] | None = None):
    intros = extra.introductions(rt.engine.store, p.member_id)
    names = _names(rt, [i["from"] for i in intros] + [i["to"] for i in intros])
    return render(request, "member/intros.html", names=names, sent=sent, answered=answered,
                  incoming=[i for i in intros if i["to"] == p.member_id],
                  outgoing=[i for i in intros if i["from"] == p.member_id])


@router.post("/me/intros")
def ask(rt: RuntimeDep, p: MemberPoster, to: Annotated[str, Form(min_length=1, max_length=100)],
        message: Annotated[str, Form(max_length=2000)] = ""):
    """Ask to be introduced to ``to``."""
    ask_introduction(rt, p, p.member_id, to, message.strip())
    return see_other("/me/intros?sent=true")


@router.post("/me/intros/{intro_id}/{answer}")
def answer(intro_id: int, answer: Literal["accept", "decline"], rt: RuntimeDep,
           p: MemberPoster):
    status = {"accept": "accepted", "decline": "declined"}[answer]
    answer_introduction(rt, p, intro_id, status)
    return see_other(f"/me/intros?answered={status}")


@router.get("/me/agenda")
def agenda(request: Request, rt: RuntimeDep, p: MemberVisitor):
    """My rounds in each of my events' last pairings."""
    events = []
    for name in extra.events_of(rt.engine.store, p.member_id):
        run = rt.pairings.get(name)
        stops = None
        if run is not None and p.member_id in run.ids:
            i = run.ids.index(p.member_id)
            stops = [{"round": r + 1, "time": run.round_times[r] if run.round_times else None,
                      "table": t + 1, "with": [{"name": run.names[j], "reasons": run.reasons(i, j)}
                                               for j in mates]}
                     for r, t, mates in run.schedule.agenda(i)]
        events.append({"name": name, "stops": stops,
                       "calendar": bool(stops and run.round_times)})
    return render(request, "member/agenda.html", events=events)


@router.get("/me/agenda/{event}.ics")
def my_calendar(event: str, rt: RuntimeDep, p: MemberVisitor):
    _my_event(rt, p, event)
    run = rt.pairings.get(event)
    if run is None:
        raise HTTPException(404, f"No pairings for {event!r} yet.")
    return calendar_response(run, event, p.member_id)


@router.get("/me/tips")
def tips(request: Request, rt: RuntimeDep, p: MemberVisitor):
    """How specific my specialty is, how to sharpen it, and how my role reads."""
    with rt.lock:
        insights = rt.engine.scorer(None).insights
    mine = next((i for i in insights if i["member_id"] == p.member_id), None)
    if mine is None:
        raise HTTPException(404, "Your profile is not in the community any more.")
    return render(request, "member/tips.html", mine=mine,
                  profile=rt.engine.store.member(p.member_id).model_dump())

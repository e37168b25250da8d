"""The host's pairing pages: generate (and re-run and compare), lock or forbid pairs, the
print view, and CSV / iCalendar downloads.

The last run per event is read and written only through ``rt.pairings.get(name)`` and
``rt.pairings[name] = run``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Request, Response

from matcher.events import PairingRun, compare_runs
from matcher.pairing import export

from ..deps import Runtime, RuntimeDep
from .auth import HostPoster, HostVisitor
from .pages import PageRoute, q, render, see_other

router = APIRouter(route_class=PageRoute)
METRICS = {"total_score": "total score", "mean_score": "mean score",
           "min_best": "worst-off attendee's best match", "repeats": "repeat meetings",
           "alone": "seated alone", "n_without_good_match": "attendees without a good match"}


def _last(rt: Runtime, event: str) -> PairingRun:
    rt.engine.store.event(event)  # 404 for an unknown event
    run = rt.pairings.get(event)
    if run is None:
        raise HTTPException(404, f"No pairings for {event!r} yet: generate them first.")
    return run


def _page(request: Request, rt: Runtime, event: str, run: PairingRun | None,
          status: int = 200, **extra) -> Response:
    store = rt.engine.store
    ev = store.event(event)
    settings = ev.settings or {}
    attendees = store.attendees(event)
    names = {m.id: m.name for m in store.members(attendees)}
    doc = export.to_json(run.schedule, **run.export_kwargs()) if run else None
    rules = {"locked": [{"round": lk["round"] + 1, "names": [names.get(m, m) for m in lk["members"]]}
                        for lk in settings.get("locked", [])],
             "forbidden": [[names.get(m, m) for m in pair] for pair in settings.get("forbidden", [])]}
    return render(request, "host/pairings.html", status, event=event, ev=ev, doc=doc,
                  attendees=attendees, names=names, rules=rules, **extra)


@router.get("/host/{event}/pairings")
def pairings_page(event: str, request: Request, rt: RuntimeDep, p: HostVisitor,
                  saved: Literal["lock", "forbid"] | None = None):
    rt.engine.store.event(event)
    return _page(request, rt, event, rt.pairings.get(event), saved=saved)


@router.post("/host/{event}/pairings")
def generate(event: str, request: Request, rt: RuntimeDep, p: HostPoster,
             rounds: Annotated[int, Form(ge=1, le=20)],
             table_size: Annotated[int, Form(ge=2, le=12)],
             seed: Annotated[int, Form(ge=0, le=2**31)] = 0):
    """Seat the attendees; with a previous run, show what changed."""
    store = rt.engine.store
    store.event(event)
    if len(store.attendees(event)) < 2:
        raise HTTPException(409, "An event needs at least two attendees to pair.")
    old = rt.pairings.get(event)
    try:
        with rt.lock:
            run = rt.engine.pairings(event, rounds=rounds, table_size=table_size, seed=seed)
    except ValueError as exc:  # PairingError is a ValueError
        raise HTTPException(409, str(exc)) from None
    rt.pairings[event] = run
    return _page(request, rt, event, run, comparison=_compare(old, run) if old else None)


def _compare(old: PairingRun, new: PairingRun) -> dict:
    """Metrics side by side; the pairs that changed when both runs seat the same people."""
    diff = compare_runs(old, new)
    same_people = old.ids == new.ids
    return {
        "metrics": [{"label": label, **diff["metrics"][k]}
                    for k, label in METRICS.items() if k in diff["metrics"]],
        "changed_rounds": [r + 1 for r in diff["changed_rounds"]],
        "same_people": same_people,
        "added": [_names(new, ij) for ij in diff["pairs_added"]] if same_people else [],
        "removed": [_names(new, ij) for ij in diff["pairs_removed"]] if same_people else [],
    }


def _names(run: PairingRun, rows: list[int]) -> str:
    return " + ".join(run.names[i] for i in rows)


@router.post("/host/{event}/rules")
def add_rule(event: str, rt: RuntimeDep, p: HostPoster,
             rule: Annotated[Literal["lock", "forbid"], Form()],
             members: Annotated[list[str], Form(min_length=2, max_length=12)],
             round: Annotated[int, Form(ge=1, le=20)] = 1):
    """Lock a table into a round, or forbid a pair; kept on every re-run."""
    try:
        with rt.lock:
            rt.engine.host_rule(event, rule, members, round_index=round - 1)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    return see_other(f"/host/{q(event)}/pairings?saved={rule}")


@router.get("/host/{event}/pairings/print")
def print_view(event: str, request: Request, rt: RuntimeDep, p: HostVisitor):
    """One round per printed page."""
    run = _last(rt, event)
    doc = export.to_json(run.schedule, **run.export_kwargs())
    return render(request, "host/print.html", event=event, doc=doc)


@router.get("/host/{event}/pairings.csv")
def download_csv(event: str, rt: RuntimeDep, p: HostVisitor):
    run = _last(rt, event)
    return Response(export.to_csv(run.schedule, **run.export_kwargs()), media_type="text/csv",
                    headers=_attachment(f"{event}-pairings.csv"))


@router.get("/host/{event}/pairings/{member_id}.ics")
def download_ics(event: str, member_id: str, rt: RuntimeDep, p: HostVisitor):
    return calendar_response(_last(rt, event), event, member_id)


def calendar_response(run: PairingRun, event: str, member_id: str) -> Response:
    """``member_id``'s rounds of ``run`` as an iCalendar download."""
    if member_id not in run.ids:
        raise HTTPException(404, f"{member_id!r} is not in the pairings of {event!r}.")
    if not run.round_times:
        raise HTTPException(409, "The event has no start time: set one in the event settings, "
                                 "then generate the pairings again.")
    ics = export.to_ics(run.schedule, member=run.ids.index(member_id), **run.export_kwargs())
    return Response(ics, media_type="text/calendar",
                    headers=_attachment(f"{event}-{member_id}.ics"))


def _attachment(filename: str) -> dict[str, str]:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)
    return {"Content-Disposition": f'attachment; filename="{safe}"'}

"""Recommendations, pair explanations and the role report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from matcher.report import role_report

from ..deps import Caller, Principal, Runtime, RuntimeDep, forbid, host_can_see, host_event
from ..errors import problem_responses
from ..models import PairExplanation, Recommendations

router = APIRouter(prefix="/v1", tags=["recommendations"],
                   responses=problem_responses(401, 403, 404, 422, 429))

EventQ = Annotated[str | None, Query(max_length=200, description="limit to this event's attendees")]


def _may_read_recs(rt: Runtime, p: Principal, member_id: str, event: str | None) -> None:
    if p.scope == "member" and not p.is_member(member_id):
        raise forbid("a member key reads its own recommendations only")
    if p.scope == "host":
        host_event(p, event)
        if not host_can_see(rt, p, member_id):
            raise forbid("a host key reads its event's attendees only")


def _scored(rt: Runtime, event: str | None):
    """The engine's fitted scorer, built under the lock on first use."""
    if event:
        rt.engine.store.event(event)  # 404 for an unknown event
    with rt.lock:
        return rt.engine.scorer(event)


@router.get("/members/{member_id}/recommendations", response_model=Recommendations)
async def recommendations(member_id: str, rt: RuntimeDep, p: Caller,
                          k: Annotated[int, Query(ge=1, le=100)] = 10, event: EventQ = None):
    """Who ``member_id`` should meet, best first, with relation and reasons.

    ``age_seconds`` and ``stale``: after a profile edit, the previous answer is served (stale)
    until the new one is computed in the background.

    Hot path: a memoised answer to an admin, app or the member's own key is sent from the
    event loop, already in the response's shape; everything else runs in the thread pool.
    """
    if p.scope != "host":  # these scope checks need no I/O
        _may_read_recs(rt, p, member_id, event)
        hit = rt.cached(member_id, k, event)
        if hit is not None:
            return JSONResponse({"member_id": member_id, "event": event, "data": hit.rows,
                                 **rt.describe(hit)})

    def compute():
        _may_read_recs(rt, p, member_id, event)
        if event:
            rt.engine.store.event(event)  # 404 for an unknown event
        return rt.answer(member_id, k, event)  # NotFound (404) if not in the community

    answer = await run_in_threadpool(compute)
    return JSONResponse({"member_id": member_id, "event": event, "data": answer.rows,
                         **rt.describe(answer)})


@router.get("/pairs/{a}/{b}", response_model=PairExplanation)
def explain_pair(a: str, b: str, rt: RuntimeDep, p: Caller, event: EventQ = None):
    """Relation, score, components and reasons for the pair (a, b)."""
    if p.scope == "member" and not p.is_member(a):
        raise forbid("a member key explains pairs that start with itself")
    if p.scope == "host":
        host_event(p, event)
        if not (host_can_see(rt, p, a) and host_can_see(rt, p, b)):
            raise forbid("a host key reads its event's attendees only")
    _scored(rt, event)
    with rt.lock:
        return rt.engine.explain(a, b, event=event)


@router.get("/reports/roles", response_model=dict[str, Any], tags=["reports"])
def roles_report(rt: RuntimeDep, p: Caller, event: EventQ = None):
    """Role counts, markets, unclear and mismatched roles, complementary role pairs."""
    if p.scope == "member":
        raise forbid("member keys cannot read reports")
    host_event(p, event)
    scored = _scored(rt, event)
    with rt.lock:
        return role_report(scored.insights, rt.engine.taxonomy(event))

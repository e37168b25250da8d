"""/v1/introductions (mutual opt-in) and /v1/feedback."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from matcher.errors import NotFound
from matcher.store import extra

from ..deps import Caller, Principal, Runtime, RuntimeDep, forbid, require
from ..errors import problem_responses
from ..models import (
    FeedbackIn,
    FeedbackOut,
    IntroductionIn,
    IntroductionList,
    IntroductionOut,
    RowId,
)

router = APIRouter(prefix="/v1", tags=["introductions"],
                   responses=problem_responses(401, 403, 404, 422, 429))
NOT_YOURS = "not your introduction"


def _acting_as(p: Principal, member_id: str) -> None:
    require(p, "admin", "member")
    if p.scope == "member" and p.member_id != member_id:
        raise forbid("a member key acts for its own member only")


def ask_introduction(rt: Runtime, p: Principal, from_: str, to: str, message: str = "") -> dict:
    """``from_`` asks to be introduced to ``to`` (shared by the API and the web pages)."""
    _acting_as(p, from_)
    if from_ == to:
        raise HTTPException(400, "a member cannot ask to meet itself")
    return extra.add_introduction(rt.engine.store, from_, to, message)


def _introduction(rt: Runtime, p: Principal, intro_id: int, *, answering: bool = False) -> dict:
    """The request, if ``p`` may see it (admin; a member it is from or to) or answer it (admin;
    the member it is to). A member key gets the same 403 for someone else's request and for
    one that does not exist, so it cannot learn which ids exist."""
    require(p, "admin", "member")
    try:
        intro = extra.introduction(rt.engine.store, intro_id)
    except NotFound:
        if p.admin:
            raise
        raise forbid(NOT_YOURS) from None
    allowed = (intro["to"],) if answering else (intro["from"], intro["to"])
    if not p.admin and p.member_id not in allowed:
        raise forbid(NOT_YOURS)
    return intro


def answer_introduction(rt: Runtime, p: Principal, intro_id: int, status: str) -> dict:
    """Accept or decline a pending request (only the member asked, or admin); an accepted
    pair is written to meeting history (shared by the API and the web pages)."""
    _introduction(rt, p, intro_id, answering=True)
    try:
        intro = extra.answer_introduction(rt.engine.store, intro_id, status)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    if status == "accepted":
        rt.engine.store.add_meetings([(intro["from"], intro["to"])], source="introduction")
        rt.history_changed()
    return intro


@router.post("/introductions", status_code=201, response_model=IntroductionOut,
             responses=problem_responses(400))
def request_introduction(body: IntroductionIn, rt: RuntimeDep, p: Caller):
    """Ask to be introduced to ``to``; it happens only once ``to`` accepts."""
    return ask_introduction(rt, p, body.from_, body.to, body.message)


@router.get("/introductions", response_model=IntroductionList)
def list_introductions(rt: RuntimeDep, p: Caller):
    """Requests from or to the member (all of them for admin)."""
    require(p, "admin", "member")
    return {"data": extra.introductions(rt.engine.store, None if p.admin else p.member_id)}


@router.get("/introductions/{intro_id}", response_model=IntroductionOut)
def get_introduction(intro_id: RowId, rt: RuntimeDep, p: Caller):
    return _introduction(rt, p, intro_id)


@router.post("/introductions/{intro_id}/accept", response_model=IntroductionOut,
             responses=problem_responses(409))
def accept(intro_id: RowId, rt: RuntimeDep, p: Caller):
    """Accept: the pair is written to meeting history (source ``introduction``)."""
    return answer_introduction(rt, p, intro_id, "accepted")


@router.post("/introductions/{intro_id}/decline", response_model=IntroductionOut,
             responses=problem_responses(409))
def decline(intro_id: RowId, rt: RuntimeDep, p: Caller):
    return answer_introduction(rt, p, intro_id, "declined")


@router.post("/feedback", status_code=201, response_model=FeedbackOut,
             tags=["feedback"], responses=problem_responses(400))
def feedback(body: FeedbackIn, rt: RuntimeDep, p: Caller):
    """Rate a meeting with ``other_id`` (1-5) and say whether it led to business."""
    _acting_as(p, body.member_id)
    if body.member_id == body.other_id:
        raise HTTPException(400, "feedback is about another member")
    return extra.add_feedback(rt.engine.store, body.member_id, body.other_id, body.rating,
                              body.led_to_business, body.text)

"""/v1/keys: create, list and revoke API keys (admin)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from matcher.keys import create_key
from matcher.store import extra

from ..deps import Admin, RuntimeDep
from ..errors import problem_responses
from ..models import KeyIn, KeyOut, NewKeyOut, RowId

router = APIRouter(prefix="/v1/keys", tags=["keys"],
                   responses=problem_responses(401, 403, 404, 422, 429))


@router.post("", status_code=201, response_model=NewKeyOut, responses=problem_responses(400))
def new_key(body: KeyIn, rt: RuntimeDep, p: Admin):
    """Create a key; its secret is in this response only."""
    try:
        made = create_key(rt.engine.store, body.scope, member_id=body.member_id,
                          event=body.event, label=body.label)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return made.as_dict()


@router.get("", response_model=list[KeyOut])
def list_keys(rt: RuntimeDep, p: Admin):
    return [k.as_dict() for k in extra.keys(rt.engine.store)]


@router.delete("/{key_id}", status_code=204, response_class=Response)
def revoke(key_id: RowId, rt: RuntimeDep, p: Admin):
    extra.revoke_key(rt.engine.store, key_id)
    rt.forget_keys()
    return Response(status_code=204)

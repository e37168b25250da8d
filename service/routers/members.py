"""/v1/members: CRUD, listing with filters, bulk import."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from matcher.errors import NotFound, ValidationFailed
from matcher.importing import FORMATS, parse_file, parse_map, validate_records
from matcher.profiles import Member
from matcher.store import extra

from ..deps import Admin, Caller, RuntimeDep, forbid, host_can_see, host_event, require
from ..errors import problem_responses
from ..models import ImportOut, MemberIn, MemberOut, MemberPage, member_view

router = APIRouter(prefix="/v1/members", tags=["members"],
                   responses=problem_responses(401, 403, 404, 422, 429))

_CONTENT_TYPES = {"text/csv": "csv", "text/tab-separated-values": "csv",
                  "application/json": "json",
                  "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
                  "application/x-jsonlines": "jsonl",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}


def _validate_one(record: dict[str, Any]) -> Member:
    try:
        return Member.model_validate(record)
    except ValidationError:
        validate_records([record])  # raises ValidationFailed with row-style errors
        raise


@router.get("", response_model=MemberPage, response_model_exclude_unset=True)
def list_members(
    rt: RuntimeDep, p: Caller,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    role: Annotated[str | None, Query(max_length=40, description="the role used for matching")] = None,
    market: Annotated[str | None, Query(max_length=40)] = None,
    event: Annotated[str | None, Query(max_length=200, description="attendees of this event")] = None,
):
    """Members, id order; public fields unless the key is admin. Host keys must filter by
    their event; member keys may not list."""
    require(p, "admin", "app", "host")
    host_event(p, event)
    engine = rt.engine
    ids = engine.store.attendees(event) if event else None
    members = engine.store.members(ids)
    if role or market:
        with rt.lock:
            insights = engine.scorer(None).insights
        by_id = {r["member_id"]: r for r in insights}
        members = [m for m in members if m.id in by_id
                   and (not role or by_id[m.id]["role"] == role)
                   and (not market or by_id[m.id]["market"] == market)]
    page = members[offset:offset + limit]
    return {"data": [member_view(m, p.admin) for m in page], "count": len(members),
            "offset": offset, "limit": limit}


@router.post("", status_code=201, response_model=MemberOut, response_model_exclude_unset=True,
             responses=problem_responses(409))
def create_member(member: MemberIn, rt: RuntimeDep, p: Admin):
    """Create a member and embed its text (admin)."""
    try:
        rt.engine.store.member(member.id)
    except NotFound:
        pass
    else:
        raise HTTPException(409, f"member {member.id!r} exists already; use PUT or PATCH")
    with rt.lock:
        rt.engine.import_members([member])
    return member_view(member, True)


@router.post(
    "/import", response_model=ImportOut, responses=problem_responses(400, 413),
    openapi_extra={"requestBody": {"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"},
            "mapping": {"type": "string", "description": 'JSON object {"column": "field"}'}},
            "required": ["file"]}},
    }}},
)
async def import_members(
    request: Request, rt: RuntimeDep, p: Admin,
    format: Annotated[str | None, Query(pattern="^(csv|json|jsonl|xlsx)$")] = None,
    map: Annotated[list[str], Query(max_length=200, description=(
        '"Column=field", repeatable: which field a column of the file fills '
        "(a field, first_name, last_name, or - to leave it aside)"))] = [],  # noqa: B006
    event: Annotated[str | None, Query(max_length=200, description=(
        "make the rows attendees of this event; its remembered mapping applies and the "
        "given one is remembered"))] = None,
    dry_run: Annotated[bool, Query(description="report what would change; write nothing")] = False,
):
    """Bulk upsert from CSV (any common encoding and delimiter), Excel .xlsx, JSON or JSONL
    (body or multipart ``file``, with an optional ``mapping`` part); all-or-nothing: any bad
    row gives 422 listing every row error and writes nothing. Columns the file leaves out keep
    their stored values; the report lists the fields changed per member."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    mapping_part = None
    if ctype == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(400, "multipart body needs a 'file' part")
        data = await upload.read()
        fmt = format or _format_from_name(upload.filename or "")
        mapping_part = form.get("mapping")
    else:
        data = await request.body()
        fmt = format or _CONTENT_TYPES.get(ctype)
    if fmt not in FORMATS:
        raise HTTPException(400, "cannot tell the format: send Content-Type text/csv, "
                            "application/json, application/x-ndjson or the .xlsx type, "
                            "or ?format=")
    mapping = _mapping(map, mapping_part)

    def run():
        with rt.lock:
            saved = rt.engine.saved_mapping(event)
            parsed = parse_file(data, fmt, mapping=mapping, saved=saved)
            report = rt.engine.import_file(parsed, dry_run=dry_run, event=event)
            if not dry_run:
                rt.invalidate()
            return report

    return (await run_in_threadpool(run)).as_dict()


def _mapping(items: list[str], part) -> dict[str, str]:
    """``?map=`` items and a multipart ``mapping`` JSON object, as one column -> field dict."""
    try:
        mapping = parse_map(items)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    if part is None:
        return mapping
    text = part if isinstance(part, str) else part.file.read().decode("utf-8", "replace")
    try:
        obj = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        obj = None
    if not isinstance(obj, dict) or not all(isinstance(v, str) for v in obj.values()):
        raise HTTPException(422, 'the mapping part must be a JSON object {"column": "field"}')
    return {**mapping, **obj}


def _format_from_name(name: str) -> str | None:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"ndjson": "jsonl", "tsv": "csv", "txt": "csv"}.get(ext, ext) or None


@router.get("/{member_id}", response_model=MemberOut, response_model_exclude_unset=True)
def get_member(member_id: str, rt: RuntimeDep, p: Caller):
    """One member: private fields for admin and the member itself, else public ones.

    A member or host key asking for someone it may not read gets 403 whether or not the id
    exists (the check comes before the lookup)."""
    if p.scope == "member" and not p.is_member(member_id):
        raise forbid("a member key reads its own profile only")
    if p.scope == "host" and not host_can_see(rt, p, member_id):
        raise forbid("a host key reads its event's attendees only")
    member = rt.engine.store.member(member_id)
    return member_view(member, p.sees_private(member_id))


@router.put("/{member_id}", response_model=MemberOut, response_model_exclude_unset=True)
def replace_member(member_id: str, member: MemberIn, rt: RuntimeDep, p: Admin):
    """Replace a member's whole profile (admin); the body's id must match the path."""
    if member.id != member_id:
        raise HTTPException(400, "the body's id differs from the path's")
    rt.engine.store.member(member_id)
    rt.save_members([member])
    return member_view(member, True)


@router.patch("/{member_id}", response_model=MemberOut, response_model_exclude_unset=True)
def update_member(member_id: str, changes: dict[str, Any], rt: RuntimeDep, p: Admin):
    """Change some fields of a member (admin); the id cannot change."""
    current = rt.engine.store.member(member_id)
    if "id" in changes and changes["id"] != member_id:
        raise HTTPException(400, "the id cannot change")
    member = _validate_one(current.model_dump() | changes)
    rt.save_members([member])
    return member_view(member, True)


@router.delete("/{member_id}", status_code=204, response_class=Response)
def delete_member(member_id: str, rt: RuntimeDep, p: Admin):
    """Delete a member, their attendance and their introduction requests (admin); their
    keys are revoked (and would not work for a new member with the same id anyway)."""
    rt.engine.store.delete_member(member_id)
    extra.revoke_member_keys(rt.engine.store, member_id)
    rt.forget_keys()
    rt.invalidate()
    return Response(status_code=204)


__all__ = ["router", "ValidationFailed"]

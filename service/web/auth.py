"""Who is signed in to the pages, and CSRF protection for every form.

Signing in stores ``KEY.NONCE`` (the API key and a random per-sign-in nonce) in a cookie that
is ``Secure``, ``HttpOnly`` and ``SameSite=Strict``; each request checks the key like a bearer
key (so revoking the key signs every browser out too). Every POST form carries a hidden
``csrf`` field, ``HMAC-SHA256(server secret, purpose + cookie value)``: it differs per sign-in,
and a POST whose token does not match its cookie gets 403. Before sign-in the cookie is a random pre-session nonce, so the sign-in form
itself is protected (no login CSRF).

The server secret is ``$ROLECALL_WEB_SECRET`` when set (needed when several worker processes
serve the same site), else random per process: a restart only makes open forms stale.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Request

from ..deps import Principal, RuntimeDep
from ..throttle import client_of, throttle_of

SESSION = "rolecall_session"
PRESESSION = "rolecall_presession"
PAGE_SCOPES = ("admin", "host", "member")
MAX_AGE = 12 * 3600  # seconds a sign-in lasts
_SECRET = os.environ.get("ROLECALL_WEB_SECRET", "").encode() or secrets.token_bytes(32)


class SignInRequired(Exception):
    """No valid session cookie: the page route sends the browser to /signin."""


def csrf_token(cookie_value: str, purpose: str = "session") -> str:
    msg = f"{purpose}\0{cookie_value}".encode()
    return hmac.new(_SECRET, msg, hashlib.sha256).hexdigest()


def csrf_for(request: Request) -> str | None:
    """The token for the forms of this request's page (session, else pre-session)."""
    if getattr(request.state, "principal", None) is not None:
        return csrf_token(request.cookies[SESSION])
    pre = getattr(request.state, "presession", None) or request.cookies.get(PRESESSION)
    return csrf_token(pre, "presession") if pre else None


def valid_token(given: str, cookie_value: str | None, purpose: str = "session") -> bool:
    return bool(cookie_value) and hmac.compare_digest(given, csrf_token(cookie_value, purpose))


def cookie_flags() -> dict:
    return {"path": "/", "secure": True, "httponly": True, "samesite": "strict"}


def home_for(p: Principal) -> str:
    """Where a signed-in key lands."""
    if p.scope == "member":
        return "/me"
    return f"/host/{quote(p.event, safe='')}" if p.scope == "host" else "/host"


def session_value(key: str) -> str:
    """The session cookie for a sign-in with ``key`` (keys never contain a dot)."""
    return f"{key}.{secrets.token_urlsafe(16)}"


async def signed_in(request: Request, rt: RuntimeDep) -> Principal:
    """The session cookie's key, checked like a bearer key: a wrong one counts as a failed
    authentication, and a throttled client is sent to sign in without its key being checked."""
    key, _, nonce = request.cookies.get(SESSION, "").partition(".")
    if not (key and nonce):
        raise SignInRequired
    throttle, client = throttle_of(request), client_of(request)
    if throttle.retry_after(client) is not None:
        raise SignInRequired
    record = rt.verify(key)
    if record is None:
        throttle.failed(client)
    if record is None or record.scope not in PAGE_SCOPES:
        raise SignInRequired
    p = Principal(record.id, record.scope, record.member_id, record.event)
    request.state.principal = p
    return p


Visitor = Annotated[Principal, Depends(signed_in)]


async def checked_post(request: Request, p: Visitor,
                       csrf: Annotated[str, Form(max_length=200)] = "") -> Principal:
    """A signed-in POST whose form carries this session's CSRF token (else 403)."""
    if not valid_token(csrf, request.cookies.get(SESSION)):
        raise HTTPException(403, "This form has expired or did not come from this site; "
                                 "reload the page and try again.")
    return p


Poster = Annotated[Principal, Depends(checked_post)]


def _host(event: str, p: Principal) -> Principal:
    if p.admin or (p.scope == "host" and p.event == event):
        return p
    raise HTTPException(403, f"This key may not manage event {event!r}.")


def _member(p: Principal) -> Principal:
    if p.scope != "member":
        raise HTTPException(403, "These pages are for members: sign in with a member key.")
    return p


async def host_visitor(event: str, p: Visitor) -> Principal:
    return _host(event, p)


async def host_poster(event: str, p: Poster) -> Principal:
    return _host(event, p)


async def member_visitor(p: Visitor) -> Principal:
    return _member(p)


async def member_poster(p: Poster) -> Principal:
    return _member(p)


HostVisitor = Annotated[Principal, Depends(host_visitor)]
HostPoster = Annotated[Principal, Depends(host_poster)]
MemberVisitor = Annotated[Principal, Depends(member_visitor)]
MemberPoster = Annotated[Principal, Depends(member_poster)]

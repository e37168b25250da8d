"""/, /signin and /signout."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request

from ..deps import Principal
from ..throttle import client_of, throttle_of
from .auth import (
    MAX_AGE,
    PAGE_SCOPES,
    PRESESSION,
    SESSION,
    Poster,
    SignInRequired,
    cookie_flags,
    home_for,
    session_value,
    signed_in,
    valid_token,
)
from .pages import PageRoute, render, see_other

router = APIRouter(route_class=PageRoute)


async def _current(request: Request):
    try:
        return await signed_in(request, request.app.state.runtime)
    except SignInRequired:
        return None


@router.get("/")
async def home(request: Request):
    p = await _current(request)
    return see_other(home_for(p) if p else "/signin")


@router.get("/signin")
async def signin_form(request: Request):
    p = await _current(request)
    if p is not None:
        return see_other(home_for(p))
    return _form(request)


def _form(request: Request, error: str | None = None, status: int = 200):
    pre = request.cookies.get(PRESESSION)
    if not pre:
        pre = request.state.presession = secrets.token_urlsafe(32)
    response = render(request, "signin.html", status, error=error)
    response.set_cookie(PRESESSION, pre, max_age=3600, **cookie_flags())
    return response


@router.post("/signin")
async def signin(request: Request, key: Annotated[str, Form(max_length=200)] = "",
                 csrf: Annotated[str, Form(max_length=200)] = ""):
    """Check the key; on success keep it in the session cookie and go to the key's home.
    Too many wrong keys from one client: 429 with ``Retry-After``, the key unchecked."""
    if not valid_token(csrf, request.cookies.get(PRESESSION), "presession"):
        raise HTTPException(403, "This sign-in form has expired; reload the page and try again.")
    throttle, client = throttle_of(request), client_of(request)
    wait = throttle.retry_after(client)
    if wait is not None:
        response = _form(request, f"Too many wrong keys from this address; try again in {wait} "
                                  "seconds.", 429)
        response.headers["Retry-After"] = str(wait)
        return response
    key = key.strip()
    record = request.app.state.runtime.verify(key) if key else None
    if record is None:
        if key:  # an empty form is no guess
            throttle.failed(client)
        return _form(request, "That key is not valid (or was revoked).", 401)
    if record.scope not in PAGE_SCOPES:
        return _form(request, f"A key with scope {record.scope!r} cannot sign in here; "
                              "use a host, member or admin key.", 403)
    p = Principal(record.id, record.scope, record.member_id, record.event)
    response = see_other(home_for(p))
    response.set_cookie(SESSION, session_value(key), max_age=MAX_AGE, **cookie_flags())
    response.delete_cookie(PRESESSION, **cookie_flags())
    return response


@router.post("/signout")
async def signout(p: Poster):
    response = see_other("/signin")
    response.delete_cookie(SESSION, **cookie_flags())
    return response

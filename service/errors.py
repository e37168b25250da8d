"""RFC 9457 problem details, the request-id / body-limit middleware, and exception handlers.

Every response carries ``X-Request-ID``; every problem body carries ``request_id`` too.
Unexpected exceptions become a bare 500 problem (no trace) and are logged with the id.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from matcher.errors import NotFound, ValidationFailed

log = logging.getLogger("rolecall.service")
PROBLEM = "application/problem+json"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class FieldError(BaseModel):
    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str = "value_error"


class Problem(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for problem statuses."""
    return {c: {"model": Problem, "content": {PROBLEM: {}},
                "description": HTTPStatus(c).phrase} for c in codes}


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"the request body is larger than {limit} bytes")


def problem(request_or_scope, status: int, detail: str | None = None, *,
            errors: list[dict] | None = None, title: str | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    scope = request_or_scope.scope if isinstance(request_or_scope, Request) else request_or_scope
    rid = scope.get("state", {}).get("request_id")
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": scope.get("path"),
        "request_id": rid,
    }
    if errors is not None:
        body["errors"] = errors
    hdrs = dict(headers or {})
    if rid:
        hdrs["X-Request-ID"] = rid
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=hdrs)


def _validation_errors(exc: RequestValidationError) -> list[dict]:
    out = []
    for e in exc.errors():
        out.append({"loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
                    "msg": str(e.get("msg", "")), "type": str(e.get("type", "value_error"))})
    return out


def row_errors(exc: ValidationFailed) -> list[dict]:
    return [{"loc": ["body", e.row, e.field], "msg": e.message, "type": "row_error",
             "row": e.row, "field": e.field} for e in exc.errors]


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        return problem(request, exc.status_code, str(exc.detail) if exc.detail else None,
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return problem(request, 422, "the request is not valid", errors=_validation_errors(exc))

    @app.exception_handler(ValidationFailed)
    async def _rows(request: Request, exc: ValidationFailed):
        return problem(request, 422, str(exc).splitlines()[0], errors=row_errors(exc))

    @app.exception_handler(NotFound)
    async def _missing(request: Request, exc: NotFound):
        return problem(request, 404, str(exc))


class RequestContext:
    """Pure ASGI middleware: request id, body size limit, last-resort 500."""

    def __init__(self, app, max_body: int):
        self.app, self.max_body = app, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        rid = headers.get("x-request-id", "")
        rid = rid if _SAFE_ID.match(rid) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        started = False

        async def send_with_id(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                hdrs = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": hdrs + [(b"x-request-id", rid.encode())]}
            await send(message)

        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return await problem(scope, 400, "invalid Content-Length")(scope, receive, send)
            if int(length) > self.max_body:
                return await _too_large(scope, receive, send, self.max_body)
        seen = 0

        async def counting_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        try:
            await self.app(scope, counting_receive, send_with_id)
        except BodyTooLarge:
            if not started:
                await _too_large(scope, receive, send, self.max_body)
        except Exception:
            log.exception("unhandled error in %s %s [request_id=%s]",
                          scope.get("method"), scope.get("path"), rid)
            if not started:
                await problem(scope, 500, "an internal error occurred; quote the request id "
                              "when reporting it")(scope, receive, send)


async def _too_large(scope, receive, send, limit: int):
    await problem(scope, 413, f"the request body is larger than {limit} bytes")(
        scope, receive, send)


def fix_openapi_422(schema: dict) -> dict:
    """FastAPI documents 422 as its own HTTPValidationError; ours is a problem document."""
    ref = {"$ref": "#/components/schemas/Problem"}
    for path in schema.get("paths", {}).values():
        for op in path.values():
            responses = op.get("responses", {})
            if "422" in responses:
                responses["422"] = {"description": "Validation Error",
                                    "content": {PROBLEM: {"schema": ref}}}
    comps = schema.setdefault("components", {}).setdefault("schemas", {})
    comps.pop("HTTPValidationError", None)
    comps.pop("ValidationError", None)
    return json.loads(json.dumps(schema))

"""Rendering: the Jinja2 environment, a page route class that turns errors into HTML pages,
and the security headers every page carries."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from matcher.errors import NotFound

from .auth import SignInRequired, csrf_for

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.trim_blocks = templates.env.lstrip_blocks = True


def q(value) -> str:
    """``value`` as one URL path segment (event names may hold spaces or slashes)."""
    return quote(str(value), safe="")


templates.env.filters["q"] = q

# No scripts at all; charts are data: images; forms post to this site only.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def render(request: Request, template: str, status_code: int = 200, **context) -> Response:
    """``template`` with the signed-in caller (``me``) and the CSRF token for its forms."""
    context.setdefault("me", getattr(request.state, "principal", None))
    context.setdefault("csrf", csrf_for(request))
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", status, status=status, message=message)


def see_other(url: str) -> RedirectResponse:
    """The redirect after a successful POST (the browser then GETs ``url``)."""
    return RedirectResponse(url, status_code=303)


class PageRoute(APIRoute):
    """A route whose errors are HTML pages (not problem JSON): no sign-in sends the browser
    to /signin; 403, 404, 409 and 422 render ``error.html`` with the reason."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired:
                response = see_other("/signin")
            except HTTPException as exc:
                response = error_page(request, exc.status_code, str(exc.detail))
            except NotFound as exc:
                response = error_page(request, 404, str(exc))
            except RequestValidationError as exc:
                problems = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())
                response = error_page(request, 422, f"The form is not valid: {problems}")
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return page_handler

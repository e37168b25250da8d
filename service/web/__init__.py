"""Server-rendered pages for the meetup host and the members: Jinja2 templates and plain
HTML forms (no JavaScript), signed in with an API key kept in a cookie.

Mount with ``app.include_router(web.router, include_in_schema=False)`` and
``app.mount("/static", web.static_files(), name="static")``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from . import host, member, pairings, signin, upload_preview
from .pages import STATIC_DIR, PageRoute

router = APIRouter(route_class=PageRoute)
for _module in (signin, host, upload_preview, pairings, member):
    router.include_router(_module.router)


def static_files() -> StaticFiles:
    """The pages' stylesheet."""
    return StaticFiles(directory=STATIC_DIR)


__all__ = ["router", "static_files"]

"""The FastAPI application: ``create_app(db=None)`` and a module-level ``app``.

Run with ``matcher serve`` or ``uvicorn service.app:app``. OpenAPI at /openapi.json, docs at
/docs. The Engine and its Store are opened once, in the lifespan.
"""

from __future__ import annotations

import logging
import sys
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from matcher import __version__
from matcher.embedding import OnnxEncoder
from matcher.engine import Engine
from matcher.store import Store

from . import errors, web
from .deps import Runtime
from .routers import events, intros, keys, members, pairings, recs
from .settings import Settings
from .throttle import Throttle

log = logging.getLogger("rolecall.service")
WARM_K = 10  # the default k of GET /v1/members/{id}/recommendations
SWITCH_INTERVAL = 0.0005  # seconds (Python's default: 0.005)
ENCODER_THREADS = 1


def create_app(db: str | None = None, *, settings: Settings | None = None,
               encoder=None) -> FastAPI:
    """An app on database ``db`` (default: $ROLECALL_DB, else ./rolecall.db).

    ``encoder`` replaces the default ONNX encoder (tests share one); it is loaded lazily by
    the engine the first time a new text needs a vector, never per request.
    """
    settings = settings or Settings.from_env(db)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # memoised answers are sent from the event loop while background threads refit after
        # edits: a short GIL switch interval keeps the loop from waiting 5 ms for each turn
        switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        store = Store(settings.db)
        # one thread per encoding: a profile edit's few texts never take both cores (nor
        # keep ONNX Runtime's thread pool spinning) while the event loop serves reads
        engine = Engine(store, encoder=encoder if encoder is not None
                        else OnnxEncoder(threads=ENCODER_THREADS))
        rt = Runtime(engine, settings.key_cache_seconds,
                     warm_k=WARM_K if settings.warm else None, worker=settings.warm)
        app.state.runtime = rt
        if settings.warm and store.count_members() > 1:
            engine.encoder.encode(["rolecall"])  # load the model now, not on the first edit
            engine.scorer(None)
            rt.warm()  # every member's recommendations, in the background
        try:
            yield
        finally:
            rt.close()
            store.close()
            sys.setswitchinterval(switch)

    app = FastAPI(
        title="rolecall", version=__version__, lifespan=lifespan,
        description="Role clarity and matchmaking for business networking meetups. "
                    "Authenticate with `Authorization: Bearer KEY`.",
    )
    app.state.settings = settings
    app.state.throttle = Throttle(settings.auth_failures, settings.auth_window)
    errors.install(app)
    for module in (members, recs, events, pairings, intros, keys):
        app.include_router(module.router)
    app.include_router(web.router, include_in_schema=False)  # pages stay out of OpenAPI
    app.mount("/static", web.static_files(), name="static")
    app.add_middleware(errors.RequestContext, max_body=settings.max_body)

    @app.get("/v1/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness, how far the start-up computation of recommendations has got, how many
        memoised answers are stale (being recomputed after a profile edit) and what the newest
        such recomputation did (members edited, answers kept and recomputed, seconds)."""
        rt = app.state.runtime
        return {"status": "ok", "version": __version__, "warm": rt.warm_progress,
                "stale": rt.stale_count(), "refresh": rt.last_refresh}

    def openapi():
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer"}}
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = errors.fix_openapi_422(schema)
        return app.openapi_schema

    app.openapi = openapi
    return app


app = create_app()

"""``matcher serve`` (the HTTP API through uvicorn) and ``matcher keys create``."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import JsonOpt, app, engine_session, guarded, out, print_json, state

keys_app = typer.Typer(help="Manage API keys for the HTTP service.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@app.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="uvicorn worker processes.")] = 1,
    warm: Annotated[bool, typer.Option(
        help="Fit the scorer at start-up and compute recommendations ahead.")] = True,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import os

    import uvicorn

    if state.db:
        os.environ["ROLECALL_DB"] = state.db  # the app reads it, also in worker processes
    os.environ["ROLECALL_WARM"] = "1" if warm else "0"
    if workers > 1:
        uvicorn.run("service.app:app", host=host, port=port, workers=workers)
    else:
        from service.app import create_app

        uvicorn.run(create_app(state.db), host=host, port=port)


@keys_app.command("create")
def keys_create(
    scope: Annotated[str, typer.Option("--scope", help="admin, host, member or app")],
    member: Annotated[str | None, typer.Option("--member", help="member id (member keys)")] = None,
    event: Annotated[str | None, typer.Option("--event", help="event name (host keys)")] = None,
    label: Annotated[str, typer.Option("--label", help="a note on who holds the key")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create an API key; the secret is printed once and stored only as a hash."""
    from ..keys import create_key

    with guarded(as_json), engine_session() as engine:
        made = create_key(engine.store, scope, member_id=member, event=event, label=label)
    if as_json:
        print_json(made.as_dict())
    else:
        out.print(f"API key {made.record.id} ({scope}); shown only once:")
        print(made.secret)

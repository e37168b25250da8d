"""The ``matcher`` command: Typer app, global options and shared helpers.

JSON output (``--json``) is a contract other tools parse; docs/cli-json.md in the README
lists its shapes. Human output goes to stdout through rich; progress and errors to stderr.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console

from .. import __version__
from ..errors import RolecallError, ValidationFailed

app = typer.Typer(
    name="matcher",
    help="rolecall: role clarity and introductions for business meetups.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


class State:
    db: str | None = None


state = State()


def _version(value: bool) -> None:
    if value:
        print(f"rolecall {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database file or SQLAlchemy URL [env ROLECALL_DB; ./rolecall.db]"),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    state.db = db


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


@contextmanager
def engine_session(db: str | None = None):
    """An :class:`~matcher.engine.Engine` on the chosen store, closed afterwards."""
    from ..engine import Engine
    from ..store import Store

    store = Store(db or state.db)
    try:
        yield Engine(store)
    finally:
        store.close()


def fail(exc: Exception, *, as_json: bool) -> None:
    """Report an expected error and exit 1 (JSON to stdout with --json, else stderr)."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else []
    if as_json:
        print_json({
            "error": str(exc).splitlines()[0],
            "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in errors],
        })
    else:
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
    raise typer.Exit(1)


def guarded(as_json: bool):
    """Context manager turning engine errors into a clean exit 1."""

    @contextmanager
    def _guard():
        try:
            yield
        except (RolecallError, ValueError) as exc:
            fail(exc, as_json=as_json)

    return _guard()

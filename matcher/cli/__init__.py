"""Command line interface: ``matcher``. Each module registers its commands on ``app``."""

from . import communities, demo, events, match, members, roles, service  # noqa: F401  (registers commands)
from .app import app


def main() -> None:
    app()


__all__ = ["app", "main"]

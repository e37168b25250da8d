"""Service settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from matcher.store import resolve_db

MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """``db``: file or SQLAlchemy URL ($ROLECALL_DB, else ./rolecall.db);
    ``max_body``: request body limit in bytes ($ROLECALL_MAX_BODY, default 5 MB);
    ``warm``: build the recommendation scorer at start-up and compute every member's
    recommendations ahead, in the background ($ROLECALL_WARM=1; ``matcher serve`` sets it);
    ``auth_failures`` / ``auth_window``: a client that fails to authenticate this many times
    within this many seconds gets 429 until the window ends ($ROLECALL_AUTH_FAILURES,
    default 20; $ROLECALL_AUTH_WINDOW, default 60; see :mod:`service.throttle`)."""

    db: str = field(default_factory=resolve_db)
    max_body: int = 5 * MB
    warm: bool = False
    key_cache_seconds: float = 30.0
    auth_failures: int = 20
    auth_window: float = 60.0

    @classmethod
    def from_env(cls, db: str | None = None) -> Settings:
        return cls(
            db=resolve_db(db),
            max_body=int(os.environ.get("ROLECALL_MAX_BODY", 5 * MB)),
            warm=os.environ.get("ROLECALL_WARM", "") not in ("", "0", "false"),
            auth_failures=int(os.environ.get("ROLECALL_AUTH_FAILURES", 20)),
            auth_window=float(os.environ.get("ROLECALL_AUTH_WINDOW", 60.0)),
        )

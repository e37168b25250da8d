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
    recommendations ahead, in the background ($ROLECALL_WARM=1; ``matcher serve`` sets it)."""

    db: str = field(default_factory=resolve_db)
    max_body: int = 5 * MB
    warm: bool = False
    key_cache_seconds: float = 30.0

    @classmethod
    def from_env(cls, db: str | None = None) -> Settings:
        return cls(
            db=resolve_db(db),
            max_body=int(os.environ.get("ROLECALL_MAX_BODY", 5 * MB)),
            warm=os.environ.get("ROLECALL_WARM", "") not in ("", "0", "false"),
        )

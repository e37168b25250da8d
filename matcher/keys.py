"""API keys: a random secret shown once, stored only as its sha256.

A key has one scope:

``admin``  everything.
``host``   bound to one event name: manages that event, reads its attendees' public data.
``member`` bound to one member id: reads its own profile (with private fields) and its own
           recommendations, asks for and answers introductions, leaves feedback.
``app``    read-only public data.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from .store import Store, extra
from .store.extra import KeyRecord

SCOPES: tuple[str, ...] = ("admin", "host", "member", "app")
PREFIX = "rc_"


@dataclass(frozen=True)
class NewKey:
    """A freshly created key: ``secret`` exists only here, never in the store."""

    secret: str
    record: KeyRecord

    def as_dict(self) -> dict:
        r = self.record
        return {"key": self.secret, "scope": r.scope, "member_id": r.member_id,
                "event": r.event, "id": r.id}


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(store: Store, scope: str, *, member_id: str | None = None,
               event: str | None = None, label: str = "") -> NewKey:
    """Create a key; ``member`` keys need ``member_id`` (which must exist), ``host`` keys
    need ``event``."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; expected one of {', '.join(SCOPES)}")
    if scope == "member":
        if not member_id:
            raise ValueError("a member key needs a member id")
        store.member(member_id)  # NotFound if unknown
    elif member_id:
        raise ValueError(f"only member keys take a member id, not {scope} keys")
    if scope == "host" and not event:
        raise ValueError("a host key needs an event name")
    if scope != "host" and event:
        raise ValueError(f"only host keys take an event, not {scope} keys")
    secret = PREFIX + secrets.token_urlsafe(32)
    record = extra.add_key(store, key_hash=hash_secret(secret), prefix=secret[:10], scope=scope,
                           member_id=member_id, event=event, label=label)
    return NewKey(secret, record)


def verify_key(store: Store, secret: str) -> KeyRecord | None:
    """The live key whose secret this is, or None."""
    if not secret or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    found = extra.key_by_hash(store, digest)
    if found is None:
        return None
    stored, record = found
    return record if hmac.compare_digest(stored, digest) else None


__all__ = ["SCOPES", "KeyRecord", "NewKey", "create_key", "hash_secret", "verify_key"]

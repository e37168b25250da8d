"""Stable member ids for files that have none.

The id is a short hash of the email (or, without one, of name and company), so the next
export of the same list updates the same members instead of adding them again. The email
itself never becomes the id: ids are public, emails are not.

>>> derive_id({"email": " Ana@Example.com "}) == derive_id({"email": "ana@example.com"})
True
>>> derive_id({"name": "Ana  López", "company": "Acme"})[1]
'name and company'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

PREFIX = "p-"


def _fold(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    return re.sub(r"\s+", " ", text).strip()


def derive_id(record: dict[str, Any]) -> tuple[str | None, str]:
    """``(id, basis)`` where basis is "email" or "name and company"; ``(None, "")`` when the
    record has neither an email nor a name."""
    email = _fold(record.get("email"))
    if email:
        key, basis = f"email:{email}", "email"
    elif _fold(record.get("name")):
        key, basis = f"name:{_fold(record.get('name'))}|{_fold(record.get('company'))}", \
            "name and company"
    else:
        return None, ""
    return PREFIX + hashlib.sha256(key.encode()).hexdigest()[:12], basis

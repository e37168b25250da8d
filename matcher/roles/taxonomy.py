"""The five meetup roles as data (``data/roles.json``): descriptions, needs, capabilities,
the questions that tell two roles apart, and the default synergy matrix (hosts override it
per event)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..profiles import ROLES, normalise_role

ROLES_FILE = Path(__file__).resolve().parents[2] / "data" / "roles.json"


@dataclass(frozen=True)
class Taxonomy:
    """Attributes
    ----------
    roles : dict of role id -> dict (label, description, why_here, typical_needs, ...)
    synergy : ndarray of shape (5, 5), symmetric, values in [0, 1], in :data:`ROLES` order
    reasons : dict of (role, role) -> one-line reason
    questions : dict of frozenset({role, role}) -> the question that decides between them
    """

    roles: dict
    synergy: np.ndarray
    reasons: dict
    questions: dict

    def index(self, role: str) -> int:
        return ROLES.index(role)

    def question(self, a: str, b: str) -> str:
        return self.questions[frozenset((a, b))]

    def with_overrides(self, overrides: dict | None) -> Taxonomy:
        """A copy whose synergy values are replaced by ``{"a": {"b": value}}`` (symmetric)."""
        if not overrides:
            return self
        synergy = self.synergy.copy()
        for a, row in overrides.items():
            for b, value in row.items():
                ia, ib = ROLES.index(normalise_role(a)), ROLES.index(normalise_role(b))
                value = float(value[0] if isinstance(value, list | tuple) else value)
                if not 0.0 <= value <= 1.0:
                    raise ValueError(f"synergy {a}->{b} must be within [0, 1], got {value!r}")
                synergy[ia, ib] = synergy[ib, ia] = value
        return Taxonomy(self.roles, synergy, self.reasons, self.questions)


@lru_cache(maxsize=1)
def load_taxonomy(path: Path = ROLES_FILE) -> Taxonomy:
    doc = json.loads(Path(path).read_text())
    if set(doc["roles"]) != set(ROLES):
        raise ValueError(f"{path}: roles must be exactly {ROLES}, got {sorted(doc['roles'])}")
    synergy = np.zeros((len(ROLES), len(ROLES)))
    reasons = {}
    for a in ROLES:
        for b in ROLES:
            value, reason = doc["synergy"][a][b]
            synergy[ROLES.index(a), ROLES.index(b)] = value
            reasons[(a, b)] = reason
    if not np.allclose(synergy, synergy.T):
        raise ValueError(f"{path}: the synergy matrix must be symmetric")
    questions = {frozenset(k.split("|")): q for k, q in doc["questions"].items()}
    return Taxonomy(doc["roles"], synergy, reasons, questions)

"""Role assessment of members: declared vs inferred role, confidence, ambiguity (with the one
question that would decide it) and flagged disagreements (with the reason)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..profiles import ROLES
from .classifier import RoleClassifier
from .taxonomy import Taxonomy

AMBIGUITY_MARGIN = 0.15  # top-two probability gap under which we ask rather than guess
MISMATCH_CONFIDENCE = 0.6  # the model must be this sure of another role to flag a declared one
MISMATCH_DECLARED_MAX = 0.15  # ... and give the declared role at most this


@dataclass
class RoleAssessment:
    member_id: str
    declared_role: str | None
    inferred_role: str
    role: str
    confidence: float
    probabilities: dict[str, float]
    ambiguous: bool
    question: str | None
    mismatch: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def assess(
    member_ids: list[str],
    declared: list[str | None],
    proba: np.ndarray,
    *,
    profiles: np.ndarray,
    industry_titles: list[str],
    markets: list[str],
    model: RoleClassifier,
    taxonomy: Taxonomy,
) -> list[RoleAssessment]:
    """Turn model probabilities (n, 5) into one assessment per member."""
    out = []
    for i, mid in enumerate(member_ids):
        p = proba[i]
        order = np.argsort(-p)
        top, second = ROLES[order[0]], ROLES[order[1]]
        role = declared[i] or top
        gap = float(p[order[0]] - p[order[1]])
        ambiguous = declared[i] is None and gap < AMBIGUITY_MARGIN
        mismatch = None
        if (declared[i] and declared[i] != top and p[order[0]] >= MISMATCH_CONFIDENCE
                and p[ROLES.index(declared[i])] <= MISMATCH_DECLARED_MAX):
            example, _ = model.nearest_exemplar(profiles[i], top)
            mismatch = (
                f"You said {declared[i]}; your profile reads like a {top} "
                f"({p[order[0]]:.0%} sure) because your industry, {industry_titles[i]}, "
                f"serves {markets[i]}, and it is closest to profiles such as \"{_clip(example)}\". "
                f"{taxonomy.question(declared[i], top)}"
            )
        out.append(RoleAssessment(
            member_id=mid, declared_role=declared[i], inferred_role=top, role=role,
            confidence=round(float(p[ROLES.index(role)]), 4),
            probabilities={r: round(float(v), 4) for r, v in zip(ROLES, p, strict=True)},
            ambiguous=ambiguous,
            question=taxonomy.question(top, second) if ambiguous else None,
            mismatch=mismatch,
        ))
    return out


def _clip(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"

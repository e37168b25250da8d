"""Role assessment of members: declared vs inferred role, confidence, ambiguity (with the one
question that would decide it) and flagged disagreements (with the reason).

Confidence is the calibrated probability of the role used, shown at most :data:`CONFIDENCE_CAP`
(a text-only reading is never certain). The sentence that explains a disagreement names only
evidence *for* the inferred role: the market clause appears only when the market supports it
(consumers for non-b2b-rep, businesses for b2b-provider), then the profile's own words that
favour it over the declared role, then the closest labelled profile of that role.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..profiles import ROLES
from .classifier import RoleClassifier
from .taxonomy import Taxonomy

AMBIGUITY_MARGIN = 0.15  # top-two probability gap under which we ask rather than guess
MISMATCH_CONFIDENCE = 0.6  # the model must be this sure of another role to flag a declared one
MISMATCH_DECLARED_MAX = 0.15  # ... and give the declared role at most this
CONFIDENCE_CAP = 0.95  # never shown surer than this
SUPPORTING_MARKET = {"non-b2b-rep": "consumers", "b2b-provider": "businesses"}


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


def shown_confidence(p: float) -> float:
    """The confidence shown for a probability: rounded, and capped at CONFIDENCE_CAP."""
    return round(min(float(p), CONFIDENCE_CAP), 4)


def mismatch_reason(declared: str, top: str, p_top: float, *, market: str, industry: str,
                    occupation: str | None, cues: list[str], example: str,
                    taxonomy: Taxonomy) -> str:
    """The sentence flagging a declared role: evidence for ``top`` only, never for ``declared``."""
    reasons = []
    if SUPPORTING_MARKET.get(top) == market:
        who = f"your occupation ({occupation})" if occupation else f"your industry, {industry},"
        reasons.append(f"{who} serves {market}")
    if cues:
        reasons.append("your profile says " + ", ".join(f'"{c}"' for c in cues))
    reasons.append(f"it is closest to profiles such as \"{_clip(example)}\"")
    return (f"You said {declared}; your profile reads like a {top} "
            f"({shown_confidence(p_top):.0%} likely) because " + "; ".join(reasons) + ". "
            f"{taxonomy.question(declared, top)}")


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
    texts: list[str] | None = None,
    occupations: list[str] | None = None,
) -> list[RoleAssessment]:
    """Turn model probabilities (n, 5) into one assessment per member. ``texts``: the profile
    texts (for the words that support a flagged role); ``occupations``: O*NET titles read."""
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
            cues = model.cue_words(texts[i], top, declared[i]) if texts else []
            mismatch = mismatch_reason(
                declared[i], top, float(p[order[0]]), market=markets[i],
                industry=industry_titles[i], occupation=occupations[i] if occupations else None,
                cues=cues, example=example, taxonomy=taxonomy)
        out.append(RoleAssessment(
            member_id=mid, declared_role=declared[i], inferred_role=top, role=role,
            confidence=shown_confidence(p[ROLES.index(role)]),
            probabilities={r: round(float(v), 4) for r, v in zip(ROLES, p, strict=True)},
            ambiguous=ambiguous,
            question=taxonomy.question(top, second) if ambiguous else None,
            mismatch=mismatch,
        ))
    return out


def _clip(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"

"""The specificity coach: how specific is a member's specialty, and how to make it more so.

Score in [0, 1], from four parts (weights below):

- *concrete detail*: says whom it serves (not just "businesses"), where, and enough words to
  name a problem or a result.
- *distance from generic phrasing*: cosine to stock vague phrases ("strategy consultant for
  growing businesses", "I help people succeed") and to the bare title of its own NAICS industry
  (a specialty that only restates its industry's name adds nothing).
- *industry clarity*: how confidently the specialty maps onto one NAICS industry; vague text
  ("I help people succeed") matches no trade well.
- *distinctiveness in the community*: falls as the cosine to the most similar other member's
  specialty rises past 0.7; near-identical profiles are easily confused with each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

GENERIC_PHRASES = (
    "Strategy consultant for growing businesses",
    "I help people succeed",
    "Entrepreneur open to opportunities",
    "Business coach",
    "Solutions provider for companies",
    "Helping clients reach their goals",
    "Connector who loves meeting people",
)
GENERIC_AUDIENCE = {
    "business", "businesses", "company", "companies", "people", "clients", "client",
    "customers", "everyone", "anyone", "individuals", "organizations", "organisations",
    "owners", "leaders", "entrepreneurs", "others", "folks", "them", "you", "success",
}
WEIGHTS = {"detail": 0.4, "generic": 0.3, "industry": 0.2, "community": 0.1}
_WHOM = re.compile(
    r"\b(?:for|helping|help|serving|serve|with|specializ\w+ in|specialis\w+ in|"
    r"(?:clients|customers|patients) (?:are|include))\s+((?:[\w'-]+\s+){0,3}[\w'-]+)", re.I)
_WHERE = re.compile(r"\b(?:in|across|around|near|throughout|on|at)\s+(?:the\s+)?[A-Z][\w.-]+")
_WORD = re.compile(r"[A-Za-z][\w'-]+")


@dataclass
class Specificity:
    member_id: str
    score: float
    parts: dict[str, float]
    suggestions: list[str]
    confused_with: list[dict] = field(default_factory=list)


def _detail(text: str, location: str) -> tuple[float, dict[str, bool]]:
    words = _WORD.findall(text)
    whom = any(
        any(w.lower() not in GENERIC_AUDIENCE and len(w) > 2 for w in m.group(1).split())
        for m in _WHOM.finditer(text)
    )
    city = location.split(",")[0].strip().lower() if location else ""
    where = bool(_WHERE.search(text)) or (bool(city) and city in text.lower())
    enough = min(len(words) / 12.0, 1.0)
    flags = {"whom": whom, "where": where, "enough_words": enough >= 1.0}
    return (whom + where + enough) / 3.0, flags


def specificity(
    member_ids: list[str],
    names: list[str],
    texts: list[str],
    locations: list[str],
    specialty: np.ndarray,
    generic: np.ndarray,
    industry_titles: np.ndarray,
    industry_confidence: np.ndarray,
    *,
    n_confused: int = 3,
) -> list[Specificity]:
    """Score every member's specialty.

    Parameters
    ----------
    specialty : ndarray of shape (n, 384), the members' specialty vectors (unit rows)
    generic : ndarray of shape (g, 384), vectors of :data:`GENERIC_PHRASES`
    industry_titles : ndarray of shape (n, 384), each member's own NAICS industry title vector
    industry_confidence : ndarray of shape (n,), confidence of each member's NAICS match
    """
    n = len(member_ids)
    sims = specialty @ specialty.T
    np.fill_diagonal(sims, np.nan)
    nearest = np.nanmax(sims, axis=1) if n > 1 else np.zeros(n)
    community = 1.0 - np.clip((nearest - 0.7) / 0.25, 0.0, 1.0)
    generic_sim = np.maximum((specialty @ generic.T).max(axis=1),
                             (specialty * industry_titles).sum(axis=1))
    generic_part = np.clip((0.65 - generic_sim) / 0.35, 0.0, 1.0)
    clarity = np.clip(np.asarray(industry_confidence, dtype=float) / 0.7, 0.0, 1.0)
    out = []
    for i in range(n):
        detail, flags = _detail(texts[i], locations[i])
        parts = {"detail": float(detail), "generic": float(generic_part[i]),
                 "industry": float(clarity[i]), "community": float(community[i])}
        score = sum(WEIGHTS[k] * v for k, v in parts.items())
        tips = []
        if not flags["whom"]:
            tips.append("Say whom you serve: a kind of customer, e.g. 'for independent dental "
                        "clinics' or 'for first-time home buyers', not just 'businesses'.")
        if not flags["where"]:
            place = locations[i].split(",")[0] if locations[i] else "your town or region"
            tips.append(f"Say where you work, e.g. 'in {place}'.")
        if not flags["enough_words"]:
            tips.append("Name the problem you solve or the result you deliver, e.g. "
                        "'month-end close in five days' or 'leak repairs within 24 hours'.")
        if generic_sim[i] > 0.55:
            tips.append("Your wording could describe many people here; name your trade and "
                        "what makes you different.")
        row = np.nan_to_num(sims[i], nan=-1.0)
        near = np.argsort(-row)[:n_confused] if n > 1 else []
        confused = [{"member_id": member_ids[j], "name": names[j], "similarity": round(float(row[j]), 3)}
                    for j in near if row[j] > 0.5]
        if confused and row[near[0]] > 0.75:
            tips.append(f"You are easily confused with {confused[0]['name']}: say what sets you apart.")
        out.append(Specificity(member_ids[i], round(float(score), 4),
                               {k: round(v, 4) for k, v in parts.items()}, tips, confused))
    return out

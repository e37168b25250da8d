"""Towns a phrase names, among the towns of a community's members.

A need tied to a place ("restaurant owners in East Austin") is not met by an offer tied to
another ("introductions to restaurant operators in San Antonio"), however alike the two
phrases read to an embedding: :func:`matcher.reasons.claimed` makes no claim then. The towns
are the members' own locations (the part before the first comma), so nothing here is a list
kept by hand.

Examples
--------
>>> towns = Towns().fit(["Austin, TX", "San Antonio, TX", "Round Rock, TX", ""])
>>> sorted(towns.named("restaurant and cafe owners in East Austin"))
['austin']
>>> towns.conflict("owners in Round Rock and north Austin", "operators in San Antonio")
True
>>> towns.conflict("owners in Austin", "monthly bookkeeping")  # one side names no town
False
"""

from __future__ import annotations

import re

MIN_LETTERS = 3  # shorter "towns" (typos, state codes typed as a town) name nothing


class Towns:
    """The towns of a community and which of them a text names."""

    def fit(self, locations: list[str]) -> Towns:
        names = {loc.split(",")[0].strip().lower() for loc in locations}
        self.towns_ = sorted(t for t in names if len(t) >= MIN_LETTERS)
        alternatives = "|".join(re.escape(t) for t in sorted(self.towns_, key=len, reverse=True))
        self.pattern_ = re.compile(rf"\b(?:{alternatives})\b") if alternatives else None
        return self

    def named(self, text: str) -> frozenset[str]:
        """The community's towns that ``text`` names (case-insensitive, whole words)."""
        if self.pattern_ is None:
            return frozenset()
        return frozenset(self.pattern_.findall(text.lower()))

    def conflict(self, need: str, answer: str) -> bool:
        """Both texts name towns and none in common."""
        a, b = self.named(need), self.named(answer)
        return bool(a) and bool(b) and not (a & b)

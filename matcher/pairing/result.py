"""The schedule a pairing run returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Schedule:
    """Who sits with whom, round by round.

    Attributes
    ----------
    rounds : list of list of list of int
        ``rounds[r]`` is round ``r``'s groups; each group is a sorted list of attendee indices.
        Table ``t`` (0-based) of round ``r`` is ``rounds[r][t]``; locked groups come first.
    scores : list of list of float
        ``scores[r][t]``: the group's mean pair weight (0.0 for someone seated alone).
    metrics : dict
        See :func:`matcher.pairing.metrics.evaluate`.
    n : int
        Number of attendees (indices ``0..n-1``).
    table_size : int
        The intended table size (2 for 1:1).
    method : str
        The method actually used (``"auto"`` is resolved).
    seed : int or None
        The seed of the run.
    warnings : list of str
        Every relaxation made (deferred forced pairs, repeats, someone seated alone).
    relaxations : dict of int to list of str
        Round -> relaxation steps taken in it (``"forced_deferred"``, ``"repeats"``).
    """

    rounds: list[list[list[int]]]
    scores: list[list[float]]
    metrics: dict[str, Any]
    n: int
    table_size: int = 2
    method: str = "exact"
    seed: int | None = 0
    warnings: list[str] = field(default_factory=list)
    relaxations: dict[int, list[str]] = field(default_factory=dict)

    def pairs(self) -> set[tuple[int, int]]:
        """Every pair ``(i, j)``, ``i < j``, that shares a table at least once."""
        return {(g[x], g[y]) for rnd in self.rounds for g in rnd
                for x in range(len(g)) for y in range(x + 1, len(g))}

    def table_of(self, member: int, round_index: int) -> int | None:
        """0-based table of ``member`` in ``round_index``, or ``None`` if absent."""
        for t, g in enumerate(self.rounds[round_index]):
            if member in g:
                return t
        return None

    def agenda(self, member: int) -> list[tuple[int, int, list[int]]]:
        """``(round, table, tablemates)`` for every round ``member`` takes part in."""
        out = []
        for r in range(len(self.rounds)):
            t = self.table_of(member, r)
            if t is not None:
                out.append((r, t, [x for x in self.rounds[r][t] if x != member]))
        return out

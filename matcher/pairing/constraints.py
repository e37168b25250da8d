"""What a schedule must respect, and the checks that run before any solving."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .errors import ConstraintError, PairingError


@dataclass
class PairingConstraints:
    """Hard rules for one event's pairing.

    Attributes
    ----------
    forbidden : set of frozenset of int
        Pairs that must never share a table: pure competitors (unless allowed), pairs that met
        at earlier events, blocks. Never relaxed.
    forced : list of (int, int)
        Pairs that must meet, in the first round where both are available and free; each pair
        meets once. A pair that cannot be seated in a round is deferred to the next one.
    locked : dict of int to list of list of int
        Round index -> groups kept exactly as they are (e.g. from a previous run, after the
        printed cards went out). Other attendees are seated around them.
    available : dict of int to set of int, or None
        Round index -> attendees present that round. ``None``, or a round missing from the
        dict, means everybody. Members of a locked group count as present in its round.
    """

    forbidden: set[frozenset[int]] = field(default_factory=set)
    forced: list[tuple[int, int]] = field(default_factory=list)
    locked: dict[int, list[list[int]]] = field(default_factory=dict)
    available: dict[int, set[int]] | None = None

    def present(self, round_index: int, n: int) -> list[int]:
        """Sorted attendees present in ``round_index`` (available or locked that round)."""
        if self.available is None or round_index not in self.available:
            people = set(range(n))
        else:
            people = set(self.available[round_index])
        for group in self.locked.get(round_index, []):
            people.update(group)
        return sorted(people)


def _check_index(i: object, n: int, what: str) -> int:
    if isinstance(i, bool) or not isinstance(i, int | np.integer):
        raise ConstraintError(f"{what}: attendee index must be an int, got {i!r}")
    if not 0 <= int(i) < n:
        raise ConstraintError(f"{what}: attendee index {i} is outside 0..{n - 1}")
    return int(i)


def _pair(items: Iterable[object], n: int, what: str) -> tuple[int, int]:
    pair = [_check_index(i, n, what) for i in items]
    if len(pair) != 2 or pair[0] == pair[1]:
        raise ConstraintError(f"{what}: {sorted(pair)} is not a pair of two different attendees")
    return min(pair), max(pair)


def validate_weights(weights: object) -> np.ndarray:
    """Check the pair-score matrix and return it as a float64 array (a view when possible).

    The diagonal is ignored. Values must be finite, symmetric (to 1e-6) and in [0, 1]
    (to 1e-6; tiny overshoots are clipped).
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise PairingError(f"weights must be a square (n, n) array, got shape {w.shape}")
    n = w.shape[0]
    # Work in row blocks so that a 5,000 x 5,000 matrix needs no full-size temporaries.
    step = max(1, 4_000_000 // max(n, 1))
    clip = False
    for lo in range(0, n, step):
        block = w[lo : lo + step]
        mask = np.ones(block.shape, dtype=bool)
        rows = np.arange(block.shape[0])
        mask[rows, lo + rows] = False  # the diagonal is ignored
        vals = block[mask]
        if not np.all(np.isfinite(vals)):
            raise PairingError("weights contain NaN or infinite values")
        if vals.size and (vals.min() < -1e-6 or vals.max() > 1 + 1e-6):
            raise PairingError(
                f"weights must lie in [0, 1]; found values in [{vals.min():.4g}, {vals.max():.4g}]"
            )
        clip = clip or bool(vals.size and (vals.min() < 0 or vals.max() > 1))
        if np.max(np.abs(vals - w[:, lo : lo + step].T[mask]), initial=0.0) > 1e-6:
            raise PairingError("weights must be symmetric (weights[i, j] == weights[j, i])")
    if clip:
        w = np.clip(w, 0.0, 1.0)
    return w


@dataclass
class Prepared:
    """Validated constraints in the shapes the solver uses."""

    n: int
    rounds: int
    forbidden: np.ndarray  # (n, n) bool, symmetric
    forbidden_pairs: set[tuple[int, int]]
    forced: list[tuple[int, int]]
    locked: dict[int, list[list[int]]]
    present: list[list[int]]  # per round, sorted


def prepare(constraints: PairingConstraints | None, n: int, rounds: int) -> Prepared:
    """Validate ``constraints`` against ``n`` attendees and ``rounds`` rounds.

    Raises
    ------
    ConstraintError
        Unknown attendees or rounds, a pair both forced and forbidden, a locked group holding a
        forbidden pair or seating someone twice in one round.
    """
    c = constraints if constraints is not None else PairingConstraints()
    forbidden = np.zeros((n, n), dtype=bool)
    pairs: set[tuple[int, int]] = set()
    for item in c.forbidden:
        a, b = _pair(item, n, "forbidden")
        pairs.add((a, b))
        forbidden[a, b] = forbidden[b, a] = True

    forced: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    for item in c.forced:
        a, b = _pair(item, n, "forced")
        if (a, b) in pairs:
            raise ConstraintError(f"forced: pair ({a}, {b}) is also forbidden")
        if (a, b) not in seen:
            seen.add((a, b))
            forced.append((a, b))

    locked: dict[int, list[list[int]]] = {}
    for r, groups in c.locked.items():
        if not isinstance(r, int | np.integer) or not 0 <= int(r) < rounds:
            raise ConstraintError(f"locked: round index {r!r} is outside 0..{rounds - 1}")
        placed: set[int] = set()
        clean = []
        for group in groups:
            members = sorted({_check_index(i, n, f"locked round {r}") for i in group})
            if len(members) != len(list(group)):
                raise ConstraintError(f"locked round {r}: group {list(group)} repeats someone")
            if placed & set(members):
                raise ConstraintError(
                    f"locked round {r}: attendee(s) {sorted(placed & set(members))} are in two "
                    "groups"
                )
            placed.update(members)
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    if forbidden[members[x], members[y]]:
                        raise ConstraintError(
                            f"locked round {r}: group {members} holds forbidden pair "
                            f"({members[x]}, {members[y]})"
                        )
            if members:
                clean.append(members)
        locked[int(r)] = clean

    if c.available is not None:
        for r, people in c.available.items():
            if not isinstance(r, int | np.integer) or not 0 <= int(r) < rounds:
                raise ConstraintError(f"available: round index {r!r} is outside 0..{rounds - 1}")
            for i in people:
                _check_index(i, n, f"available round {r}")

    norm = PairingConstraints(forbidden=c.forbidden, forced=forced, locked=locked,
                              available=c.available)
    present = [norm.present(r, n) for r in range(rounds)]
    return Prepared(n=n, rounds=rounds, forbidden=forbidden, forbidden_pairs=pairs,
                    forced=forced, locked=locked, present=present)

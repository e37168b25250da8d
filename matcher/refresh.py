"""Bringing a fitted community up to date after some members' profiles were edited, and
telling which memoised answers such an edit can change.

A pair score reads both members' texts (specialty, offers, seeks, headline), role, location,
company and opt-out, and an answer also shows their names; :data:`UNSCORED_FIELDS` are the
profile fields nothing reads: an edit of those refits nothing. An edit of a scored field
changes the scores of the pairs with that member only (a pair score depends on its two
members), so a memoised answer of member A can change only if the edited member X is in it,
is A, or scores with A (before or after) at least the lowest adjusted score at which A's
answer took anyone (:func:`matcher.recommend.entry_bar`): a candidate below it cannot be
picked, and leaving it out changes no other pick, unless X would now be taken as one of the
best answers to A's stated needs (taken first, :mod:`matcher.needs_first`).
With the n x n matrix (small communities)
the exposure cap reallocates places across lists, so A's answer is also treated as changed
when A's row of allowed candidates changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .profiles import FIELDS, Member
from .vectors import SIDES, MemberMatrix

UNSCORED_FIELDS: frozenset[str] = frozenset({"email", "phone", "notes", "tags"})
"""Profile fields that no score, relation, reason, insight or answer reads."""
SCORED_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in UNSCORED_FIELDS)
SLACK = 1e-3  # answers keep scores rounded to 4 decimals


def scored_change(before: Member, after: Member) -> bool:
    """Does ``after`` differ from ``before`` in anything a score or an answer reads?"""
    return any(getattr(before, f) != getattr(after, f) for f in SCORED_FIELDS)


@dataclass
class Refresh:
    """A community snapshot refitted after edits (``new``), the one it replaces (``old``),
    the members edited (``members``) and the edit sequence numbers it covers (``pending``)."""

    old: object
    new: object
    members: frozenset[str]
    pending: dict[str, int] = field(default_factory=dict)


def replace_rows(matrix: MemberMatrix, rows: Sequence[int], current: MemberMatrix) -> MemberMatrix:
    """``matrix`` with its ``rows`` replaced by the rows of ``current`` (same order)."""
    rows = list(rows)
    arrays = {s: getattr(matrix, s).copy() for s in SIDES}
    has = {"has_offers": matrix.has_offers.copy(), "has_seeks": matrix.has_seeks.copy()}
    members = list(matrix.members)
    for k, r in enumerate(rows):
        for s in SIDES:
            arrays[s][r] = getattr(current, s)[k]
        for name in has:
            has[name][r] = getattr(current, name)[k]
        members[r] = current.members[k]
    replaced = set(rows)
    phrases = {key: v for key, v in matrix.phrase_vectors.items() if key[0] not in replaced}
    phrases.update({(rows[k], side): v for (k, side), v in current.phrase_vectors.items()})
    return MemberMatrix(members=members, **arrays, **has, phrase_vectors=phrases)


def stale_answers(refresh: Refresh, answers: Mapping[str, list[dict]], k: int, *,
                  allowed_old: np.ndarray | None = None,
                  allowed_new: np.ndarray | None = None) -> set[str]:
    """The members among ``answers`` (member id -> the answer computed from ``refresh.old``
    with this ``k``) whose answer may differ under ``refresh.new``; the others' are unchanged.

    ``allowed_old``, ``allowed_new``: the exposure cap's allowed matrices for ``k`` (None where
    the community keeps no n x n matrix; if only ``allowed_old`` is unknown, every answer is
    treated as changed).
    """
    from .needs_first import reached, reserve_changes
    from .recommend import entry_bar

    old, new = refresh.old.scorer, refresh.new.scorer
    m = new.matrix_
    changed = refresh.members
    xs = np.array(sorted(m.index(x) for x in changed), dtype=int)
    reach = np.maximum(scores_to(old, xs), scores_to(new, xs)).max(axis=1)  # per member
    answers_need = reached(old, xs) | reached(new, xs)  # X may now be (or stop being) the
    # best answer to one of A's stated needs (matcher.needs_first.reserve)
    capped = allowed_new is not None
    stale = set()
    for member_id, rows in answers.items():
        if (member_id in changed or member_id not in m or len(rows) < k
                or any(r["member_id"] in changed for r in rows)
                or (capped and allowed_old is None)):
            stale.add(member_id)
            continue
        a = m.index(member_id)
        if capped and not np.array_equal(allowed_old[a], allowed_new[a]):
            stale.add(member_id)
            continue
        picked = np.array([m.index(r["member_id"]) for r in rows], dtype=int)
        if answers_need[a] and reserve_changes(old, new, a, picked, xs, k):
            stale.add(member_id)
            continue
        bar = entry_bar(old, list(picked), [r["score"] for r in rows])
        if reach[a] >= bar - SLACK:
            stale.add(member_id)
    return stale


def scores_to(scorer, xs: np.ndarray, *, sample: int = 64, seed: int = 0) -> np.ndarray:
    """The scores of every member A with each of ``xs``, shape (n, len(xs)): ``score(A, x)``,
    A's directional view (A the seeker).

    One pass per x: the components of (x, A) for every A, turned round into those of (A, x)
    (:meth:`PairScorer.reversed_components`: the need-answer fits swap sides, industry and
    synergy are read the other way, the rest is symmetric), then scored. ``sample`` members
    scored directly confirm it; should they not (a component that is directional and not
    turned round), every member is scored directly (exact, but one pass per member).
    """
    n = len(scorer.matrix_)
    everyone = np.arange(n)
    xs = np.asarray(xs, dtype=int)
    out = np.zeros((n, len(xs)))
    for b, x in enumerate(xs):
        c = scorer.components(int(x), everyone)
        out[:, b] = scorer.score_components(scorer.reversed_components(int(x), everyone, c))[0]
    rows = np.random.default_rng(seed).choice(n, size=min(sample, n), replace=False)
    direct = np.stack([scorer.score_rows(int(a), xs)[0] for a in rows]) if len(xs) else out[rows]
    if np.allclose(direct, out[rows], rtol=0.0, atol=1e-9):
        return out
    return np.stack([scorer.score_rows(int(a), xs)[0] for a in everyone])

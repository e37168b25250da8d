"""A member's niche: who their customers are, and which fields their offers are in.

Two members of one trade compete only when they also serve the same customers; with different
customers they are referral partners (a bookkeeper for dental clinics and one for restaurants).
Both facts are read once per member, when a :class:`~matcher.scoring.PairScorer` is fitted:

- **customer segments**: which of the segments in ``data/customers/segments.csv`` the member
  names in their headline, specialty and offers ("for small law firms", "SaaS companies",
  "homeowners"), as a bit mask (:class:`CustomerSegments`). A pair compares two masks: the
  Jaccard overlap of the named segments (:func:`overlap`).
- **field readings**: the 4-digit NAICS group of each offer phrase of a member who sells (the
  nearest phrase of the industry index, its cosine the reading's strength), leaving out the
  industries of the member's own customers ("managed IT for law firms" reads as a law office).
  One member's industry group among the other's offers puts them in one field even when their
  industry guesses differ: a tax preparer and an outsourced CFO whose offers include "monthly
  close" and "sales-tax compliance" are both in accounting (5412) (:class:`FieldReadings`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import RolecallError

SEGMENTS_FILE = Path(__file__).resolve().parents[1] / "data" / "customers" / "segments.csv"
SELLER_ROLES = frozenset({"b2b-provider", "non-b2b-rep", "entre-ployee"})  # offers are their work
# the role whose named businesses are customers, not their own business (a restaurant owner's
# "our restaurant") or day job (an entre-ployee's "project manager at a builder")
B2B_SELLER_ROLES = frozenset({"b2b-provider"})
MIN_OFFERS = 2  # a field reading needs this many offers in the group: one could be wording
MAX_SEGMENTS = 64  # one uint64 mask per member
MIN_READING = 0.45  # an offer phrase this far from every index phrase names no industry
_CHUNK = 1024


class SegmentDataError(RolecallError):
    """``data/customers/segments.csv`` is malformed."""


def _norm(text: str) -> str:
    """Lower case, hyphens and slashes as spaces, single spaces: 'First-time' == 'first time'."""
    return " ".join(re.sub(r"[-/]", " ", text.lower()).split())


def customer_text(member) -> str:
    """Where a member names their customers: headline, specialty and offers (not seeks, which
    name the people they want to meet)."""
    return " . ".join([member.headline or "", member.specialty or "", *member.offers])


@dataclass(frozen=True)
class CustomerSegments:
    """The customer-segment lexicon: segment ``k`` is bit ``k`` of a member's mask.

    Attributes
    ----------
    ids, labels, kinds : tuple of str
        Segment id ("law-firms"), the words reasons use ("law firms") and ``businesses`` or
        ``consumers``.
    naics : tuple of tuple of str
        NAICS prefixes of the customers' own industries (law firms: ``5411``).

    Examples
    --------
    >>> seg = CustomerSegments.load()
    >>> seg.names(seg.mask("Bookkeeping for family-owned restaurants and bars in Tulsa"))
    ['restaurants and bars']
    >>> seg.names(seg.mask("Managed IT for small law firms"))
    ['law firms']
    """

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    kinds: tuple[str, ...]
    naics: tuple[tuple[str, ...], ...]
    phrases: dict[str, int]

    @classmethod
    def load(cls, path: Path = SEGMENTS_FILE) -> CustomerSegments:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        if len(rows) > MAX_SEGMENTS:
            raise SegmentDataError(f"{path}: {len(rows)} segments, at most {MAX_SEGMENTS} fit a mask")
        phrases: dict[str, int] = {}
        for k, r in enumerate(rows):
            if r.get("kind") not in ("businesses", "consumers"):
                raise SegmentDataError(f"{path}: segment {r.get('segment')!r} has kind "
                                       f"{r.get('kind')!r}; expected businesses or consumers")
            for p in r["phrases"].split("|"):
                p = _norm(p)
                if p in phrases and phrases[p] != k:
                    raise SegmentDataError(f"{path}: phrase {p!r} is in two segments")
                if p:
                    phrases[p] = k
        return cls(ids=tuple(r["segment"] for r in rows), labels=tuple(r["label"] for r in rows),
                   kinds=tuple(r["kind"] for r in rows),
                   naics=tuple(tuple(c for c in r["naics"].split("|") if c) for r in rows),
                   phrases=phrases)

    @property
    def _regex(self) -> re.Pattern:
        rx = self.__dict__.get("_rx")
        if rx is None:  # longest phrase first, so "coffee shops" wins over "shops"
            alts = sorted(self.phrases, key=lambda p: (-len(p), p))
            rx = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in alts) + r")\b")
            object.__setattr__(self, "_rx", rx)
        return rx

    def mask(self, text: str) -> int:
        """Bit mask of the segments ``text`` names."""
        out = 0
        for hit in self._regex.finditer(_norm(text)):
            out |= 1 << self.phrases[hit.group(0)]
        return out

    def masks(self, members) -> np.ndarray:
        """Masks of members' :func:`customer_text`, shape (n,), dtype uint64."""
        return np.array([self.mask(customer_text(m)) for m in members], dtype=np.uint64)

    def segments(self, mask: int) -> list[int]:
        mask = int(mask)
        return [k for k in range(len(self.ids)) if mask >> k & 1]

    def names(self, mask: int) -> list[str]:
        """Labels of the segments in ``mask``, in file order."""
        return [self.labels[k] for k in self.segments(mask)]

    @property
    def industries(self) -> int:
        """Bit mask of the segments that are industries (with NAICS prefixes: law firms,
        restaurants and bars), not broad kinds of customers (small businesses, veterans)."""
        return sum(1 << k for k, prefixes in enumerate(self.naics) if prefixes)

    def customer_industries(self, mask: int) -> tuple[str, ...]:
        """NAICS prefixes of the industries the segments in ``mask`` are."""
        return tuple(p for k in self.segments(mask) for p in self.naics[k])


@lru_cache(maxsize=1)
def default_segments() -> CustomerSegments:
    return CustomerSegments.load()


_BITS = np.array([bin(b).count("1") for b in range(256)], dtype=np.uint8)


def _popcount(x: np.ndarray) -> np.ndarray:
    """Set bits of each uint64 (``np.bitwise_count`` from numpy 2.0 on, a byte table before)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x)
    return _BITS[np.ascontiguousarray(x).view(np.uint8).reshape(-1, 8)].sum(axis=1)


def overlap(mask: np.uint64, masks: np.ndarray) -> np.ndarray:
    """Jaccard overlap of one mask with each of ``masks`` (0 where either names no segment)."""
    mask = np.uint64(mask)
    inter = _popcount(masks & mask).astype(np.float64)
    union = _popcount(masks | mask).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((masks != 0) & (mask != 0), inter / union, 0.0)
    return out


def reread_industries(codes: list[str], markets: list[str], *, roles: list[str],
                      masks: np.ndarray, segments: CustomerSegments, vectors: np.ndarray,
                      index) -> tuple[list[str], list[str], np.ndarray]:
    """Industry guesses with the member's customers left out: a B2B seller whose guessed
    industry is one of their own customers' industries (managed IT for dental offices guessed
    as "Offices of Dentists") is looked up again without those industries.

    Only customer industries of three digits or more count: suppliers of a whole sector are
    often in it themselves (a machine shop that serves manufacturers is a manufacturer).

    Returns (codes, markets, reread), ``reread`` a bool array of the members looked up again.
    """
    codes, markets = list(codes), list(markets)
    reread = np.zeros(len(codes), dtype=bool)
    todo: dict[tuple[str, ...], list[int]] = {}
    for i, (code, role, mask) in enumerate(zip(codes, roles, masks, strict=True)):
        theirs = tuple(p for p in segments.customer_industries(mask) if len(p) >= 3) \
            if role in B2B_SELLER_ROLES else ()
        if theirs and code.startswith(theirs):
            todo.setdefault(theirs, []).append(i)
    for exclude, rows in todo.items():
        for i, match in zip(rows, index.infer(vectors[rows], exclude=exclude), strict=True):
            codes[i], markets[i], reread[i] = match.code, match.market, True
    return codes, markets, reread


class FieldReadings:
    """Which industry groups each member's offers are in, and how strongly.

    Built by :meth:`fit`; :meth:`overlap` gives, for member ``i`` against members ``js``, 1.0
    for the same industry group, else the strength with which one member's own group appears
    among the other's offers (0 when it does not).
    """

    def fit(self, *, groups: np.ndarray, group_codes: np.ndarray, phrase_vectors: dict,
            sellers: np.ndarray, customer_industries: list[tuple[str, ...]],
            index) -> FieldReadings:
        """
        Parameters
        ----------
        groups : ndarray of int, shape (n_members,)
            Each member's own industry group, an index into ``group_codes``.
        group_codes : ndarray of str, shape (n_groups,)
            The 4-digit NAICS code of each group.
        phrase_vectors : dict of (row, side) -> ndarray of shape (n_phrases, 384)
            :attr:`MemberMatrix.phrase_vectors`; only the ``offers`` sides are read.
        sellers : ndarray of bool, shape (n_members,)
            Members whose offers are their own work (not a buyer's purchase order).
        customer_industries : list of tuple of str
            Per member, NAICS prefixes of their customers' industries, never read as theirs.
        index : IndustryIndex
        """
        self.groups_ = np.asarray(groups, dtype=np.int64)
        gid = {str(c): g for g, c in enumerate(group_codes)}
        rows, phrase_pos, vecs = [], [], []
        for i in np.flatnonzero(sellers):
            v = phrase_vectors.get((int(i), "offers"))
            if v is not None and len(v):
                rows.extend([int(i)] * len(v))
                phrase_pos.extend(range(len(v)))
                vecs.append(v)
        # readings_[i] = {group id: (share of i's offers read in it, first such offer's index,
        # its 6-digit code)}, only groups that are some member's own
        self.readings_: dict[int, dict[int, tuple[float, int]]] = {}
        if vecs:
            V = np.concatenate(vecs).astype(np.float32)
            pv = index.phrase_vectors
            best = np.empty(len(V), dtype=np.int64)
            sim = np.empty(len(V))
            for lo in range(0, len(V), _CHUNK):
                s = V[lo:lo + _CHUNK] @ pv.T
                b = np.argmax(s, axis=1)
                best[lo:lo + len(s)] = b
                sim[lo:lo + len(s)] = s[np.arange(len(s)), b]
            n_offers = np.bincount(np.array(rows), minlength=len(self.groups_))
            for r, p, b, s in zip(rows, phrase_pos, best, sim, strict=True):
                code = index.codes[int(index.phrase_code[b])]
                g = gid.get(code[:4])
                if (g is None or g == self.groups_[r] or s < MIN_READING
                        or code.startswith(customer_industries[r])):
                    continue
                mine = self.readings_.setdefault(r, {})
                share, first, first_code = mine.get(g, (0.0, p, code))
                mine[g] = (share + 1.0 / n_offers[r], first, first_code)
        for r in list(self.readings_):
            mine = {g: v for g, v in self.readings_[r].items()
                    if v[0] * n_offers[r] >= MIN_OFFERS - 1e-9}
            if mine:
                self.readings_[r] = mine
            else:
                del self.readings_[r]
        # per read group, the (rows, strengths) reading it
        read: dict[int, list[tuple[int, float]]] = {}
        for r, mine in self.readings_.items():
            for g, (s, *_) in mine.items():
                read.setdefault(g, []).append((r, s))
        self._read = {}  # rows sorted: overlap looks them up
        for g, v in read.items():
            rows, strengths = zip(*sorted(v), strict=True)
            self._read[g] = (np.array(rows), np.array(strengths))
        return self

    def overlap(self, i: int, js: np.ndarray) -> np.ndarray:
        """Field overlap of member ``i`` with members ``js``, shape (len(js),)."""
        js = np.asarray(js, dtype=np.int64)
        groups = self.groups_[js]
        same = groups == self.groups_[i]
        if not self.readings_:
            return same.astype(np.float64)
        out = np.zeros(len(js))  # work on js only: a query may ask for a few of a million
        theirs = self._read.get(int(self.groups_[i]))
        if theirs is not None:  # i's group among others' offers
            rows, strength = theirs
            pos = np.minimum(np.searchsorted(rows, js), len(rows) - 1)
            hit = rows[pos] == js
            out[hit] = strength[pos[hit]]
        for g, (s, *_) in self.readings_.get(i, {}).items():  # others' groups among i's offers
            out = np.where(groups == g, np.maximum(out, s), out)
        return np.where(same, 1.0, out)

    def shared(self, i: int, j: int) -> tuple[int, int, str] | None:
        """How i and j share a field though their own groups differ: (the member whose offer
        reads as the other's group, that offer's index, the 6-digit code it reads as), the
        stronger reading if both; None without such a reading."""
        a = self.readings_.get(j, {}).get(int(self.groups_[i]))
        b = self.readings_.get(i, {}).get(int(self.groups_[j]))
        if a is None and b is None:
            return None
        if b is None or (a is not None and a[0] >= b[0]):
            return j, a[1], a[2]
        return i, b[1], b[2]

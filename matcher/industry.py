"""Industry knowledge: what a member's specialty is (NAICS 2017), who its customers are
(businesses, consumers or both, from the BEA 2017 Use table) and which industries buy from which.

Everything here is numpy (and a faiss flat index for the exact nearest phrases) over the
precomputed files in ``data/industries/`` (built by
``python -m matcher.industry_build``; see the README there). Nothing is embedded at query time:
callers pass the vectors of their own texts (e.g. a member's profile) from
:func:`matcher.embedding.get_encoder`.

>>> from matcher.embedding import get_encoder
>>> index = default_index()
>>> [m] = index.infer(get_encoder().encode(["Dental lab making crowns and bridges for dentists"]))
>>> m.code, m.market
('339116', 'businesses')
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .embedding.weights import DIM, MODEL_NAME
from .errors import NotFound, RolecallError

__all__ = [
    "BUSINESSES_MAX",
    "CONSUMERS_MIN",
    "MARKETS",
    "IndustryDataError",
    "IndustryIndex",
    "IndustryMatch",
    "default_index",
    "eval_market_holdout",
    "market_of",
]

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "industries"

MARKETS = ("businesses", "consumers", "both")
# A side "dominates" when it buys at least twice as much as the other side: consumer share
# >= 2/3 -> consumers, <= 1/3 -> businesses, in between -> both (README, "Market thresholds").
CONSUMERS_MIN = 2 / 3
BUSINESSES_MAX = 1 / 3

# Vote aggregation over the k nearest index phrases: weight = exp((sim - best sim) / TEMPERATURE),
# so phrases far below the best one count little; confidence = vote share of the winning code
# times how well the best phrase fits, ramped linearly between FIT_LOW and FIT_HIGH cosine.
TEMPERATURE = 0.05
FIT_LOW, FIT_HIGH = 0.25, 0.60
N_EVIDENCE = 3
_CHUNK = 512


class IndustryDataError(RolecallError):
    """The files in data/industries are missing, inconsistent or stale (re-run the builder)."""


def market_of(consumer_share: float) -> str:
    """'consumers' if share >= CONSUMERS_MIN, 'businesses' if <= BUSINESSES_MAX, else 'both'."""
    if not 0.0 <= consumer_share <= 1.0:
        raise ValueError(f"consumer share must be in [0, 1], got {consumer_share!r}")
    if consumer_share >= CONSUMERS_MIN:
        return "consumers"
    if consumer_share <= BUSINESSES_MAX:
        return "businesses"
    return "both"


@dataclass(frozen=True)
class IndustryMatch:
    """The industry inferred for one text.

    ``consumer_share`` is the code's BEA consumer share, refined by the matched phrases when they
    name a side (e.g. "Commercial real estate agents" vs "Residential real estate agents");
    ``market`` is ``market_of(consumer_share)``; ``evidence`` are the code's best-matching
    index phrases.
    """

    code: str
    title: str
    consumer_share: float
    market: str
    confidence: float
    evidence: list[str]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    if v.ndim != 2 or v.shape[1] != DIM:
        raise ValueError(f"expected vectors of shape (n, {DIM}), got {v.shape}")
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.clip(n, 1e-12, None)


class IndustryIndex:
    """NAICS codes, their index phrases and vectors, consumer shares and BEA flows."""

    def __init__(
        self,
        *,
        codes: list[str],
        titles: list[str],
        bea: list[list[str]],
        shares: np.ndarray,
        phrases: list[str],
        phrase_code: np.ndarray,
        phrase_shares: np.ndarray,
        phrase_vectors: np.ndarray,
        code_vectors: np.ndarray,
        flows: dict[str, np.ndarray],
    ):
        self.codes = codes
        self.titles = titles
        self.bea = bea
        self.shares = shares.astype(np.float64)
        self.phrases = phrases
        self.phrase_code = phrase_code.astype(np.int64)
        self.phrase_shares = phrase_shares.astype(np.float64)
        self.phrase_vectors = phrase_vectors
        self._code_vectors = code_vectors
        self._pos = {c: i for i, c in enumerate(codes)}

        self.bea_codes = [str(b) for b in flows["bea_codes"]]
        self.bea_names = [str(b) for b in flows["bea_names"]]
        bpos = {b: i for i, b in enumerate(self.bea_codes)}
        member = np.zeros((len(codes), len(self.bea_codes)), dtype=np.float64)
        for i, bs in enumerate(bea):
            for b in bs:
                if b not in bpos:
                    raise IndustryDataError(f"BEA code {b} of NAICS {codes[i]} not in flows.npz")
                member[i, bpos[b]] = 1.0
        self._member = member
        self._trade = member.copy()  # membership used for flows
        for c in {str(c) for c in flows.get("no_flows", ())} & set(self._pos):
            self._trade[self._pos[c]] = 0.0
        f = flows["flows"].astype(np.float64)
        np.fill_diagonal(f, 0.0)  # an industry selling to itself is competition, not a match
        self._flows = f
        self._sales = flows["sales"].astype(np.float64)
        self._purchases = flows["purchases"].astype(np.float64)
        self.scale = float(flows["scale"])

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, folder: str | Path | None = None) -> IndustryIndex:
        folder = Path(folder) if folder else DATA_DIR
        try:
            codes_raw = (folder / "codes.csv").read_bytes()
            phrases_raw = (folder / "phrases.csv").read_bytes()
            vec = np.load(folder / "phrase_vectors.npz", allow_pickle=False)
            fl = np.load(folder / "flows.npz", allow_pickle=False)
        except FileNotFoundError as exc:
            raise IndustryDataError(
                f"industry data missing ({exc.filename}); run `python -m matcher.industry_build`"
            ) from exc
        with vec, fl:
            vec = {k: vec[k] for k in vec.files}
            flows = {k: fl[k] for k in fl.files}

        def stale(why: str) -> IndustryDataError:
            return IndustryDataError(
                f"{folder / 'phrase_vectors.npz'} is stale ({why}); "
                "re-run `python -m matcher.industry_build`"
            )

        if str(vec.get("model_id", "")) != MODEL_NAME:
            raise stale(f"model {vec.get('model_id')!s}, expected {MODEL_NAME}")
        if str(vec.get("phrases_sha256", "")) != _sha256(phrases_raw):
            raise stale("phrases.csv changed since the vectors were computed")
        if str(vec.get("codes_sha256", "")) != _sha256(codes_raw):
            raise stale("codes.csv changed since the vectors were computed")

        code_rows = _read_csv(codes_raw)
        codes = [r["code"] for r in code_rows]
        if [str(c) for c in vec["codes"]] != codes:
            raise stale("code order differs from codes.csv")
        pos = {c: i for i, c in enumerate(codes)}
        phrase_rows = _read_csv(phrases_raw)
        try:
            phrase_code = np.array([pos[r["code"]] for r in phrase_rows], dtype=np.int64)
        except KeyError as exc:
            raise IndustryDataError(f"phrases.csv names an unknown code {exc}") from None
        shares = np.array([float(r["consumer_share"]) for r in code_rows])
        phrase_shares = np.array(
            [float(r["consumer_share"]) if r.get("consumer_share") else np.nan for r in phrase_rows]
        )
        phrase_shares = np.where(np.isnan(phrase_shares), shares[phrase_code], phrase_shares)
        q, scale = vec["phrase_vectors"], vec["phrase_scale"]
        if q.shape != (len(phrase_rows), DIM) or scale.shape != (len(phrase_rows),):
            raise stale(f"phrase vectors {q.shape} do not fit {len(phrase_rows)} phrases")
        pv = q.astype(np.float32)
        pv *= scale[:, None]
        cv = vec["code_vectors"].astype(np.float32)
        if cv.shape != (len(codes), DIM):
            raise stale(f"code vectors {cv.shape} do not fit {len(codes)} codes")
        return cls(
            codes=codes,
            titles=[r["title"] for r in code_rows],
            bea=[r["bea_code"].split("|") for r in code_rows],
            shares=shares,
            phrases=[r["phrase"] for r in phrase_rows],
            phrase_code=phrase_code,
            phrase_shares=phrase_shares,
            phrase_vectors=_normalise(pv),
            code_vectors=_normalise(cv),
            flows=flows,
        )

    # ----------------------------------------------------------------- lookups
    def _index(self, code: str) -> int:
        try:
            return self._pos[str(code)]
        except KeyError:
            raise NotFound("NAICS code", code) from None

    def title(self, code: str) -> str:
        return self.titles[self._index(code)]

    def consumer_share(self, code: str) -> float:
        return float(self.shares[self._index(code)])

    def market(self, code: str) -> str:
        return market_of(self.consumer_share(code))

    def code_vectors(self, codes: list[str]) -> np.ndarray:
        """(n, 384) unit vectors of each code's "title. first sentence of the description"."""
        return self._code_vectors[[self._index(c) for c in codes]].copy()

    # ----------------------------------------------------------------- inference
    def infer(
        self, vectors: np.ndarray, k: int = 10, *, exclude: tuple[str, ...] = ()
    ) -> list[IndustryMatch]:
        """The industry of each query vector (one match per row), from its k nearest phrases.

        ``exclude``: NAICS code prefixes whose phrases are left out (e.g. the industries of a
        member's own customers, which their text names but which are not their trade).
        """
        q = _normalise(vectors)
        pv, pcode, pshare, keep = self.phrase_vectors, self.phrase_code, self.phrase_shares, None
        if exclude:
            dropped = np.array([c.startswith(tuple(exclude)) for c in self.codes])
            keep = np.flatnonzero(~dropped[pcode])
            pv, pcode, pshare = pv[keep], pcode[keep], pshare[keep]
        codes, share, conf, top, _ = _vote(q, pv, pcode, pshare, k)
        if keep is not None:
            top = keep[top]
        out = []
        for i in range(len(q)):
            c = int(codes[i])
            evidence = [self.phrases[j] for j in top[i] if self.phrase_code[j] == c][:N_EVIDENCE]
            s = float(np.clip(share[i], 0.0, 1.0))
            out.append(
                IndustryMatch(
                    code=self.codes[c],
                    title=self.titles[c],
                    consumer_share=round(s, 4),
                    market=market_of(s),
                    confidence=float(conf[i]),
                    evidence=evidence,
                )
            )
        return out

    # ----------------------------------------------------------------- complementarity
    def _strength(self, ia: list[int], ib: list[int]) -> np.ndarray:
        """strength[a, b] of group a supplying group b: flow / sqrt(sales_a * purchases_b)."""
        ma, mb = self._trade[ia], self._trade[ib]
        flow = ma @ self._flows @ mb.T
        denom = np.sqrt(np.outer(ma @ self._sales, mb @ self._purchases))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denom > 0, flow / denom, 0.0)

    def complementarity(self, codes_a: list[str], codes_b: list[str]) -> np.ndarray:
        """(len(a), len(b)) buyer-supplier strength in [0, 1], the stronger direction.

        For supplier s and buyer u: sqrt(share of u's purchases that come from s * share of s's
        sales that go to u), divided by ``scale`` (the 99th percentile over all BEA pairs) and
        clipped to 1. Codes that share a BEA industry get 0 (that is competition), and so do
        the codes in flows.npz ``no_flows`` (real-estate agents: their BEA industry's trade is
        the lessors').
        """
        ia = [self._index(c) for c in codes_a]
        ib = [self._index(c) for c in codes_b]
        if not ia or not ib:
            return np.zeros((len(ia), len(ib)))
        s = np.maximum(self._strength(ia, ib), self._strength(ib, ia).T)
        same = (self._member[ia] @ self._member[ib].T) > 0
        s[same] = 0.0
        return np.clip(s / self.scale, 0.0, 1.0)

    def complement_evidence(self, code_a: str, code_b: str) -> str | None:
        """A sentence on the largest BEA flow between the two industries, or None (memoised:
        reasons ask for the same few pairs of industries again and again)."""
        memo = self.__dict__.setdefault("_evidence", {})
        if (code_a, code_b) not in memo:
            memo[(code_a, code_b)] = self._complement_evidence(code_a, code_b)
        return memo[(code_a, code_b)]

    def _complement_evidence(self, code_a: str, code_b: str) -> str | None:
        ia, ib = self._index(code_a), self._index(code_b)
        if self.complementarity([code_a], [code_b])[0, 0] <= 0:
            return None
        ab = self._strength([ia], [ib])[0, 0]
        ba = self._strength([ib], [ia])[0, 0]
        sup, buy = (ia, ib) if ab >= ba else (ib, ia)
        bs = np.flatnonzero(self._trade[sup])
        bu = np.flatnonzero(self._trade[buy])
        block = self._flows[np.ix_(bs, bu)]
        r, c = np.unravel_index(int(np.argmax(block)), block.shape)
        s, u = bs[r], bu[c]
        usd = block[r, c]
        sales_pct = 100 * usd / self._sales[s] if self._sales[s] else 0.0
        buy_pct = 100 * usd / self._purchases[u] if self._purchases[u] else 0.0
        return (
            f"{self.bea_names[s]} sell to {_lower_first(self.bea_names[u])} "
            f"(BEA 2017: ${usd:,.0f} M a year, {_pct(sales_pct)} of the sellers' output, "
            f"{_pct(buy_pct)} of the buyers' purchases)"
        )


def _pct(x: float) -> str:
    return f"{x:.0f}%" if x >= 1 else f"{x:.1f}%" if x >= 0.1 else "<0.1%"


def _lower_first(name: str) -> str:
    word = name.split(" ", 1)[0]
    return name if word.isupper() or len(word) <= 1 else name[:1].lower() + name[1:]


def exact_top_k(vectors: np.ndarray):
    """``search(queries, k) -> (sims, rows)``, both (m, k), best first: the exact k largest
    inner products with the rows of ``vectors`` (faiss flat index: BLAS plus a heap, several
    times faster than numpy's argpartition over a full similarity matrix)."""
    import faiss

    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        sims, rows = flat.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return sims, rows.astype(np.int64)

    return search


def _vote(q, pv, pcode, pshare, k):
    """Nearest-phrase votes, vectorised over the rows of q (unit vectors).

    Returns, one entry per row: the winning code (index into the code table), its consumer
    share (vote-weighted over the winner's matched phrases, which differ from the code's own
    share only where a phrase names a residential or nonresidential side), the confidence, the
    top-k phrase indices (best first) and the best similarity.
    """
    n = len(q)
    k = int(max(1, min(k, len(pv))))
    win = np.zeros(n, dtype=np.int64)
    share = np.zeros(n)
    conf = np.zeros(n)
    tops = np.zeros((n, k), dtype=np.int64)
    best = np.zeros(n)
    search = exact_top_k(pv)
    for lo in range(0, n, _CHUNK):
        ts, top = search(q[lo : lo + _CHUNK], k)
        ts = ts.astype(np.float64)
        w = np.exp((ts - ts[:, :1]) / TEMPERATURE)  # (m, k), best phrase weighs 1
        c = pcode[top]  # (m, k)
        same = c[:, :, None] == c[:, None, :]
        score = (same * w[:, None, :]).sum(axis=2)  # vote mass of each slot's code
        slot = np.argmax(score, axis=1)  # first slot of the best code: ties go to the best sim
        rows = np.arange(len(top))
        total = w.sum(axis=1)
        agreement = score[rows, slot] / total
        fit = np.clip((ts[:, 0] - FIT_LOW) / (FIT_HIGH - FIT_LOW), 0.0, 1.0)
        sl = slice(lo, lo + len(top))
        win[sl] = c[rows, slot]
        mine = c == c[rows, slot][:, None]
        share[sl] = (w * mine * pshare[top]).sum(axis=1) / (w * mine).sum(axis=1)
        conf[sl] = agreement * fit
        tops[sl] = top
        best[sl] = ts[:, 0]
    return win, share, conf, tops, best


@lru_cache(maxsize=1)
def default_index() -> IndustryIndex:
    """The process-wide index over ``data/industries`` (loaded once)."""
    return IndustryIndex.load()


def eval_market_holdout(
    index: IndustryIndex,
    *,
    test_fraction: float = 0.2,
    seed: int = 0,
    k: int = 10,
    by: str = "code",
    sectors: tuple[str, ...] | None = None,
) -> dict:
    """Held-out accuracy of the predicted market, on industries the index has never seen.

    Codes (``by="code"``) or whole BEA industries (``by="bea"``: sibling codes that share a BEA
    commodity, hence a consumer share, go to the same side) are split into train and test; the
    stored phrase vectors of the test codes are queried against an index of the train codes'
    phrases only. Reports accuracy per phrase and per code (majority over its phrases), with the
    baseline of always predicting the train codes' majority market, plus the 4-digit NAICS
    group hit rate of the predicted code. ``sectors`` (NAICS prefixes, e.g. ``("54", "81")``)
    restricts the test codes, not the train index.
    """
    if by not in ("code", "bea"):
        raise ValueError("by must be 'code' or 'bea'")
    rng = np.random.default_rng(seed)
    used = np.unique(index.phrase_code)
    if by == "code":
        groups = {int(i): (int(i),) for i in used}
    else:
        g: dict[str, list[int]] = {}
        for i in used:
            g.setdefault("|".join(index.bea[int(i)]), []).append(int(i))
        groups = {j: tuple(v) for j, v in enumerate(g[key] for key in sorted(g))}
    keys = np.array(sorted(groups))
    n_test = max(1, int(round(test_fraction * len(keys))))
    test_keys = rng.permutation(keys)[:n_test]
    test_codes = np.array(sorted(c for t in test_keys for c in groups[int(t)]))
    train_codes = np.setdiff1d(used, test_codes)
    if sectors:
        test_codes = np.array([c for c in test_codes if index.codes[c].startswith(tuple(sectors))])
        if not len(test_codes):
            raise ValueError(f"no test codes in sectors {sectors}")
    is_test = np.isin(index.phrase_code, test_codes)

    markets = np.array([market_of(s) for s in index.shares])
    vals, counts = np.unique(markets[train_codes], return_counts=True)
    majority = str(vals[np.argmax(counts)])

    q = index.phrase_vectors[is_test]
    qcode = index.phrase_code[is_test]
    train = np.isin(index.phrase_code, train_codes)
    pred_code, share, conf, _, _ = _vote(
        q, index.phrase_vectors[train], index.phrase_code[train], index.phrase_shares[train], k
    )
    pred = np.array([market_of(float(np.clip(s, 0, 1))) for s in share])
    truth = np.array([market_of(s) for s in index.phrase_shares[is_test]])
    phrase_ok = pred == truth

    code_ok = []
    for c in test_codes:
        sel = qcode == c
        v, n = np.unique(pred[sel], return_counts=True)
        code_ok.append(v[np.argmax(n)] == markets[c])
    code_ok = np.array(code_ok)
    group4 = np.array(
        [index.codes[a][:4] == index.codes[b][:4] for a, b in zip(pred_code, qcode, strict=True)]
    )
    hi = conf >= 0.5
    return {
        "by": by,
        "sectors": list(sectors) if sectors else None,
        "k": k,
        "n_train_codes": int(len(train_codes)),
        "n_test_codes": int(len(test_codes)),
        "n_test_phrases": int(is_test.sum()),
        "majority_market": majority,
        "phrase_accuracy": float(phrase_ok.mean()),
        "phrase_baseline": float((truth == majority).mean()),
        "code_accuracy": float(code_ok.mean()),
        "code_baseline": float((markets[test_codes] == majority).mean()),
        "naics4_hit_rate": float(group4.mean()),
        "share_mae": float(np.abs(np.clip(share, 0, 1) - index.shares[qcode]).mean()),
        "high_confidence_fraction": float(hi.mean()),
        "high_confidence_accuracy": float(phrase_ok[hi].mean()) if hi.any() else float("nan"),
    }

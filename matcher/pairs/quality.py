"""Measure pair scoring on the held-out labelled data, against baselines in the same run."""

from __future__ import annotations

import numpy as np

from .model import RELATIONS


def relation_metrics(pred: np.ndarray, y: np.ndarray) -> dict:
    """Per-relation precision/recall/F1, macro-F1, accuracy and the confusion matrix
    (``confusion[true][k]``: pairs of that true relation predicted as ``RELATIONS[k]``)."""
    pred, y = np.asarray(pred, dtype=object), np.asarray(y, dtype=object)
    per = {}
    for rel in RELATIONS:
        tp = int(((pred == rel) & (y == rel)).sum())
        p = tp / max(int((pred == rel).sum()), 1)
        r = tp / max(int((y == rel).sum()), 1)
        per[rel] = {"precision": round(p, 4), "recall": round(r, 4),
                    "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4), "n": int((y == rel).sum())}
    return {"macro_f1": round(float(np.mean([m["f1"] for m in per.values()])), 4),
            "accuracy": round(float((pred == y).mean()), 4) if len(y) else 0.0,
            "per_relation": per,
            "confusion": {t: [int(((y == t) & (pred == p)).sum()) for p in RELATIONS]
                          for t in RELATIONS}}


FIT_LOW, FIT_HIGH = 0.15, 0.65  # the cosine ramp of the reciprocal baseline (the old scorer)
OLD_CLAIM = 0.35  # the old reasons claimed an answer at this seek-offer cosine


def _ramp(cos: np.ndarray) -> np.ndarray:
    return np.clip((cos - FIT_LOW) / (FIT_HIGH - FIT_LOW), 0.0, 1.0)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.clip(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12, None)


def _rank_metrics(S: np.ndarray, good: list[set[int]], decoys: list[set[int]], k: int = 5) -> dict:
    """Top-k hit rate and decoy-above rate of score rows ``S`` (seekers x candidates). Ties
    count against the right answer: its rank is the number of other candidates scoring at
    least as high."""
    hits, above = [], []
    for s, g, d in zip(S, good, decoys, strict=True):
        best = max(s[list(g)])
        rank = int((s >= best).sum()) - 1
        hits.append(rank < k)
        if d:
            above.append(max(s[list(d)]) >= best)
    return {"top5_hit": round(float(np.mean(hits)), 4),
            "decoys_above": round(float(np.mean(above)), 4) if above else None,
            "n_seekers": len(hits)}


def _candidates(groups: dict) -> tuple[list[dict], list[set[int]], list[set[int]]]:
    """Members built from labelled answers: per group one member holding its right answers
    (an identity as specialty, the offers as offers; a second identity is another member), and
    one member per wrong answer. Returns (members, right members per group, decoys per group)."""
    members, good, decoys = [], [], []
    for rows in groups.values():
        pos = [r for r in rows if r["relevant"]]
        ids = [r["answer"] for r in pos if r["answer_kind"] == "identity"]
        offers = [r["answer"] for r in pos if r["answer_kind"] == "offer"]
        mine = {len(members)}
        members.append({"specialty": ids[0] if ids else offers[0], "offers": offers})
        for extra in ids[1:]:
            mine.add(len(members))
            members.append({"specialty": extra, "offers": []})
        bad = set()
        for r in rows:
            if not r["relevant"]:
                if r["decoy"]:
                    bad.add(len(members))
                offers = [r["answer"]] if r["answer_kind"] == "offer" else []
                members.append({"specialty": r["answer"], "offers": offers})
        good.append(mine)
        decoys.append(bad)
    return members, good, decoys


def need_offer_eval(rows: list[dict], cache, need_fit, *, need_key: str = "seek") -> dict:
    """Model vs plain seek->offer cosine vs the reciprocal harmonic mean of cosines, on
    need-answer rows grouped by need: ranking every need against every candidate member, and
    the precision of the reasons each would write on the labelled rows."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r[need_key], []).append(r)
    members, good, decoys = _candidates(groups)
    Q = cache(list(groups))
    spec = cache([c["specialty"] for c in members])
    offers = np.stack([_unit(cache(c["offers"]).mean(axis=0)) if c["offers"] else spec[k]
                       for k, c in enumerate(members)])
    # the model: best answer over each candidate's offer phrases and who they are
    best = Q @ spec.T
    for k, c in enumerate(members):
        if c["offers"]:
            best[:, k] = np.maximum(best[:, k], (Q @ cache(c["offers"]).T).max(axis=1))
    plain = Q @ offers.T  # the seeker's seek against the candidate's offers side
    # reciprocal: candidates wrote no seeks (side falls back on the specialty), nor the seeker
    # offers (falls back on their specialty, here the seek itself)
    back = Q @ spec.T
    harm = 2 * _ramp(plain) * _ramp(back) / np.clip(_ramp(plain) + _ramp(back), 1e-12, None)
    out = {name: _rank_metrics(S, good, decoys) for name, S in
           (("model", need_fit.proba(best)), ("cosine", plain), ("harmonic", harm))}
    # reasons on the labelled rows: the model claims at its calibrated threshold (offers and
    # identities); the old reasons claimed at cosine 0.35, offers only
    cos = (cache([r[need_key] for r in rows]) * cache([r["answer"] for r in rows])).sum(axis=1)
    y = np.array([r["relevant"] for r in rows], dtype=bool)
    offer = np.array([r["answer_kind"] == "offer" for r in rows], dtype=bool)
    for name, claims in (("model", need_fit.claims(cos)), ("cosine", offer & (cos >= OLD_CLAIM)),
                         ("harmonic", offer & (cos >= OLD_CLAIM))):
        out[name]["reason_precision"] = round(float(y[claims].mean()), 4) if claims.any() else None
        out[name]["reason_recall"] = round(float(claims[y].mean()), 4)
        out[name]["n_claims"] = int(claims.sum())
    out["n_needs"], out["n_candidates"] = len(groups), len(members)
    return out


def relation_eval(lp, *, split: str = "heldout") -> dict:
    """On the labelled pairs of ``split`` (a :class:`LabelledPairs` scored with the shipped
    model): relation figures, ranking among the split's profiles, and reason precision."""
    from ..reasons import claimed
    from .features import PairFeatures

    sc = lp.scorer
    m = sc.matrix_
    keep = lp.split == split
    pairs = [p for p, k in zip(lp.pairs, keep, strict=True) if k]
    X = PairFeatures().transform({k: v[keep] for k, v in lp.components.items()})
    pred = sc.model_.predict(X)
    y = lp.y[keep]
    out = {"relations": relation_metrics(pred, y)}
    rows = np.array(sorted({m.index(p[s]) for p in pairs for s in ("a", "b")}))
    pos = {int(r): k for k, r in enumerate(rows)}
    n = len(rows)
    S = np.zeros((n, n))
    comp = np.zeros((n, n), dtype=bool)
    for a, i in enumerate(rows):
        s, rel, _ = sc.score_rows(int(i), rows)
        S[a], comp[a] = s, rel == "competitor"
    # baselines from the members' side vectors (offers/seeks fall back on the specialty)
    plain = m.seeks[rows] @ m.offers[rows].T
    harm_ab, harm_ba = _ramp(plain), _ramp(plain.T)
    harm = 2 * harm_ab * harm_ba / np.clip(harm_ab + harm_ba, 1e-12, None)
    good = [set() for _ in range(n)]
    peers = [set() for _ in range(n)]
    for p in pairs:
        a, b = pos[m.index(p["a"])], pos[m.index(p["b"])]
        for x, z in ((a, b), (b, a)):
            if p["relation"] in ("complement", "referral-partner"):
                good[x].add(z)
            elif p["relation"] == "peer":
                peers[x].add(z)
    seekers = [a for a in range(n) if good[a]]
    for name, M, hide in (("model", S, comp), ("cosine", plain, None), ("harmonic", harm, None)):
        M = M.astype(float).copy()
        np.fill_diagonal(M, -np.inf)
        if hide is not None:
            M[hide] = -np.inf  # competitors are never recommended
        out[name] = _rank_metrics(M[seekers], [good[a] for a in seekers],
                                  [peers[a] for a in seekers])
    # reasons: a claim "X's offer answers Y's need" is right on a complement or referral pair;
    # the model's reasons claim nothing for a pair it calls competitors (pair_reasons)
    right, made, old_right, old_made = 0, 0, 0, 0
    for p, shown in zip(pairs, pred, strict=True):
        i, j = m.index(p["a"]), m.index(p["b"])
        ok = p["relation"] in ("complement", "referral-partner")
        for a, b in ((i, j), (j, i)):
            if shown != "competitor" and claimed(sc, a, b) is not None:
                made += 1
                right += ok
            q, o = m.phrase_vectors.get((a, "seeks")), m.phrase_vectors.get((b, "offers"))
            if q is not None and o is not None and (q @ o.T).max() >= OLD_CLAIM:
                old_made += 1
                old_right += ok
    out["model"]["reason_precision"] = round(right / made, 4) if made else None
    out["model"]["n_claims"] = made
    for name in ("cosine", "harmonic"):
        out[name]["reason_precision"] = round(old_right / old_made, 4) if old_made else None
        out[name]["n_claims"] = old_made
    out["n_pairs"], out["n_profiles"] = len(pairs), n
    return out


def evaluate(encoder=None) -> dict:
    """Everything ``matcher eval pairs`` prints: held-out figures of the shipped model and of
    the baselines, measured in one run. ``encoder`` (default: the shipped one, which loads its
    model only when used) embeds labelled profile texts the phrase cache lacks."""
    from ..embedding import get_encoder
    from ..pair_calibration import labelled_pairs
    from .cache import CachedEncoder, PhraseCache
    from .fit import read_need_offer
    from .generate import read_generated
    from .need_fit import NeedFit

    cache = PhraseCache()
    nf = NeedFit.load()
    hand = read_need_offer()
    gen = [dict(r, seek=r["need"]) for r in read_generated() if r["split"] == "test"]
    lp = labelled_pairs(CachedEncoder(cache, encoder or get_encoder()))
    return {
        "need_offer_heldout": need_offer_eval([r for r in hand if r["split"] == "heldout"],
                                              cache, nf),
        "generated_test": need_offer_eval(gen, cache, nf),
        "pairs_heldout": relation_eval(lp),
        "pairs_heldout2": relation_eval(lp, split="heldout2"),
        "claim_cosine": round(nf.claim_cosine_, 4),
    }

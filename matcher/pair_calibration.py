"""Calibrate the relation thresholds on labelled pairs and measure them.

``data/labelled/pair_profiles.csv`` and ``pairs.csv`` hold hand-labelled pairs (complement,
referral-partner, competitor, peer). :func:`calibrate` searches the thresholds of
:class:`~matcher.scoring.Thresholds` by coordinate ascent on macro-F1 and writes them with
their figures to ``data/pair_thresholds.json``; :func:`evaluate_pairs` reports precision and
recall per relation, in-sample and 5-fold cross-validated (thresholds fitted on four folds,
measured on the fifth).
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, fields, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .profiles import Member
from .scoring import RELATIONS, THRESHOLDS_FILE, PairScorer, Thresholds, classify
from .vectors import encode_members, industry_query, profile_text

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled"
GRID = {
    "competitor_specialty": np.arange(0.40, 0.96, 0.05),
    "competitor_offers": np.arange(0.30, 0.96, 0.05),
    "competitor_field": np.arange(0.50, 1.01, 0.05),
    "field_specialty": np.arange(0.30, 0.86, 0.05),
    "field_offers": np.arange(0.0, 0.86, 0.05),
    "complement_mutual": np.arange(0.0, 0.61, 0.05),
    "complement_industry": np.arange(0.05, 1.01, 0.05),
    "customers_same": np.arange(0.1, 1.01, 0.1),
    "competitor_specialty_same_customers": np.arange(0.40, 0.96, 0.05),
    "competitor_offers_same_customers": np.arange(0.2, 0.81, 0.05),
    "field_industry": np.arange(0.3, 1.01, 0.05),
}


def labelled_pairs(encoder, folder: Path = LABELLED):
    """(components dict of arrays over pairs, labels array) for the labelled pairs."""
    from .industry import default_index
    from .roles import RoleClassifier, load_taxonomy, role_features

    with open(folder / "pair_profiles.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    members = [Member(id=r["id"], name=r["name"], headline=r["headline"],
                      specialty=r["specialty"], offers=r["offers"], seeks=r["seeks"],
                      location=r["location"]) for r in rows]
    with open(folder / "pairs.csv", newline="", encoding="utf-8-sig") as fh:
        pairs = list(csv.DictReader(fh))
    matrix = encode_members(members, encoder)
    index = default_index()
    matches = index.infer(industry_query(matrix))
    markets = [m.market for m in matches]
    X = role_features(matrix.profile, [m.consumer_share for m in matches], markets)
    roles = RoleClassifier.load().predict(X, [profile_text(m) for m in members])
    scorer = PairScorer().fit(matrix, codes=[m.code for m in matches], markets=markets,
                              roles=roles, synergy=load_taxonomy().synergy, index=index)
    comps = [scorer.components(matrix.index(p["a"]), np.array([matrix.index(p["b"])]))
             for p in pairs]
    c = {k: np.concatenate([x[k] for x in comps]) for k in comps[0]}
    return c, np.array([p["relation"] for p in pairs], dtype=object)


def metrics(pred: np.ndarray, y: np.ndarray) -> dict:
    per = {}
    for rel in RELATIONS:
        tp = int(((pred == rel) & (y == rel)).sum())
        p = tp / max(int((pred == rel).sum()), 1)
        r = tp / max(int((y == rel).sum()), 1)
        per[rel] = {"precision": round(p, 4), "recall": round(r, 4),
                    "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4), "n": int((y == rel).sum())}
    return {"macro_f1": round(float(np.mean([m["f1"] for m in per.values()])), 4),
            "accuracy": round(float((pred == y).mean()), 4), "per_relation": per}


def fit_thresholds(c: dict, y: np.ndarray, *, passes: int = 3) -> Thresholds:
    """Coordinate ascent on macro-F1 over :data:`GRID`, from the defaults; then each threshold
    goes back to its default where that scores as well (a tie is no evidence to move it)."""
    t = Thresholds()
    best = metrics(classify(c, t), y)["macro_f1"]
    for _ in range(passes):
        for f in fields(Thresholds):
            for v in GRID[f.name]:
                cand = replace(t, **{f.name: round(float(v), 3)})
                score = metrics(classify(c, cand), y)["macro_f1"]
                if score > best + 1e-9:
                    best, t = score, cand
    for f in fields(Thresholds):
        cand = replace(t, **{f.name: f.default})
        if metrics(classify(c, cand), y)["macro_f1"] >= best - 1e-9:
            t = cand
    return t


def cross_validate(c: dict, y: np.ndarray, *, folds: int = 5, seed: int = 0) -> dict:
    from sklearn.model_selection import StratifiedKFold

    pred = np.empty(len(y), dtype=object)
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(y, y):
        t = fit_thresholds({k: v[tr] for k, v in c.items()}, y[tr])
        pred[te] = classify({k: v[te] for k, v in c.items()}, t)
    return metrics(pred, y)


def calibrate(encoder, *, out: Path = THRESHOLDS_FILE) -> dict:
    c, y = labelled_pairs(encoder)
    t = fit_thresholds(c, y)
    doc = {
        "source": "Calibrated by `python -m matcher.pair_calibration` on data/labelled/pairs.csv",
        "date": datetime.now(UTC).date().isoformat(),
        "thresholds": asdict(t),
        "calibrated": metrics(classify(c, t), y),
        "cross_validated": cross_validate(c, y),
    }
    out.write_text(json.dumps(doc, indent=2) + "\n")
    return doc


def evaluate_pairs(encoder) -> dict:
    """Figures of the shipped thresholds on the labelled pairs, and cross-validated ones."""
    c, y = labelled_pairs(encoder)
    return {"n_pairs": int(len(y)), "thresholds": asdict(Thresholds.load()),
            "calibrated": metrics(classify(c, Thresholds.load()), y),
            "cross_validated": cross_validate(c, y)}


if __name__ == "__main__":
    from .embedding import get_encoder

    result = calibrate(get_encoder())
    print(json.dumps({k: result[k] for k in ("thresholds", "calibrated", "cross_validated")}, indent=2))

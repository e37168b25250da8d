"""Outside-style communities with hand-written answer keys: does the product put a true answer
in each seeker's top k, and does any reason claim an answer that is not one?

Each community folder (``data/labelled/communities/NAME/``) holds ``members.csv`` and
``key.csv`` (README.md there). A community is imported into a fresh in-memory store the way
``matcher import`` does it, and every keyed seeker gets the product's own top-k list
(:meth:`~matcher.engine.Engine.recommend_many`: the fitted scorer, exclusions, exposure cap and
diversity). Three baselines rank the same members in the same run: plain cosine of the seek
phrase against each member's whole profile text, a list per seek (``cosine``: an easier task
than the product's, whose one list serves all of a seeker's needs); the same cosine with one
list per seeker, ranked by the best of their seeks (``cosine_seeker``: the product's task);
and the reciprocal harmonic mean of ramped cosines (seek -> their offers, their seeks -> the
seeker's offers; sides without phrases fall back on the specialty).

Figures per key row (one seek), from the top-k list only, so the product and the baselines are
measured alike:

- ``hit``: any of the seek's answer ids is in the top k;
- ``rr``: 1 / the 1-based position of the first answer in the top k, 0 if none (MRR@k);
- ``decoy_above``: for rows that list decoys, a decoy is in the top k ahead of every answer
  (an answer missing from the top k counts as below any decoy shown);

and per seeker, ``seeker_hit``: some keyed seek of theirs is hit. A **false claim** is a reason
shown to a keyed seeker saying a member's offer or work answers what the seeker seeks
(:func:`matcher.reasons.answer_sentence` from :func:`matcher.reasons.claimed`) where that member
is not in the answers of any of the seeker's keyed seeks; a claim naming a seek the member does
not answer while answering another of the seeker's seeks is listed apart as ``misattributed``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import RowError, ValidationFailed

__all__ = ["COMMUNITIES", "K", "KeyRow", "evaluate", "evaluate_community", "read_key",
           "seek_figures", "summarise"]

COMMUNITIES = Path(__file__).resolve().parents[1] / "data" / "labelled" / "communities"
HELDOUT = COMMUNITIES.parent / "communities_heldout"  # set 2, written after set 1 was used
K = 5
KEY_COLUMNS = ("seeker_id", "seek", "answer_ids", "hard_decoy_ids")
METHODS = ("model", "cosine", "cosine_seeker", "harmonic")


@dataclass(frozen=True)
class KeyRow:
    """One keyed seek: who wrote it, the phrase, who truly answers it, who only looks like it."""

    seeker_id: str
    seek: str
    answers: frozenset[str]
    decoys: frozenset[str]


def _ids(text: str) -> frozenset[str]:
    return frozenset(p.strip() for p in (text or "").split(";") if p.strip())


def read_key(data: str | bytes, seeks: dict[str, Sequence[str]]) -> list[KeyRow]:
    """Parse ``key.csv`` against the imported members (``seeks``: member id -> their seek
    phrases). Every problem is a :class:`~matcher.errors.RowError` naming the row (1-based over
    the data records), the field and the value; any problem raises
    :class:`~matcher.errors.ValidationFailed` listing all of them."""
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    missing = [c for c in KEY_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed([RowError(0, c, f"the key has no column {c!r}; its columns are "
                                         f"{reader.fieldnames}") for c in missing])
    rows, errors = [], []
    for n, rec in enumerate(reader, start=1):
        seeker, seek = (rec["seeker_id"] or "").strip(), (rec["seek"] or "").strip()
        answers, decoys = _ids(rec["answer_ids"]), _ids(rec["hard_decoy_ids"])
        if seeker not in seeks:
            errors.append(RowError(n, "seeker_id", f"no member {seeker!r} in the community"))
        elif seek not in seeks[seeker]:
            errors.append(RowError(n, "seek", f"{seek!r} is not one of {seeker}'s seeks "
                                   f"{list(seeks[seeker])}"))
        if not answers:
            errors.append(RowError(n, "answer_ids", f"no answer id given ({rec['answer_ids']!r})"))
        for name, ids in (("answer_ids", answers), ("hard_decoy_ids", decoys)):
            for i in sorted(ids - seeks.keys()):
                errors.append(RowError(n, name, f"no member {i!r} in the community"))
            if seeker in ids:
                errors.append(RowError(n, name, f"the seeker {seeker!r} cannot answer themself"))
        for i in sorted(answers & decoys):
            errors.append(RowError(n, "hard_decoy_ids", f"{i!r} is both an answer and a decoy"))
        rows.append(KeyRow(seeker, seek, answers, decoys))
    if errors:
        raise ValidationFailed(errors)
    return rows


def seek_figures(top: Sequence[str], answers: Iterable[str], decoys: Iterable[str]) -> dict:
    """``hit``, ``rr`` and ``decoy_above`` (None without decoys) of one top-k list.

    >>> seek_figures(["x", "d", "a"], {"a"}, {"d"})
    {'hit': True, 'rr': 0.3333, 'decoy_above': True}
    >>> seek_figures(["a", "d"], {"a"}, set())
    {'hit': True, 'rr': 1.0, 'decoy_above': None}
    """
    answers, decoys = set(answers), set(decoys)
    first = next((p for p, m in enumerate(top) if m in answers), None)
    shown = top if first is None else top[:first]
    return {"hit": first is not None, "rr": 0.0 if first is None else round(1 / (first + 1), 4),
            "decoy_above": bool(decoys & set(shown)) if decoys else None}


def summarise(rows: Sequence[dict]) -> dict:
    """Rates over key rows carrying ``seeker_id`` and :func:`seek_figures`: ``hit_rate``
    (top-k hit per seek), ``seeker_hit`` (per seeker: any keyed seek hit), ``mrr``,
    ``decoy_above`` (over the rows with decoys) and the counts."""
    if not rows:
        return {"hit_rate": None, "seeker_hit": None, "mrr": None, "decoy_above": None,
                "n_seeks": 0, "n_seekers": 0, "n_with_decoys": 0}
    by_seeker: dict[str, bool] = {}
    for r in rows:
        by_seeker[r["seeker_id"]] = by_seeker.get(r["seeker_id"], False) or r["hit"]
    decoyed = [r["decoy_above"] for r in rows if r["decoy_above"] is not None]
    return {"hit_rate": round(float(np.mean([r["hit"] for r in rows])), 4),
            "seeker_hit": round(float(np.mean(list(by_seeker.values()))), 4),
            "mrr": round(float(np.mean([r["rr"] for r in rows])), 4),
            "decoy_above": round(float(np.mean(decoyed)), 4) if decoyed else None,
            "n_seeks": len(rows), "n_seekers": len(by_seeker), "n_with_decoys": len(decoyed)}


def _baseline_tops(engine, key: list[KeyRow], k: int) -> dict[str, list[list[str]]]:
    """Top-k member ids per key row for the three baselines (the seeker left out)."""
    from .pairs.quality import FIT_HIGH, FIT_LOW
    from .scoring import harmonic

    m = engine.matrix()
    ids = np.array(m.ids)
    Q = engine.text_vectors([r.seek for r in key])

    def ramp(cos):
        return np.clip((cos - FIT_LOW) / (FIT_HIGH - FIT_LOW), 0.0, 1.0)

    out: dict[str, list[list[str]]] = {"cosine": [], "cosine_seeker": [], "harmonic": []}
    best: dict[str, np.ndarray] = {}  # per seeker: the best of their seeks' cosines
    for q, r in zip(Q, key, strict=True):
        plain = m.profile @ q
        best[r.seeker_id] = np.maximum(best.get(r.seeker_id, plain), plain)
    for q, r in zip(Q, key, strict=True):
        i = m.index(r.seeker_id)
        plain = m.profile @ q
        recip = harmonic(ramp(m.offers @ q), ramp(m.seeks @ m.offers[i]))
        for name, s in (("cosine", plain), ("cosine_seeker", best[r.seeker_id]),
                        ("harmonic", recip)):
            s = np.asarray(s, dtype=float).copy()
            s[i] = -np.inf
            order = np.argsort(-s, kind="stable")[:k]
            out[name].append([str(x) for x in ids[order]])
    return out


def _claims(scorer, seeker: int, rows: list[dict]) -> list[dict]:
    """The answer claims among the reasons shown to ``seeker`` for their recommended ``rows``."""
    from .reasons import answer_sentence, claimed, first_name

    m = scorer.matrix_
    out = []
    for pos, row in enumerate(rows, start=1):
        j = m.index(row["member_id"])
        ans = claimed(scorer, seeker, j)
        if ans is None:
            continue
        sentence = answer_sentence(ans, first_name(m.members[j].name), "you", you_answer=False)
        if sentence in row["reasons"]:
            out.append({"member_id": row["member_id"], "position": pos, "seek": ans.seek,
                        "kind": ans.kind, "cosine": round(ans.cosine, 4), "text": sentence})
    return out


def evaluate_community(folder: str | Path, *, encoder=None, k: int = K) -> dict:
    """Import ``folder``'s members into a fresh store, take the product's top ``k`` for every
    keyed seeker, score the key and the claims, and rank the baselines in the same run."""
    from .engine import Engine
    from .importing import read_file
    from .store import Store

    folder = Path(folder)
    store = Store("sqlite://")
    try:
        engine = Engine(store, encoder=encoder)
        engine.import_file(read_file(folder / "members.csv"))
        members = store.members()
        key = read_key((folder / "key.csv").read_bytes(), {x.id: x.seeks for x in members})
        seekers = list(dict.fromkeys(r.seeker_id for r in key))
        lists = engine.recommend_many(seekers, k)
        scorer = engine.scorer().scorer
        tops = {"model": [[x["member_id"] for x in lists[r.seeker_id]] for r in key],
                **_baseline_tops(engine, key, k)}
    finally:
        store.close()
    names = {x.id: x.name for x in members}
    rows = [{"seeker_id": r.seeker_id, "seek": r.seek, "answers": sorted(r.answers),
             "decoys": sorted(r.decoys),
             "top": {name: tops[name][n] for name in METHODS},
             "figures": {name: seek_figures(tops[name][n], r.answers, r.decoys)
                         for name in METHODS}} for n, r in enumerate(key)]
    out = _summary(rows)
    right: dict[str, set[str]] = {}
    for r in key:
        right.setdefault(r.seeker_id, set()).update(r.answers)
    claims, false, misattributed = [], [], []
    for s in seekers:
        for c in _claims(scorer, scorer.matrix_.index(s), lists[s]):
            c = {"seeker_id": s, "seeker": names[s], "member": names[c["member_id"]], **c}
            claims.append(c)
            if c["member_id"] not in right[s]:
                false.append(c)
            elif not any(c["member_id"] in r.answers for r in key
                         if r.seeker_id == s and r.seek == c["seek"]):
                misattributed.append(c)
    out["model"].update(_claim_counts(len(claims), len(false), len(misattributed)))
    out.update(n_members=len(members), claims=claims, false_claims=false,
               misattributed_claims=misattributed, rows=rows)
    return out


def _summary(rows: list[dict]) -> dict:
    """:func:`summarise` per method over key rows holding each method's figures."""
    return {name: summarise([{"seeker_id": r["seeker_id"], **r["figures"][name]} for r in rows])
            for name in METHODS}


def _claim_counts(claims: int, false: int, misattributed: int) -> dict:
    return {"n_claims": claims, "n_false_claims": false, "n_misattributed": misattributed,
            "claim_precision": round(1 - (false + misattributed) / claims, 4) if claims else None}


def evaluate(root: str | Path = COMMUNITIES, *, names: Sequence[str] | None = None,
             encoder=None, k: int = K) -> dict:
    """:func:`evaluate_community` for every community folder under ``root`` (or ``names``),
    and the figures pooled over all their key rows (``overall``)."""
    root = Path(root)
    if names is None:
        names = sorted(p.name for p in root.iterdir() if (p / "key.csv").is_file())
    if not names:
        raise ValueError(f"no community folder (with members.csv and key.csv) under {str(root)!r}")
    communities, pooled = {}, []
    for name in names:
        folder = root / name
        if not (folder / "members.csv").is_file() or not (folder / "key.csv").is_file():
            raise ValueError(f"community {name!r}: expected members.csv and key.csv in "
                             f"{str(folder)!r}")
        part = communities[name] = evaluate_community(folder, encoder=encoder, k=k)
        pooled += [{**r, "seeker_id": f"{name}/{r['seeker_id']}"} for r in part["rows"]]
    overall = _summary(pooled)
    overall["model"].update(_claim_counts(
        *(sum(c["model"][f] for c in communities.values())
          for f in ("n_claims", "n_false_claims", "n_misattributed"))))
    return {"k": k, "communities": communities, "overall": overall}

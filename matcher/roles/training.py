"""Train the market model and the role classifier, and evaluate them on the held-out set.

Training data: the hand-written ``data/labelled/roles.csv`` (minus rows whose occupation is a
held-out one) and the generated ``roles_generated.csv`` (O*NET / NAICS text in every register).
Evaluation: ``roles_heldout.csv`` (hand-written before tuning, whole occupations unseen) and
``roles_heldout2.csv`` (hand-written before the second round of tuning), per register, against the plain nearest-NAICS-phrase baseline in the same run.
``matcher train-roles`` and ``matcher eval roles`` call these.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..industry import market_of
from ..market import (
    BUSINESS_AUDIENCE,
    CONSUMER_AUDIENCE,
    MarketModel,
    market_features,
    market_from_p,
    mixed_audience,
)
from ..market import MODEL_PATH as MARKET_PATH
from ..profiles import ROLES, Member
from ..vectors import profile_text, trade_text
from .classifier import MODEL_PATH, RoleClassifier, role_features
from .reading import read_markets

DATA = Path(__file__).resolve().parents[2] / "data" / "labelled"
LABELLED = DATA / "roles.csv"
GENERATED = DATA / "roles_generated.csv"
HELDOUT = DATA / "roles_heldout.csv"
HELDOUT2 = DATA / "roles_heldout2.csv"
CARD_PATH = MODEL_PATH.with_suffix(".md")
REGISTERS = ("bio", "blurb", "title", "headline", "company", "typo")
CACHE = Path(tempfile.gettempdir()) / "rolecall-role-vectors.npz"


@dataclass
class Rows:
    members: list[Member]
    roles: list[str]
    markets: list[str]  # "" where unknown
    registers: list[str]
    groups: list[str]  # occupation (SOC) or industry (NAICS) or row id: never split apart
    socs: list[str]


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def load_rows(path: Path) -> Rows:
    """Rows of ``roles.csv`` (headline, specialty, offers, seeks) or of the text-only files."""
    members, roles, markets, registers, groups, socs = [], [], [], [], [], []
    for i, r in enumerate(_read(path), start=2):
        if r.get("role") not in ROLES:
            raise ValueError(f"{path.name} row {i}: role {r.get('role')!r} is not one of {ROLES}")
        if "text" in r:
            m = Member(id=r["id"], name=r["id"], specialty=r["text"])
        else:
            m = Member(id=r["id"], name=r["id"], headline=r["headline"], specialty=r["specialty"],
                       offers=r["offers"], seeks=r["seeks"])
        market = r.get("market", "")
        if market not in ("", "businesses", "consumers", "both"):
            raise ValueError(f"{path.name} row {i}: market {market!r} is not a market")
        members.append(m)
        roles.append(r["role"])
        markets.append(market)
        registers.append(r.get("register") or "blurb")
        socs.append(r.get("soc", ""))
        groups.append(r.get("soc") or r.get("naics") or r["id"])
    return Rows(members, roles, markets, registers, groups, socs)


def _concat(a: Rows, b: Rows) -> Rows:
    return Rows(*(getattr(a, f) + getattr(b, f) for f in Rows.__dataclass_fields__))


def _subset(rows: Rows, keep: np.ndarray) -> Rows:
    return Rows(*([getattr(rows, f)[i] for i in np.flatnonzero(keep)]
                  for f in Rows.__dataclass_fields__))


def embed(texts: list[str], encoder) -> np.ndarray:
    """Sentence vectors, cached on disk by text hash (training re-reads ~8,000 texts)."""
    from ..embedding.weights import MODEL_NAME

    keys = [hashlib.sha1(f"{MODEL_NAME}|{t}".encode()).hexdigest() for t in texts]
    cache: dict[str, np.ndarray] = {}
    if CACHE.is_file():
        with np.load(CACHE, allow_pickle=False) as z:
            cache = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))
    todo = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in cache))
    if todo:
        for t, v in zip(todo, encoder.encode(todo), strict=True):
            cache[hashlib.sha1(f"{MODEL_NAME}|{t}".encode()).hexdigest()] = v
        np.savez(CACHE, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())))
    return np.stack([cache[k] for k in keys]).astype(np.float32)


@dataclass
class Features:
    profile: np.ndarray
    trade: np.ndarray
    profile_texts: list[str]
    trade_texts: list[str]


def features(rows: Rows, encoder) -> Features:
    pt = [profile_text(m) for m in rows.members]
    tt = [trade_text(m) for m in rows.members]
    return Features(embed(pt, encoder), embed(tt, encoder), pt, tt)


def training_rows(occupations, encoder) -> Rows:
    """Generated rows plus the hand-written ones whose occupation is not held out."""
    from .generate import heldout_codes

    held_soc, _ = heldout_codes()
    hand = load_rows(LABELLED)
    tt = [trade_text(m) for m in hand.members]
    occ = occupations.infer(tt, embed(tt, encoder))
    keep = np.array([o.soc not in held_soc for o in occ])
    hand = _subset(hand, keep)
    hand.socs = [o.soc for o, k in zip(occ, keep, strict=True) if k]
    return _concat(hand, load_rows(GENERATED))


def train(encoder, index, occupations, *, C: float = 10.0, seed: int = 0,
          out: Path = MODEL_PATH, market_out: Path = MARKET_PATH):
    """Fit the market model and the role classifier; save both and the model card."""
    from sklearn.model_selection import GroupKFold

    rows = training_rows(occupations, encoder)
    f = features(rows, encoder)
    raw = index.infer(f.trade)
    occ = occupations.infer(f.trade_texts, f.trade)
    prototypes = (encoder.encode(list(CONSUMER_AUDIENCE)), encoder.encode(list(BUSINESS_AUDIENCE)))
    M = market_features(f.trade_texts, f.trade, raw, occ, prototypes)
    y_market = np.array(rows.markets)
    labelled = np.isin(y_market, ["consumers", "businesses"])
    groups = np.array(rows.groups)
    # out-of-fold P(consumers) for the rows the market model learns from (no leak into roles)
    p = np.zeros(len(rows.members))
    lab = np.flatnonzero(labelled)
    for tr, te in GroupKFold(5).split(lab, groups=groups[lab]):
        mm = MarketModel().fit(M[lab[tr]], list(y_market[lab[tr]]), prototypes)
        p[lab[te]] = mm.predict_proba(M[lab[te]])
    market_model = MarketModel().fit(M[labelled], list(y_market[labelled]), prototypes)
    p[~labelled] = market_model.predict_proba(M[~labelled])
    market_model.save(market_out)

    mixed = np.array([mixed_audience(t) for t in f.trade_texts])
    markets = [market_from_p(x, mixed=m) for x, m in zip(p, mixed, strict=True)]
    X = role_features(f.profile, p, markets)
    model = RoleClassifier(C=C, random_state=seed).fit(X, f.profile_texts, rows.roles,
                                                       groups=list(groups))
    model.save(out)
    report = {
        "n_train": len(rows.members),
        "per_role": {r: rows.roles.count(r) for r in ROLES},
        "per_register": {g: rows.registers.count(g) for g in sorted(set(rows.registers))},
        "temperature": model.temperature_,
        "market_oof_accuracy": float(np.mean(np.array(markets)[labelled] == y_market[labelled])),
        "market_oof_accuracy_company": float(np.mean(
            (np.array(markets) == y_market)[labelled & (np.array(rows.registers) == "company")])),
        "n_both_train": int((y_market == "both").sum()),
        "both_train_read_as_both": float(np.mean(np.array(markets)[y_market == "both"] == "both"))
        if (y_market == "both").any() else None,
        "heldout": evaluate_heldout(encoder, index, occupations, model=model,
                                    market_model=market_model),
        "heldout2": evaluate_heldout(encoder, index, occupations, model=model,
                                     market_model=market_model, path=HELDOUT2),
    }
    write_card(report, C=C, seed=seed, path=out.with_suffix(".md"))
    return model, report


def expected_calibration_error(prob: np.ndarray, codes: np.ndarray, bins: int = 10) -> float:
    conf = prob.max(axis=1)
    correct = prob.argmax(axis=1) == codes
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return float(ece)


def _macro_f1(y: list[str], pred: list[str]) -> float:
    from sklearn.metrics import f1_score

    labels = sorted(set(y))
    return float(f1_score(y, pred, labels=labels, average="macro", zero_division=0))


def _nearest_phrase_market(index, vectors: np.ndarray) -> list[str]:
    """The baseline: the market of the single nearest NAICS index phrase."""
    return [m.market for m in index.infer(vectors, k=1)]


def evaluate_heldout(encoder, index, occupations, *, model: RoleClassifier | None = None,
                     market_model: MarketModel | None = None, path: Path = HELDOUT) -> dict:
    """Role accuracy and macro-F1 per register, market accuracy, ECE and consumer-facing
    professionals read as non-b2b-rep, against the nearest-NAICS-phrase baseline (market; role:
    non-b2b-rep if that market is consumers, else b2b-provider)."""
    model = model or RoleClassifier.load()
    market_model = market_model or MarketModel.load()
    rows = load_rows(path)
    f = features(rows, encoder)
    reading = read_markets(f.trade_texts, f.trade, index=index, occupations=occupations,
                           model=market_model)
    p = np.array([r.p_consumers for r in reading])
    market = [r.industry.market for r in reading]
    proba = model.predict_proba(role_features(f.profile, p, market), f.profile_texts)
    pred = [ROLES[i] for i in proba.argmax(axis=1)]
    base_market = _nearest_phrase_market(index, f.trade)
    base_role = ["non-b2b-rep" if m == "consumers" else "b2b-provider" for m in base_market]
    y = np.array(rows.roles)
    ym = np.array(rows.markets)
    reg = np.array(rows.registers)
    pred, market = np.array(pred), np.array(market)
    base_market, base_role = np.array(base_market), np.array(base_role)
    consumer_pro = (y == "non-b2b-rep") & (reg != "company")

    def block(sel: np.ndarray) -> dict:
        ms = sel & (ym != "")
        return {
            "n": int(sel.sum()),
            "role_accuracy": round(float((pred[sel] == y[sel]).mean()), 4),
            "role_macro_f1": round(_macro_f1(list(y[sel]), list(pred[sel])), 4),
            "baseline_role_accuracy": round(float((base_role[sel] == y[sel]).mean()), 4),
            "n_market": int(ms.sum()),
            "market_accuracy": round(float((market[ms] == ym[ms]).mean()), 4) if ms.any() else None,
            "baseline_market_accuracy": (round(float((base_market[ms] == ym[ms]).mean()), 4)
                                         if ms.any() else None),
        }

    codes = np.array([ROLES.index(r) for r in y])
    return {
        "n": len(y),
        "overall": block(np.ones(len(y), bool)),
        "per_register": {g: block(reg == g) for g in REGISTERS if (reg == g).any()},
        "consumer_professionals": {
            "n": int(consumer_pro.sum()),
            "read_as_non_b2b_rep": round(float((pred[consumer_pro] == "non-b2b-rep").mean()), 4),
            "baseline": round(float((base_role[consumer_pro] == "non-b2b-rep").mean()), 4),
        },
        "ece": round(expected_calibration_error(proba, codes), 4),
        "mean_confidence": round(float(proba.max(axis=1).mean()), 4),
        "occupation_soc_accuracy": round(float(np.mean(
            [r.occupation.soc == s for r, s in zip(reading, rows.socs, strict=True) if s])), 4),
        "baseline_name": "market of the nearest NAICS index phrase (k=1); role: non-b2b-rep "
                         "if that market is consumers, else b2b-provider",
        "share_threshold_note": f"market of a share: {market_of.__doc__}",
    }


def _table(h: dict) -> str:
    lines = ["| register | n | role acc. | role macro-F1 | baseline role acc. | market acc. | "
             "baseline market acc. |", "|---|---|---|---|---|---|---|"]
    for name, b in [("**all**", h["overall"]), *h["per_register"].items()]:
        ma = "-" if b["market_accuracy"] is None else f"{b['market_accuracy']:.2f}"
        mb = "-" if b["baseline_market_accuracy"] is None else f"{b['baseline_market_accuracy']:.2f}"
        lines.append(f"| {name} | {b['n']} | {b['role_accuracy']:.2f} | {b['role_macro_f1']:.2f} | "
                     f"{b['baseline_role_accuracy']:.2f} | {ma} | {mb} |")
    cp = h["consumer_professionals"]
    return "\n".join(lines) + (
        f"\n\nConsumer-facing professionals (non-b2b-rep rows other than company one-liners, "
        f"n={cp['n']}) read as non-b2b-rep: **{cp['read_as_non_b2b_rep']:.2f}** (baseline "
        f"{cp['baseline']:.2f}). ECE of the role probabilities {h['ece']:.3f} (mean top "
        f"probability {h['mean_confidence']:.2f}); occupation (SOC) exact on "
        f"{h['occupation_soc_accuracy']:.2f} of the person rows.")


def write_card(report: dict, *, C: float, seed: int, path: Path = CARD_PATH) -> None:
    counts = ", ".join(f"{r} {n}" for r, n in report["per_role"].items())
    regs = ", ".join(f"{r} {n}" for r, n in report["per_register"].items())
    h, h2 = report["heldout"], report["heldout2"]
    path.write_text(f"""# Model card: role classifier and market model

*Trained {datetime.now(UTC).date().isoformat()} by `matcher train-roles` (C={C}, seed={seed}).*

**What it does.** Reads a member's market (who their customers are: businesses, consumers or
both) and meetup role ({", ".join(ROLES)}) from their profile text. A declared role is always used
as given; the model's view is shown next to it and a confident disagreement is flagged.

**Data.** {report["n_train"]} training rows ({counts}; registers: {regs}):
`data/labelled/roles_generated.csv`, generated from O*NET 30.1 titles and tasks, NAICS 2022
index phrases and startup-directory, app-store and brand one-liners
(`matcher/roles/one_liners.py`) with rule-based labels (`python -m matcher.roles.generate`), and
the hand-written `data/labelled/roles.csv` minus rows whose occupation is held out. See
`data/labelled/README_roles.md`. Evaluation: two hand-written held-out sets (below).

This product includes information from the O*NET 30.1 Database by the U.S. Department of Labor,
Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license.

**Market model** (`models/role_market.npz`, `matcher/market.py`). Logistic regression (C=1) over
12 named features and the 384-dim sentence vector of the member's trade text: the BEA consumer
share and confidence of the text's NAICS industry (nearest index phrases), the
employment-weighted consumer share and confidence of the O*NET occupation read from the text
(BLS OEWS 2024 sectors), the cosine to consumer vs business audience phrases, counts of audience
words ("patients", "homeowners" vs "for startups", "B2B", "API"), the count of product words
("app", "software", "platform") alone and times the occupation's share (software *for* dentists
sells to practices), and second-person words ("your": app-store and brand copy). Out-of-fold
accuracy on the training rows (grouped by occupation / industry): {report["market_oof_accuracy"]:.3f}
(company one-liners {report["market_oof_accuracy_company"]:.3f}).
**Market rule:** `both` only when the text names consumer *and* business customers ("for
families and small businesses", "homes and offices"; `matcher.market.mixed_audience`), else
`consumers` if P(consumers) >= 0.5, else `businesses`. An uncertain probability is not mixed
evidence: a bare "Plumber" reads as one side. Of the {report["n_both_train"]} generated "both"
rows, {report["both_train_read_as_both"]:.2f} read as both.

**Role classifier** (`models/role_classifier.npz`). Multinomial logistic regression
(`class_weight="balanced"`) over the all-MiniLM-L6-v2 profile vector, the market block
(P(consumers) and a one-hot of the market, scaled by 2) and TF-IDF words and bigrams; temperature
scaling (T = {report["temperature"]:.3f}) fitted on out-of-fold logits with folds grouped by
occupation, i.e. calibrated on occupations the fold did not see. Displayed confidence is capped
at 95 %.

**Held-out evaluation** (`matcher eval roles`; baseline = {h["baseline_name"]}).

*Set 1*, `roles_heldout.csv` ({h["n"]} rows, 54 occupations and their company industries never
in training):

{_table(h)}

*Set 2*, `roles_heldout2.csv` ({h2["n"]} rows, written and committed before the second round of
tuning: startup-directory / app-store / brand one-liners, third-person bios of consumer trades
such as midwives, locksmiths, funeral directors and piano teachers, B2B professionals such as
customs brokers and actuaries). Its texts never appear in training, but 34 of its 48
occupations do appear in the generated O*NET rows (the others are set-1 occupations), so its
person rows test new wording more than new occupations:

{_table(h2)}

**Before this round** (commit 068915a, same files and baseline; `benchmarks/results/roles_quality.json`,
key `before`): set 1 role accuracy 0.944, market 0.882 (company 0.79), consumer-facing
professionals 0.99, ECE 0.032; set 2 role accuracy 0.912, market 0.841 (company 0.75),
consumer-facing professionals 0.98, ECE 0.064. Before the occupation knowledge (the classifier
trained on `roles.csv` alone, plain nearest-phrase market, set 1): role accuracy 0.860,
consumer-facing professionals 0.869, market 0.735 (company 0.559).

**Held-out hygiene.** Set 1 was written before any of this was built; after its first run, two
rounds of changes were made that its errors suggested, and it was looked at again after this
round, so its figures are optimistic. Set 2 was written and committed before this round
(`git log data/labelled/roles_heldout2.csv`), measured once on the previous models, whose error
list was read, then once after the changes, which were chosen on out-of-fold accuracy of the
training rows only (the one-liner vocabulary deliberately avoids set-2 phrasings). The
independent evaluation on real public text is the check that was not looked at.

**Limits.** Generated text is templated and labels follow rules (occupation market + stated
situation + stated buyer), not people's own words; both held-out sets are small, fictional and
US-centred, with few "both" rows (4 and 6). Market shares are per BEA commodity and per
occupation, not per firm: a plumber who serves only homeowners reads as consumers only when the
text says so. Incidental audience words can make a text read as "both" ("... keeps records of
sales ... for patients").
""")

"""(need, answer) pairs built from public data, for learning what answers a stated need.

Two sources, both public (see ``data/needs/README.md``):

- **BEA 2017 intermediate flows** (via ``/work/shared/data/industries``): when industry U buys a
  large share of its inputs from commodity C, a member of U *needs* what C's industries sell.
  The need is worded from a NAICS 2017 index phrase of a supplier code S ("Dental
  laboratories"); right answers are another index phrase of S (an offer) and S's NAICS
  description (who the supplier is). The hard negative is an index phrase of another 4-digit
  group that shares a content word with the need but from which U buys (almost) nothing; the
  easy negative is a phrase of another sector.
- **O*NET 30.1 titles** (CC BY 4.0, USDOL/ETA): a need that names a kind of person ("an
  experienced payroll clerk"); right answers are another title or a task statement of the same
  occupation, said in the first person; the hard negative is a title of an unrelated occupation
  (not in O*NET's related occupations, another SOC minor group) sharing a content word.

Every row carries a ``group`` (the supplier code or the occupation) and a ``split`` (``test``
for a fixed fifth of the groups by hash), so that validation never puts one group in train and
test. Run ``python -m matcher.pairs.generate`` to rebuild ``data/needs/generated.csv``
(deterministic for a seed).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent.parent / "shared" / "data"
INDUSTRIES = ROOT / "data" / "industries"
OUT = ROOT / "data" / "needs" / "generated.csv"
FIELDS = ("need", "answer", "answer_kind", "relevant", "decoy", "source", "group", "split")

# words that carry no trade of their own (function words and the index's own boilerplate)
STOP = frozenset("""a an and or of for the to in on with by from at as our your my we i
services service except other others related including n.e.c nec manufacturing manufacturers
stores store dealers dealer wholesalers wholesale retail retailers products product equipment
supplies supply general specialty special establishments operations operators industry
industries activities work works company companies contractors contractor made make making
mfg type types new used non based""".split())
NEED_TEMPLATES = ("{p}", "looking for {p}", "need {p}", "a good {p} provider", "{p} for our {b}",
                  "we need {p} for the {b}", "recommendations for {p}", "anyone doing {p}?")
PEOPLE_TEMPLATES = ("{a} {t}", "an experienced {t}", "looking for {a} {t}", "{t}s",
                    "introductions to {t}s", "{a} {t} for our team", "she needs {a} {t}")
IDENTITY_TEMPLATES = ("I'm {a} {t}", "{t} with ten years of experience", "{t}", "working as {a} {t}")


def words(text: str) -> set[str]:
    """Content words (lower case, 4+ letters, not in :data:`STOP`)."""
    return {w for w in re.findall(r"[a-z][a-z'-]+", text.lower()) if len(w) >= 4 and w not in STOP}


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _split(group: str) -> str:
    return "test" if int(hashlib.sha256(group.encode()).hexdigest(), 16) % 5 == 0 else "train"


def _read(path: Path, **kw) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh, **kw))


def _clean_phrase(p: str) -> str:
    p = re.sub(r"\s*\([^)]*\)", "", p)  # "(e.g., ...)" asides
    p = p.split(",")[0] if p.count(",") >= 2 else p
    return " ".join(p.split()).strip().lower()


def bea_pairs(rng: np.random.Generator, *, n_needs: int = 1600) -> list[dict]:
    codes = {r["code"]: r for r in _read(INDUSTRIES / "codes.csv")}
    phrases: dict[str, list[str]] = defaultdict(list)
    for r in _read(INDUSTRIES / "phrases.csv"):
        if r["source"] == "census" and r["code"] in codes:
            p = _clean_phrase(r["phrase"])
            if 2 <= len(p.split()) <= 8 and p not in phrases[r["code"]]:
                phrases[r["code"]].append(p)
    by_bea: dict[str, list[str]] = defaultdict(list)
    for c, r in codes.items():
        for b in r["bea_code"].split("|"):
            by_bea[b].append(c)
    flows = _read(SHARED / "industries" / "bea2017_detail_intermediate_flows_long.csv")
    bought: dict[str, dict[str, float]] = defaultdict(dict)  # using industry -> commodity -> $M
    for r in flows:
        bought[r["using_industry_code"]][r["commodity_code"]] = float(r["usd_millions"])
    links = []  # (commodity, user, share of the user's purchases)
    for u, row in bought.items():
        total = sum(row.values())
        for c, v in row.items():
            if c != u and total > 0 and v / total >= 0.01 and by_bea.get(c) and by_bea.get(u):
                links.append((c, u, v / total))
    rng.shuffle(links)
    # every phrase, for hard negatives: content word -> [(code, phrase)]
    by_word: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for c, ps in phrases.items():
        for p in ps:
            for w in words(p):
                by_word[w].append((c, p))
    all_codes = [c for c in phrases if len(phrases[c]) >= 2]
    out: list[dict] = []
    used: set[tuple[str, str]] = set()
    for c, u, _share in links:
        if len({r["need"] for r in out}) >= n_needs:
            break
        sup = [s for s in by_bea[c] if len(phrases.get(s, ())) >= 2]
        buy = by_bea[u]
        if not sup:
            continue
        s = sup[rng.integers(len(sup))]
        b = buy[rng.integers(len(buy))]
        if (s, b) in used:
            continue
        used.add((s, b))
        p1, p2 = (phrases[s][k] for k in rng.choice(len(phrases[s]), 2, replace=False))
        buyer = codes[b]["title"].lower()
        need = NEED_TEMPLATES[rng.integers(len(NEED_TEMPLATES))].format(p=p1, b=buyer)
        desc = codes[s]["description"]
        identity = re.sub(r"^This (U\.S\. )?industry comprises establishments (primarily )?",
                          "We are a business ", desc).rstrip(".")
        identity = " ".join(re.sub(r"\s*\([^)]*\)", "", identity).split()[:16])
        group = f"naics:{s}"
        base = dict(need=need, source="bea", group=group, split=_split(group))
        out.append(dict(base, answer=p2, answer_kind="offer", relevant=1, decoy=0))
        out.append(dict(base, answer=identity, answer_kind="identity", relevant=1, decoy=0))
        # hard negative: shares a content word, another 4-digit group, and U buys ~nothing of it
        cands = [(c2, p) for w in words(p1) for c2, p in by_word.get(w, ())
                 if c2[:4] != s[:4] and not (set(codes[c2]["bea_code"].split("|")) & {c, u})
                 and all(bought[u].get(bc, 0.0) < 1.0 for bc in codes[c2]["bea_code"].split("|"))]
        if cands:
            c2, p = cands[rng.integers(len(cands))]
            out.append(dict(base, answer=p, answer_kind="offer", relevant=0, decoy=1))
        far = [x for x in all_codes if x[:2] != s[:2]]
        c3 = far[rng.integers(len(far))]
        out.append(dict(base, answer=phrases[c3][rng.integers(len(phrases[c3]))],
                        answer_kind="offer", relevant=0, decoy=0))
    return out


def onet_pairs(rng: np.random.Generator, *, n_needs: int = 900) -> list[dict]:
    folder = SHARED / "occupations" / "onet-30.1"

    def tsv(name):
        with open(folder / name, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))

    titles: dict[str, list[str]] = defaultdict(list)
    for r in tsv("Alternate Titles.txt") + [
            {"O*NET-SOC Code": r["O*NET-SOC Code"], "Alternate Title": r["Reported Job Title"]}
            for r in tsv("Sample of Reported Titles.txt")]:
        t = r["Alternate Title"].strip()
        if 1 <= len(t.split()) <= 4 and not re.search(r"[()/&,]", t) and t.lower() not in [
                x.lower() for x in titles[r["O*NET-SOC Code"]]]:
            titles[r["O*NET-SOC Code"]].append(t)
    tasks: dict[str, list[str]] = defaultdict(list)
    for r in tsv("Task Statements.txt"):
        if r["Task Type"] == "Core" and len(r["Task"]) < 140:
            tasks[r["O*NET-SOC Code"]].append(r["Task"].rstrip("."))
    related: dict[str, set[str]] = defaultdict(set)
    for r in tsv("Related Occupations.txt"):
        related[r["O*NET-SOC Code"]].add(r["Related O*NET-SOC Code"])
    by_word: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for o, ts in titles.items():
        for t in ts:
            for w in words(t):
                by_word[w].append((o, t))
    occs = [o for o in titles if len(titles[o]) >= 3 and tasks.get(o)]
    rng.shuffle(occs)
    out: list[dict] = []
    for o in occs[:n_needs]:
        t1, t2 = (titles[o][k] for k in rng.choice(len(titles[o]), 2, replace=False))
        t1l = t1.lower()
        need = PEOPLE_TEMPLATES[rng.integers(len(PEOPLE_TEMPLATES))].format(a=_article(t1l), t=t1l)
        who = IDENTITY_TEMPLATES[rng.integers(len(IDENTITY_TEMPLATES))].format(
            a=_article(t2), t=t2)
        task = tasks[o][rng.integers(len(tasks[o]))]
        group = f"onet:{o}"
        base = dict(need=need, source="onet", group=group, split=_split(group))
        out.append(dict(base, answer=who, answer_kind="identity", relevant=1, decoy=0))
        out.append(dict(base, answer="I " + task[0].lower() + task[1:], answer_kind="offer",
                        relevant=1, decoy=0))
        cands = [(o2, t) for w in words(t1) for o2, t in by_word.get(w, ())
                 if o2[:4] != o[:4] and o2 not in related[o] and o not in related[o2]]
        if cands:
            o2, t = cands[rng.integers(len(cands))]
            out.append(dict(base, answer=f"I'm {_article(t)} {t}", answer_kind="identity",
                            relevant=0, decoy=1))
        o3 = occs[rng.integers(len(occs))]
        if o3[:2] != o[:2]:
            t = titles[o3][rng.integers(len(titles[o3]))]
            out.append(dict(base, answer=f"I'm {_article(t)} {t}", answer_kind="identity",
                            relevant=0, decoy=0))
    return out


def generate(seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    return bea_pairs(rng) + onet_pairs(rng)


def read_generated(path: Path = OUT) -> list[dict]:
    rows = _read(path)
    for r in rows:
        r["relevant"], r["decoy"] = int(r["relevant"]), int(r["decoy"])
    return rows


def main(seed: int = 0) -> None:
    rows = generate(seed)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} rows, {len({r['need'] for r in rows})} needs -> {OUT}")


if __name__ == "__main__":
    main()

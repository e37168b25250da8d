"""Build the compact occupation data in ``data/occupations/`` from O*NET 30.1 and BLS OEWS 2024.

Run once, from the repository root (after ``python -m matcher.industry_build``)::

    python -m matcher.occupations_build [--source DIR] [--out DIR]

Inputs (read-only, see the README next to them): O*NET 30.1 occupations, alternate and reported
titles, task statements and job zones (CC BY 4.0), BLS OEWS May 2024 national employment per
occupation and NAICS sector (public domain), and the NAICS/BEA tables in ``data/industries``.
Outputs, deterministic for the same inputs and model:

``occupations.csv``  one row per O*NET-SOC occupation: title, first sentence of the description,
                     job zone, the sectors that employ it (OEWS shares), its typical industry
                     (NAICS 2017) and the employment-weighted BEA consumer share and market
``titles.csv``       every O*NET title (occupation, alternate, short, reported) with its code,
                     for exact look-ups of job titles in a member's text
``tasks.csv``        up to 6 core task statements per occupation (for generated training text)
``title_vectors.npz`` all-MiniLM-L6-v2 vectors of a compact subset of titles (the occupation
                     title, its reported titles and short titles, then the shortest alternates,
                     at most ``PER_OCCUPATION`` per occupation), int8 + per-row scale, with the
                     model id and the sha256 of ``titles.csv`` and ``occupations.csv``
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

SOURCE = Path("/work/shared/data/occupations")
OUT = Path(__file__).resolve().parents[1] / "data" / "occupations"
PER_OCCUPATION = 8  # embedded titles per occupation
TASKS_PER_OCCUPATION = 6
SECTOR_MIN = 0.10  # sectors employing less than this share of an occupation are ignored
# OEWS sector codes -> NAICS 2-digit prefixes; "99" is government (NAICS 92).
SECTOR_PREFIXES = {"31": ("31", "32", "33"), "44": ("44", "45"), "48": ("48", "49"), "99": ("92",)}

ATTRIBUTION = (
    "This product includes information from the O*NET 30.1 Database by the U.S. Department of "
    "Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license."
)


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def clean(text: str) -> str:
    return " ".join(text.split())


def first_sentence(text: str) -> str:
    m = re.search(r"(?<!\be\.g)(?<!\bi\.e)\.\s+(?=[A-Z])", text)
    return clean(text[: m.start() + 1] if m else text)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def soc_of(onet: str) -> str:
    return onet[:7]


def sector_shares(source: Path) -> dict[str, dict[str, float]]:
    """SOC code (detailed, broad or minor group) -> {OEWS sector: employment}."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    with open(source / "oews-2024" / "natsector_M2024_dl.csv", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            if r["O_GROUP"] not in ("detailed", "broad", "minor"):
                continue
            try:
                emp = float(r["TOT_EMP"].replace(",", ""))
            except ValueError:  # "**" or "#": suppressed
                continue
            if emp > 0:
                out[r["OCC_CODE"]][r["NAICS"]] = emp
    return out


def employment_of(soc: str, shares: dict[str, dict[str, float]]) -> dict[str, float]:
    """Sector employment of a SOC code, falling back to its broad, minor or major group."""
    for code in (soc, soc[:6] + "0", soc[:5] + "00", soc[:4] + "000", soc[:3] + "0000"):
        if code in shares:
            total = sum(shares[code].values())
            return {s: e / total for s, e in sorted(shares[code].items())}
    return {}


def build(source: Path = SOURCE, out: Path = OUT, *, encoder=None) -> dict:
    from .embedding import get_encoder
    from .embedding.weights import MODEL_NAME
    from .industry import IndustryIndex, market_of

    onet = source / "onet-30.1"
    occ_rows = read_tsv(onet / "Occupation Data.txt")
    zones = {r["O*NET-SOC Code"]: r["Job Zone"] for r in read_tsv(onet / "Job Zones.txt")}
    titles: list[tuple[str, str, str]] = []  # code, title, source
    for r in occ_rows:
        titles.append((r["O*NET-SOC Code"], clean(r["Title"]), "occupation"))
    for r in read_tsv(onet / "Sample of Reported Titles.txt"):
        titles.append((r["O*NET-SOC Code"], clean(r["Reported Job Title"]), "reported"))
    for r in read_tsv(onet / "Alternate Titles.txt"):
        titles.append((r["O*NET-SOC Code"], clean(r["Alternate Title"]), "alternate"))
        if r["Short Title"] not in ("", "n/a"):
            titles.append((r["O*NET-SOC Code"], clean(r["Short Title"]), "short"))
    seen, unique = set(), []
    for code, title, src in titles:
        key = (code, title.lower())
        if title and key not in seen:
            seen.add(key)
            unique.append((code, title, src))
    titles = unique

    tasks: dict[str, list[str]] = defaultdict(list)
    for r in read_tsv(onet / "Task Statements.txt"):
        if r["Task Type"] == "Core" and len(tasks[r["O*NET-SOC Code"]]) < TASKS_PER_OCCUPATION:
            tasks[r["O*NET-SOC Code"]].append(clean(r["Task"]))

    # the embedded subset: occupation title, reported, short, then the shortest alternates
    rank = {"occupation": 0, "reported": 1, "short": 2, "alternate": 3}
    by_code: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, title, src in titles:
        by_code[code].append((title, src))
    subset: list[tuple[str, str]] = []
    for r in occ_rows:
        code = r["O*NET-SOC Code"]
        cands = sorted(by_code[code], key=lambda t: (rank[t[1]], len(t[0]), t[0]))
        picked, lower = [], set()
        for title, _ in cands:
            if title.lower() not in lower:
                lower.add(title.lower())
                picked.append(title)
            if len(picked) == PER_OCCUPATION:
                break
        subset += [(code, t) for t in picked]

    encoder = encoder or get_encoder()
    t0 = time.perf_counter()
    vecs = encoder.encode([t for _, t in subset]).astype(np.float32)
    occ_texts = [f"{clean(r['Title'])}: {first_sentence(r['Description'])}" for r in occ_rows]
    occ_vecs = encoder.encode(occ_texts).astype(np.float32)
    embed_seconds = time.perf_counter() - t0

    # each occupation's typical industry per employing sector, and its consumer share
    index = IndustryIndex.load()
    emp = sector_shares(source)
    code_best = np.full((len(occ_rows), len(index.codes)), -1.0, dtype=np.float32)
    sims = occ_vecs @ index.phrase_vectors.T  # (n_occ, n_phrases)
    np.maximum.at(code_best.T, index.phrase_code, sims.T)
    code_best = 0.5 * code_best + 0.5 * (occ_vecs @ index._code_vectors.T)
    occ_out = []
    for i, r in enumerate(occ_rows):
        code = r["O*NET-SOC Code"]
        sectors = {s: w for s, w in employment_of(soc_of(code), emp).items() if w >= SECTOR_MIN}
        parts = []
        for s, w in sectors.items():
            prefixes = SECTOR_PREFIXES.get(s, (s,))
            cols = [j for j, c in enumerate(index.codes) if c.startswith(prefixes)]
            if not cols:
                continue
            j = cols[int(np.argmax(code_best[i, cols]))]
            parts.append((w, j))
        if not parts:  # no OEWS row (e.g. a new O*NET occupation): the best code anywhere
            parts = [(1.0, int(np.argmax(code_best[i])))]
        total = sum(w for w, _ in parts)
        share = sum(w * index.shares[j] for w, j in parts) / total
        main = max(parts)[1]
        occ_out.append({
            "code": code, "soc": soc_of(code), "title": clean(r["Title"]),
            "description": first_sentence(r["Description"]), "job_zone": zones.get(code, ""),
            "sectors": "|".join(f"{s}:{w:.2f}" for s, w in sorted(sectors.items(),
                                                                   key=lambda x: -x[1])),
            "naics": index.codes[main], "naics_title": index.titles[main],
            "consumer_share": f"{share:.4f}", "market": market_of(float(np.clip(share, 0, 1))),
        })

    out.mkdir(parents=True, exist_ok=True)
    _write(out / "occupations.csv", list(occ_out[0]), occ_out)
    _write(out / "titles.csv", ["code", "title", "source"],
           [{"code": c, "title": t, "source": s} for c, t, s in titles])
    _write(out / "tasks.csv", ["code", "task"],
           [{"code": c, "task": t} for r in occ_rows for c in [r["O*NET-SOC Code"]]
            for t in tasks.get(c, [])])
    scale = np.abs(vecs).max(axis=1) / 127.0
    q = np.round(vecs / scale[:, None]).astype(np.int8)
    np.savez_compressed(
        out / "title_vectors.npz", title_vectors=q, title_scale=scale.astype(np.float32),
        title_code=np.array([c for c, _ in subset]), title_text=np.array([t for _, t in subset]),
        occupation_vectors=occ_vecs.astype(np.float16), model_id=np.array(MODEL_NAME),
        titles_sha256=np.array(sha256(out / "titles.csv")),
        occupations_sha256=np.array(sha256(out / "occupations.csv")),
    )
    return {"occupations": len(occ_out), "titles": len(titles), "embedded_titles": len(subset),
            "embed_seconds": round(embed_seconds, 1)}


def _write(path: Path, fields: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--source", type=Path, default=SOURCE)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    print(build(args.source, args.out))


if __name__ == "__main__":
    main()

"""Build the compacted industry data in ``data/industries/`` from the public-domain sources.

Run once, from the repository root::

    python -m matcher.industry_build [--source DIR] [--out DIR] [--skip-vectors]

Inputs (read-only, see the README next to them): US Census NAICS 2017 descriptions and index
file, the BEA/EPA NAICS-to-BEA crosswalk and tables derived from the BEA 2017 detail Use table.
Outputs, all deterministic for the same inputs and model:

``codes.csv``          one row per 6-digit NAICS code: title, BEA code(s), adjusted consumer share,
                       first sentence of the description, and a note when the share was fixed up
``phrases.csv``        the NAICS index phrases (code, phrase), deduplicated, sorted
``flows.npz``          BEA commodity -> using-industry intermediate flows ($M, 2017) restricted to
                       the BEA codes NAICS codes map to, with sales/purchase totals and the scale
                       used to squash complementarity into [0, 1]
``phrase_vectors.npz`` all-MiniLM-L6-v2 vectors (float16) of every phrase and of every code's
                       "title. first sentence", with the model id and sha256 of phrases.csv
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

SOURCE = Path("/work/shared/data/industries")
OUT = Path(__file__).resolve().parents[1] / "data" / "industries"

# Complementarity squashing: strengths are divided by this percentile of the nonzero,
# off-diagonal BEA-level strengths and clipped to 1 (see README).
SCALE_PERCENTILE = 99.0

# BEA codes with no row in the commodity share table: borrow the shares of the nearest
# commodity that has one (government enterprises behave like their private counterparts).
SHARE_PROXY = {
    "S00101": "221100",  # Federal electric utilities -> electric power
    "S00202": "221100",  # State and local government electric utilities -> electric power
    "S00201": "485000",  # State and local government passenger transit -> transit
    "331314": "331313",  # Secondary smelting of aluminum -> alumina and aluminum production
}
# F01000 is the household (PCE) column itself: private households employ their own staff.
HOUSEHOLD_CODES = {"F01000"}

# Public administration (BEA general government) has no intermediate, PCE or investment use at
# all: its whole output is government final consumption. It serves residents and firms alike.
GOVERNMENT_SHARE = 0.5

# NAICS codes whose output is a transaction cost that BEA books as *investment*, not as an
# intermediate input: real-estate agents and brokers earn commissions on property sales, which
# the Use table records as ownership-transfer costs (residential -> F02R, nonresidential ->
# F02S/F02N). Their BEA commodity "Other real estate" is dominated by nonresidential rents paid
# by businesses (intermediate use), produced by other NAICS codes (lessors). For these codes the
# share is computed from the investment and PCE columns only.
INVESTMENT_ONLY_SHARE = {
    "531210": "commissions are ownership-transfer costs: share from PCE and investment columns",
}


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def clean_title(title: str) -> str:
    """Strip the trailing footnote marker 'T' (e.g. 'Soybean FarmingT') and whitespace."""
    title = " ".join(title.split())
    return re.sub(r"(?<=[a-z)])T$", "", title).strip()


_SENTENCE_END = re.compile(r"(?<![A-Z])(?<!e\.g)(?<!i\.e)(?<!etc)(?<!\bNo)\.\s+(?=[A-Z])")


def first_sentence(description: str) -> str:
    para = description.strip().split("\n", 1)[0].strip()
    para = " ".join(para.split())
    m = _SENTENCE_END.search(para)
    sentence = para[: m.start() + 1] if m else para
    if not sentence.endswith("."):
        sentence += "."
    return sentence


def clean_phrase(text: str) -> str:
    return " ".join(text.split())


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_shares(source: Path) -> dict[str, dict[str, float]]:
    cols = {
        "intermediate": "intermediate_T001",
        "pce": "pce_F01000",
        "nonres": "nonres_investment_F02E_F02N_F02S",
        "res": "res_investment_F02R",
        "exports": "exports_F04000",
        "government": "government_F06_F07_F10",
        "output": "total_commodity_output_T007",
    }
    out = {}
    for r in read_rows(source / "bea2017_detail_commodity_b2b_b2c_share.csv"):
        out[r["bea_2017_detail_commodity_code"]] = {k: float(r[c] or 0.0) for k, c in cols.items()}
    return out


def adjusted_share(parts: dict[str, float], *, investment_only: bool = False) -> float:
    """consumer share = (PCE + residential investment) / (intermediate + PCE + all investment)."""
    consumer = parts["pce"] + parts["res"]
    business = parts["nonres"] + (0.0 if investment_only else parts["intermediate"])
    total = consumer + business
    return consumer / total if total > 0 else float("nan")


def build_tables(source: Path):
    desc = [r for r in read_rows(source / "2017_NAICS_Descriptions.csv") if len(r["Code"]) == 6]
    codes = sorted(r["Code"] for r in desc)
    by_code = {r["Code"]: r for r in desc}

    crosswalk: dict[str, set[str]] = defaultdict(set)
    for r in read_rows(source / "naics2017_to_bea2017_crosswalk.csv"):
        crosswalk[r["NAICS_2017_Code"]].add(r["BEA_2017_Detail_Code"])

    shares = load_shares(source)
    rows = []
    for code in codes:
        bea = sorted(crosswalk.get(code, ()))
        if not bea:  # fall back to the longest prefix that has a mapping
            for n in (5, 4, 3, 2):
                if crosswalk.get(code[:n]):
                    bea = sorted(crosswalk[code[:n]])
                    break
        notes = []
        if set(bea) <= HOUSEHOLD_CODES:
            share = 1.0
            notes.append("household employers: consumer by definition")
        else:
            total = dict.fromkeys(("intermediate", "pce", "nonres", "res"), 0.0)
            for b in bea:
                src = b
                if b not in shares and b in SHARE_PROXY:
                    src = SHARE_PROXY[b]
                    notes.append(f"{b} shares borrowed from {src}")
                if src not in shares:
                    continue
                for k in total:
                    total[k] += shares[src][k]
            inv_only = code in INVESTMENT_ONLY_SHARE
            if inv_only:
                notes.append(INVESTMENT_ONLY_SHARE[code])
            share = adjusted_share(total, investment_only=inv_only)
            if len(bea) > 1:
                notes.append(f"summed over {len(bea)} BEA codes")
        if share != share:  # nothing sold to businesses or households: government output
            share = GOVERNMENT_SHARE
            notes.append("sold only to government final use: serves the public, counted as both")
        rows.append(
            {
                "code": code,
                "title": clean_title(by_code[code]["Title"]),
                "bea_code": "|".join(bea),
                "consumer_share": f"{share:.4f}",
                "description": first_sentence(by_code[code]["Description"]),
                "note": "; ".join(notes),
            }
        )

    known = set(codes)
    phrases = set()
    for r in read_rows(source / "2017_NAICS_Index_File.csv"):
        code = r["NAICS17"].strip()
        text = clean_phrase(r["INDEX ITEM DESCRIPTION"])
        if code in known and text:
            phrases.add((code, text))
    phrase_rows = sorted(phrases)
    return rows, phrase_rows, shares


def build_flows(source: Path, code_rows, shares):
    bea_codes = sorted({b for r in code_rows for b in r["bea_code"].split("|")})
    pos = {b: i for i, b in enumerate(bea_codes)}
    n = len(bea_codes)
    flows = np.zeros((n, n), dtype=np.float64)
    purchases = np.zeros(n, dtype=np.float64)
    names: dict[str, str] = {}
    sold_intermediate: dict[str, float] = defaultdict(float)
    for r in read_rows(source / "bea2017_detail_intermediate_flows_long.csv"):
        s, u, v = r["commodity_code"], r["using_industry_code"], float(r["usd_millions"])
        names.setdefault(s, r["commodity_name"])
        names.setdefault(u, r["using_industry_name"])
        sold_intermediate[s] += v
        if u in pos:
            purchases[pos[u]] += v  # every intermediate input, also from unmapped commodities
            if s in pos:
                flows[pos[s], pos[u]] += v
    sales = np.zeros(n, dtype=np.float64)
    for b, i in pos.items():
        p = shares.get(b)
        if p is not None:
            uses = p["intermediate"] + p["pce"] + p["nonres"] + p["res"] + p["exports"]
            uses += p["government"]
            sales[i] = max(p["output"], uses)
        sales[i] = max(sales[i], sold_intermediate.get(b, 0.0))
    for b in bea_codes:
        names.setdefault(b, b)

    # strength s -> u = sqrt(flow/purchases[u] * flow/sales[s]); same industry does not count
    strength = _strength(flows, sales, purchases)
    sym = np.maximum(strength, strength.T)
    np.fill_diagonal(sym, 0.0)
    nz = sym[np.triu_indices(n, 1)]
    nz = nz[nz > 0]
    scale = float(np.percentile(nz, SCALE_PERCENTILE))
    return {
        "bea_codes": np.array(bea_codes, dtype="U8"),
        "bea_names": np.array([names[b] for b in bea_codes]),
        "flows": flows.astype(np.float32),
        "sales": sales.astype(np.float32),
        "purchases": purchases.astype(np.float32),
        "scale": np.array(scale, dtype=np.float64),
        "scale_percentile": np.array(SCALE_PERCENTILE, dtype=np.float64),
    }


def _strength(flows, sales, purchases):
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = np.sqrt(np.outer(sales, purchases))
        out = np.where(denom > 0, flows / denom, 0.0)
    return out


def write_csv(path: Path, fieldnames, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fieldnames, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def build_vectors(out: Path, code_rows, phrase_rows) -> None:
    from .embedding import MODEL_NAME, get_encoder

    enc = get_encoder()
    texts = [p for _, p in phrase_rows]
    code_texts = [f"{r['title']}. {r['description']}" for r in code_rows]
    done = [0]

    def progress(k: int) -> None:
        done[0] += k
        if done[0] % 2048 < k:
            print(f"  encoded {done[0]}/{len(texts) + len(code_texts)}", file=sys.stderr)

    pv = enc.encode(texts, progress=progress)
    cv = enc.encode(code_texts, progress=progress)
    np.savez_compressed(
        out / "phrase_vectors.npz",
        phrase_vectors=pv.astype(np.float16),
        code_vectors=cv.astype(np.float16),
        codes=np.array([r["code"] for r in code_rows], dtype="U6"),
        model_id=np.array(MODEL_NAME),
        phrases_sha256=np.array(sha256_file(out / "phrases.csv")),
        codes_sha256=np.array(sha256_file(out / "codes.csv")),
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=SOURCE)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--skip-vectors", action="store_true", help="tables and flows only")
    args = ap.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    code_rows, phrase_rows, shares = build_tables(args.source)
    write_csv(
        args.out / "codes.csv",
        ["code", "title", "bea_code", "consumer_share", "description", "note"],
        code_rows,
    )
    write_csv(args.out / "phrases.csv", ["code", "phrase"],
              [{"code": c, "phrase": p} for c, p in phrase_rows])
    flows = build_flows(args.source, code_rows, shares)
    np.savez_compressed(args.out / "flows.npz", **flows)
    print(f"{len(code_rows)} codes, {len(phrase_rows)} phrases, "
          f"{len(flows['bea_codes'])} BEA codes, scale {float(flows['scale']):.4g}")
    if not args.skip_vectors:
        build_vectors(args.out, code_rows, phrase_rows)
    for f in sorted(args.out.iterdir()):
        print(f"  {f.name}: {f.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

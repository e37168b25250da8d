"""Build the compacted industry data in ``data/industries/`` from the public-domain sources.

Run once, from the repository root::

    python -m matcher.industry_build [--source DIR] [--out DIR] [--skip-vectors]

Inputs (read-only, see the README next to them): US Census NAICS 2017 descriptions and index
file, the BEA/EPA NAICS-to-BEA crosswalk and tables derived from the BEA 2017 detail Use table.
Outputs, all deterministic for the same inputs and model:

``codes.csv``          one row per 6-digit NAICS code: title, BEA code(s), adjusted consumer share,
                       first sentence of the description, and a note when the share was fixed up
``phrases.csv``        code, phrase, source (census = NAICS index, derived = practitioner noun taken
                       from an index phrase, rolecall = project-authored alias), consumer_share
                       (blank = the code's; set where a phrase names a residential or
                       nonresidential side that the BEA data prices differently)
``flows.npz``          BEA commodity -> using-industry intermediate flows ($M, 2017) restricted to
                       the BEA codes NAICS codes map to, with sales/purchase totals and the scale
                       used to squash complementarity into [0, 1]
``phrase_vectors.npz`` all-MiniLM-L6-v2 vectors of every phrase (int8 + a per-row scale) and
                       of every code's "title. first sentence" (float16), with the model id
                       and the sha256 of phrases.csv and codes.csv
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import re
import shutil
import sys
import tempfile
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

# Sales to this BEA industry count as consumer-side: "owner-occupied housing" is the national
# accounts' stand-in for homeowners (it exists to impute their rent), so what it buys -- home
# repairs, mortgage services, homeowners' insurance -- is bought by households.
HOMEOWNERS = "531HSO"

# NAICS codes whose customers the BEA columns hide; the fix is documented per code (README).
#  * 531210 real-estate agents and brokers earn commissions on property sales, which the Use
#    table books as ownership-transfer costs, i.e. investment (residential -> F02R, nonresidential
#    -> F02S/F02N). Their BEA commodity "Other real estate" is dominated by nonresidential rents
#    paid by businesses (intermediate use), produced by other NAICS codes (lessors). Share from the
#    PCE and investment columns only.
#  * 524210 insurance agencies and brokerages sell policies on behalf of insurance carriers, so
#    the Use table records their whole output as an intermediate input of the carriers. Share =
#    their buyers' consumer shares weighted by sales (self-use excluded): the carriers' customers.
INVESTMENT_ONLY = {
    "531210": "commissions are investment (ownership-transfer costs): share "
    "from PCE and investment columns only"
}
PASS_THROUGH = {
    "524210": "agents sell for the carriers: share passed through from the buyers "
    "of their output (sales-weighted)"
}


# Plain-language names of specialties that the 2017 index does not phrase the way members
# describe themselves (newer trades, abbreviations, job titles). Project-authored, each mapped
# to the code the Census Bureau's classification rules assign; they are embedded like index
# phrases and marked source=rolecall in phrases.csv.
ALIASES: tuple[tuple[str, str], ...] = (
    ("541513", "IT managed services"),
    ("541513", "Managed IT services provider (MSP)"),
    ("541513", "Outsourced IT support and help desk for businesses"),
    ("541513", "Outsourced IT department for small offices (networks, computers, backups)"),
    ("541512", "IT consulting"),
    ("541512", "Cybersecurity consulting and network security services"),
    ("541511", "Web designer"),
    ("541511", "Website design and development"),
    ("541511", "Mobile app developer"),
    ("541511", "Custom software developer"),
    ("511210", "Software as a service (SaaS) company"),
    ("541613", "Digital marketing consultant"),
    ("541613", "SEO (search engine optimization) services"),
    ("541613", "Social media marketing"),
    ("541613", "Branding and brand strategy consultant"),
    ("541810", "Digital marketing agency"),
    ("541611", "Business coach"),
    ("541611", "Executive coach"),
    ("541611", "Fractional CFO"),
    ("541611", "Small business consultant"),
    ("812990", "Life coach"),
    ("611710", "Career coach"),
    ("561110", "Virtual assistant"),
    ("561311", "Recruiter"),
    ("561311", "Staffing and recruiting agency"),
    ("523930", "Financial advisor"),
    ("523930", "Retirement planning advisor"),
    ("523920", "Wealth manager"),
    ("522310", "Mortgage loan officer"),
    ("522110", "Banker"),
    ("522320", "Merchant services (credit card processing for merchants)"),
    ("541890", "Promotional products and branded merchandise distributor"),
    ("323111", "Printing company"),
    ("711510", "Copywriter"),
    ("238990", "Pool builder"),
    ("238290", "Garage door repair and installation"),
    ("238320", "House painter"),
    ("811111", "Auto mechanic"),
    ("811111", "Car repair shop"),
    ("541370", "Land surveyor"),
    ("541310", "Architect"),
    ("541330", "Structural engineer"),
    ("812199", "Massage therapist"),
    ("812199", "Med spa"),
    ("446110", "Pharmacist"),
    ("541110", "Immigration lawyer"),
    ("541110", "Business attorney for startups (company formation, contracts, financing)"),
    # the index names dentists' offices only; their services otherwise land on dental labs
    # and dental equipment makers (crowns, teeth, implants are product words there)
    ("621210", "Cosmetic dentist"),
    ("621210", "Cosmetic dentistry: veneers, teeth whitening, smile makeovers"),
    ("621210", "Restorative dentistry for patients: fillings, crowns and dental implants"),
    ("531210", "Realtor"),
    # the index names residential brokers but only commercial *agents*: complete the pairs,
    # or "commercial ... broker" lands on the residential phrases (the side sets the market)
    ("531210", "Commercial real estate brokers"),
    ("531210", "Commercial real estate brokerages"),
    ("531210", "Commercial real estate brokers' offices"),
)

# "Optometrists' offices (e.g., centers, clinics)" -> also index "Optometrists": members name
# their profession, and the bare noun otherwise sits closer to "Optometrists' associations".
_PRACTITIONER = re.compile(
    r"^([A-Z][\w\- ]*?s)' (?:offices|private practices)(?: \(e\.g\., centers, clinics\))?$"
)

# Phrases that name one side of a code whose BEA data separates residential from
# nonresidential customers get that side's consumer share (phrases.csv, column consumer_share).
RESIDENTIAL_BEA = {"233411", "233412", "2334A0", "230302"}
_RESIDENTIAL = re.compile(r"(?i)\b(residential|single-family|multifamily|homes?|houses?)\b")
_NONRESIDENTIAL = re.compile(
    r"(?i)\b(commercial|industrial|nonresidential|institutional|office buildings?|warehouses?)\b"
)


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
    """consumer share = (PCE + residential investment + sales to homeowners) /
    (intermediate + PCE + nonresidential + residential investment)."""
    consumer = parts["pce"] + parts["res"] + parts["to_homeowners"]
    business = parts["nonres"]
    if not investment_only:
        business += parts["intermediate"] - parts["to_homeowners"]
    total = consumer + business
    return consumer / total if total > 0 else float("nan")


def read_flows(source: Path) -> tuple[dict[tuple[str, str], float], dict[str, str]]:
    flows: dict[tuple[str, str], float] = defaultdict(float)
    names: dict[str, str] = {}
    for r in read_rows(source / "bea2017_detail_intermediate_flows_long.csv"):
        s, u = r["commodity_code"], r["using_industry_code"]
        flows[s, u] += float(r["usd_millions"])
        names.setdefault(s, r["commodity_name"])
        names.setdefault(u, r["using_industry_name"])
    return dict(flows), names


PARTS = ("intermediate", "pce", "nonres", "res", "to_homeowners")


def bea_shares(shares, flows) -> dict[str, float]:
    """Adjusted consumer share of every BEA commodity that has a row in the share table."""
    out = {}
    for b, p in shares.items():
        parts = {k: p.get(k, 0.0) for k in PARTS}
        parts["to_homeowners"] = flows.get((b, HOMEOWNERS), 0.0)
        out[b] = adjusted_share(parts)
    return out


def pass_through_share(bea: list[str], flows, by_bea: dict[str, float], shares) -> float:
    """Sales-weighted consumer share of the buyers of ``bea`` (own PCE/investment included)."""
    num = den = 0.0
    for b in bea:
        p = shares[b]
        num += p["pce"] + p["res"]
        den += p["pce"] + p["res"] + p["nonres"]
        for (s, u), v in flows.items():
            if s == b and u not in bea:
                share = by_bea.get(u, 0.0)
                if share != share:  # government buyers are institutions, not households
                    share = 0.0
                num += v * share
                den += v
    return num / den if den > 0 else float("nan")


def side_shares(code: str, bea: list[str], shares, flows) -> dict[str, float]:
    """Consumer share of the residential and of the nonresidential side of a code, when its BEA
    data tells them apart: construction codes that span residential and nonresidential BEA
    structure types, and agents/brokers whose commissions are split F02R vs F02S/F02N."""
    if code in INVESTMENT_ONLY:
        return {"residential": 1.0, "nonresidential": 0.0}
    res = [b for b in bea if b in RESIDENTIAL_BEA and b in shares]
    non = [b for b in bea if b not in RESIDENTIAL_BEA and b in shares]
    if not res or not non:
        return {}
    out = {}
    for name, group in (("residential", res), ("nonresidential", non)):
        total = dict.fromkeys(PARTS, 0.0)
        for b in group:
            for k in PARTS[:-1]:
                total[k] += shares[b][k]
            total["to_homeowners"] += flows.get((b, HOMEOWNERS), 0.0)
        out[name] = adjusted_share(total)
    return out


def build_tables(source: Path, flows):
    desc = [r for r in read_rows(source / "2017_NAICS_Descriptions.csv") if len(r["Code"]) == 6]
    codes = sorted(r["Code"] for r in desc)
    by_code = {r["Code"]: r for r in desc}

    crosswalk: dict[str, set[str]] = defaultdict(set)
    for r in read_rows(source / "naics2017_to_bea2017_crosswalk.csv"):
        crosswalk[r["NAICS_2017_Code"]].add(r["BEA_2017_Detail_Code"])

    shares = load_shares(source)
    by_bea = bea_shares(shares, flows)
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
        elif code in PASS_THROUGH:
            share = pass_through_share(bea, flows, by_bea, shares)
            notes.append(PASS_THROUGH[code])
        else:
            total = dict.fromkeys(PARTS, 0.0)
            for b in bea:
                src = b
                if b not in shares and b in SHARE_PROXY:
                    src = SHARE_PROXY[b]
                    notes.append(f"{b} shares borrowed from {src}")
                if src not in shares:
                    continue
                for k in PARTS[:-1]:
                    total[k] += shares[src][k]
                total["to_homeowners"] += flows.get((src, HOMEOWNERS), 0.0)
            inv_only = code in INVESTMENT_ONLY
            if inv_only:
                notes.append(INVESTMENT_ONLY[code])
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
    side = {
        r["code"]: side_shares(r["code"], r["bea_code"].split("|"), shares, flows) for r in rows
    }
    phrases: dict[tuple[str, str], str] = {}
    for r in read_rows(source / "2017_NAICS_Index_File.csv"):
        code = r["NAICS17"].strip()
        text = clean_phrase(r["INDEX ITEM DESCRIPTION"])
        if code in known and text:
            phrases.setdefault((code, text), "census")
            m = _PRACTITIONER.match(text)
            if m:
                phrases.setdefault((code, m.group(1)), "derived")
    for code, text in ALIASES:
        if code not in known:
            raise SystemExit(f"alias {text!r} names unknown code {code}")
        phrases.setdefault((code, text), "rolecall")
    phrase_rows = []
    for (code, text), src in sorted(phrases.items()):
        share = ""
        res, nonres = _RESIDENTIAL.search(text), _NONRESIDENTIAL.search(text)
        if side[code] and bool(res) != bool(nonres):
            share = f"{side[code]['residential' if res else 'nonresidential']:.4f}"
        phrase_rows.append({"code": code, "phrase": text, "source": src, "consumer_share": share})
    return rows, phrase_rows, shares


def build_flows(code_rows, shares, flow_map, names):
    bea_codes = sorted({b for r in code_rows for b in r["bea_code"].split("|")})
    pos = {b: i for i, b in enumerate(bea_codes)}
    n = len(bea_codes)
    flows = np.zeros((n, n), dtype=np.float64)
    purchases = np.zeros(n, dtype=np.float64)
    sold_intermediate: dict[str, float] = defaultdict(float)
    for (s, u), v in sorted(flow_map.items()):
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
    names = {b: names.get(b, b) for b in bea_codes}

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
        # NAICS codes whose BEA industry's flows belong to *other* codes: "Other real estate"
        # sells rents and buys janitorial services as the lessors, not as the brokers
        "no_flows": np.array(sorted(INVESTMENT_ONLY), dtype="U6"),
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


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows with one float32 scale per row (row ~= q * scale): half the size of float16,
    cosine error < 0.003; float16 phrase vectors alone would take the folder over 15 MB."""
    peak = np.abs(vectors).max(axis=1, keepdims=True)
    peak[peak == 0] = 1.0
    q = np.round(vectors / peak * 127.0).astype(np.int8)
    return q, (peak[:, 0] / 127.0).astype(np.float32)


def build_vectors(out: Path, code_rows, phrase_rows) -> None:
    from .embedding import MODEL_NAME, get_encoder

    enc = get_encoder()
    texts = [r["phrase"] for r in phrase_rows]
    code_texts = [f"{r['title']}. {r['description']}" for r in code_rows]
    done = [0]

    def progress(k: int) -> None:
        done[0] += k
        if done[0] % 2048 < k:
            print(f"  encoded {done[0]}/{len(texts) + len(code_texts)}", file=sys.stderr)

    pv = enc.encode(texts, progress=progress)
    cv = enc.encode(code_texts, progress=progress)
    q, scale = quantize(pv)
    np.savez_compressed(
        out / "phrase_vectors.npz",
        phrase_vectors=q,
        phrase_scale=scale,
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
    # build in a staging folder and move the files in at the end, so that readers never see
    # new CSVs next to old vectors during the couple of minutes the encoding takes
    stage = Path(tempfile.mkdtemp(prefix=".industries-build-", dir=args.out.parent))
    try:
        flow_map, names = read_flows(args.source)
        code_rows, phrase_rows, shares = build_tables(args.source, flow_map)
        write_csv(
            stage / "codes.csv",
            ["code", "title", "bea_code", "consumer_share", "description", "note"],
            code_rows,
        )
        write_csv(
            stage / "phrases.csv", ["code", "phrase", "source", "consumer_share"], phrase_rows
        )
        flows = build_flows(code_rows, shares, flow_map, names)
        np.savez_compressed(stage / "flows.npz", **flows)
        print(
            f"{len(code_rows)} codes, {len(phrase_rows)} phrases, "
            f"{len(flows['bea_codes'])} BEA codes, scale {float(flows['scale']):.4g}"
        )
        if not args.skip_vectors:
            build_vectors(stage, code_rows, phrase_rows)
        for f in sorted(stage.iterdir()):
            os.replace(f, args.out / f.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    for f in sorted(args.out.iterdir()):
        print(f"  {f.name}: {f.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

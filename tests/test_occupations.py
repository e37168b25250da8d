"""Occupation knowledge (O*NET 30.1 + BLS OEWS 2024), market reading and the held-out split."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from matcher.market import MarketModel, audience_cues, market_from_p, mixed_audience
from matcher.occupations import DATA_DIR, OccupationDataError, OccupationIndex, default_occupations
from matcher.roles.reading import read_markets

LABELLED = Path(__file__).parents[1] / "data" / "labelled"
ATTRIBUTION = ("This product includes information from the O*NET 30.1 Database by the U.S. "
               "Department of Labor, Employment and Training Administration (USDOL/ETA). Used "
               "under the CC BY 4.0 license.")


@pytest.fixture(scope="module")
def occ() -> OccupationIndex:
    return default_occupations()


# O*NET 30.1: the title (or an alternate title) names the occupation
TITLES = [
    ("Dentist", "29-1021"),
    ("CPA", "13-2011"),  # "Certified Public Accountant (CPA)", short title "CPA"
    ("Certified Public Accountant", "13-2011"),
    ("Chiropractor", "29-1011"),
    ("Registered Nurse", "29-1141"),
    ("Hair Stylist", "39-5012"),
    ("Personal Trainer", "39-9031"),
]


@pytest.mark.parametrize(("text", "soc"), TITLES)
def test_job_titles_name_their_occupation(occ, encoder, text, soc):
    [m] = occ.infer([text], encoder.encode([text]))
    assert m.soc == soc, m
    assert 0.0 < m.confidence <= 1.0 and m.evidence


def test_where_occupations_work_and_whom_they_serve(occ):
    # BLS OEWS May 2024: 98% of general dentists work in health care (62); they serve consumers
    dentist = occ.row("29-1021.00")
    assert dentist["sectors"].startswith("62:0.9") and dentist["naics"] == "621210"
    assert dentist["market"] == "consumers"
    # accountants work in professional services (541211, BEA consumer share 0.10): businesses
    assert occ.row("13-2011.00")["market"] == "businesses"
    assert occ.row("15-1252.00")["market"] == "businesses"  # software developers
    assert occ.row("39-5012.00")["market"] == "consumers"  # hairstylists: beauty salons


def test_exact_titles_are_looked_up_longest_first(occ):
    lex = occ.lexical("Owner and certified public accountant at Hunt & Marsh")
    best = max(lex, key=lex.get)
    assert occ.rows[best]["soc"] == "13-2011"
    assert occ.lexical("Owner") == {}  # a position, not an occupation
    assert occ.lexical("") == {}


def test_infer_checks_shapes(occ):
    with pytest.raises(ValueError, match="2 texts but 1 vectors"):
        occ.infer(["a", "b"], np.zeros((1, 384), np.float32))


def test_data_carries_the_onet_attribution():
    assert ATTRIBUTION in (DATA_DIR / "README.md").read_text()


def test_load_refuses_stale_title_vectors(tmp_path):
    folder = tmp_path / "occupations"
    shutil.copytree(DATA_DIR, folder)
    OccupationIndex.load(folder)
    with open(folder / "titles.csv", "a", encoding="utf-8") as fh:
        fh.write("29-1021.00,Tooth whisperer,alternate\n")
    with pytest.raises(OccupationDataError, match="stale"):
        OccupationIndex.load(folder)
    with pytest.raises(OccupationDataError, match="occupations_build"):
        OccupationIndex.load(tmp_path / "nowhere")


def test_audience_words():
    assert audience_cues("Dating app for cat lovers and their families") == (1.0, 0.0)
    assert audience_cues("Invoice automation API for B2B marketplaces")[1] >= 2
    # the workplace is not the audience: "Dental Clinic" after "at" is no business cue
    assert audience_cues("Dr. Ana Ruiz practices at Sunny Smiles Dental Clinic")[1] == 0
    assert audience_cues("Software for dental practices")[1] == 1


def test_market_thresholds():
    assert market_from_p(0.9) == "consumers"
    assert market_from_p(0.1) == "businesses"
    # an uncertain probability is not a mixed market; named customers of both kinds are
    assert market_from_p(0.5) == "consumers" and market_from_p(0.49) == "businesses"
    assert market_from_p(0.9, mixed=True) == "both"


@pytest.mark.parametrize("text, mixed", [
    ("Insurance for homes, cars and small businesses", True),
    ("Accounting and tax for individuals and local companies", True),
    ("Plumbing for homeowners and commercial property managers", True),
    ("Dating app for cat lovers and their families", False),
    ("Scheduling software for dental practices", False),
    ("Patient reminder app for clinics", False),  # the patients only qualify the product
    ("Dr. Ana Ruiz sees patients at Sunny Smiles Dental Clinic", False),
])
def test_both_only_when_both_kinds_of_customer_are_named(text, mixed):
    assert mixed_audience(text) is mixed


READINGS = [
    ("Dr. Ana Ruiz practices pediatric dentistry at Sunny Smiles Dental; she completed her "
     "DDS in 2011.", "consumers"),
    ("Invoice automation API for B2B marketplaces", "businesses"),
    ("Dating app for cat lovers", "consumers"),
    ("Licensed massage therapist, deep tissue and prenatal massage", "consumers"),
    ("We sell forklifts and pallet racking to warehouses", "businesses"),
]


def test_markets_read_from_occupation_industry_and_audience(occ, encoder):
    from matcher.industry import default_index

    texts = [t for t, _ in READINGS]
    out = read_markets(texts, encoder.encode(texts), index=default_index(), occupations=occ)
    assert [r.industry.market for r in out] == [m for _, m in READINGS]
    assert out[0].occupation.soc.startswith("29-102")  # a dentist
    assert all(0.0 <= r.p_consumers <= 1.0 for r in out)


def test_market_model_is_plain_arrays_and_reloads(tmp_path):
    model = MarketModel.load()
    again = MarketModel.load(model.save(tmp_path / "m.npz"))
    np.testing.assert_array_equal(model.coef_, again.coef_)
    with np.load(tmp_path / "m.npz", allow_pickle=False) as z:
        assert z["consumer_prototypes"].shape == (12, 384)


def _rows(name: str) -> list[dict]:
    with open(LABELLED / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_heldout_set_covers_every_register_and_is_unseen_in_training():
    held = _rows("roles_heldout.csv")
    assert len(held) >= 150
    assert {r["register"] for r in held} == {"bio", "blurb", "title", "headline", "company",
                                             "typo"}
    gen = _rows("roles_generated.csv")
    assert {r["soc"] for r in held if r["soc"]}.isdisjoint(r["soc"] for r in gen)
    assert {r["naics"] for r in held if r["naics"]}.isdisjoint(r["naics"] for r in gen)
    assert {r["text"].lower() for r in held}.isdisjoint(r["text"].lower() for r in gen)


def test_second_heldout_set_is_varied_and_unseen_as_text():
    """roles_heldout2.csv: >= 120 rows, >= 50 company one-liners (some for both markets),
    consumer-facing and B2B professionals; no text of it is a training text."""
    held = _rows("roles_heldout2.csv")
    assert len(held) >= 120 and len({r["id"] for r in held}) == len(held)
    company = [r for r in held if r["register"] == "company"]
    assert len(company) >= 50 and {r["market"] for r in company} == {"businesses", "consumers",
                                                                     "both"}
    people = [r for r in held if r["register"] != "company"]
    assert sum(r["role"] == "non-b2b-rep" for r in people) >= 40
    assert sum(r["role"] == "b2b-provider" for r in people) >= 15
    train = {(r.get("text") or r["specialty"]).lower()
             for name in ("roles_generated.csv", "roles.csv", "roles_heldout.csv") for r in _rows(name)}
    assert train.isdisjoint(r["text"].lower() for r in held)

"""Role clarity on the sample meetup, with the real model and the shipped classifier."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from matcher.cli import app
from matcher.profiles import ROLES
from matcher.roles import RoleClassifier, load_taxonomy
from matcher.roles.classifier import MODEL_PATH

EXPECTED = json.loads((Path(__file__).parents[1] / "data/sample/expected.json").read_text())


@pytest.fixture(scope="module")
def insights(_sample_db_master, encoder):
    from matcher.engine import Engine
    from matcher.store import Store

    with Store(_sample_db_master) as store:
        return {r["member_id"]: r for r in Engine(store, encoder=encoder).insights()}


def test_roles_json_contract(sample_db):
    r = CliRunner().invoke(app, ["--db", str(sample_db), "roles", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    keys = {"member_id", "declared_role", "inferred_role", "role", "confidence", "ambiguous",
            "naics", "consumer_share", "market", "specificity", "suggestions"}
    assert all(keys <= set(row) for row in rows)
    assert all(set(row["naics"]) == {"code", "title"} and row["role"] in ROLES for row in rows)


@pytest.mark.parametrize("member_id", sorted(EXPECTED["clear_roles"]))
def test_clear_cut_members_get_the_right_role(insights, member_id):
    assert insights[member_id]["inferred_role"] == EXPECTED["clear_roles"][member_id]


def test_declared_role_is_used_but_confident_disagreement_is_flagged(insights):
    for member_id, labels in EXPECTED["mislabelled"].items():
        row = insights[member_id]
        assert row["role"] == labels["declared"]
        assert row["inferred_role"] == labels["true"]
        assert row["mismatch"].startswith(f"You said {labels['declared']}; your profile reads like")
    flagged = {m for m, r in insights.items() if r["mismatch"]}
    assert set(EXPECTED["mislabelled"]) <= flagged
    assert len(flagged - set(EXPECTED["mislabelled"])) <= 2  # few false alarms among 50 declared


def test_ambiguous_members_are_asked_the_deciding_question(insights):
    for row in insights.values():
        p = sorted(row["probabilities"].values(), reverse=True)
        if row["ambiguous"]:
            assert row["declared_role"] is None and p[0] - p[1] < 0.15
            assert row["question"].endswith("?")
        else:
            assert row["question"] is None


def test_vaguest_profiles_get_the_lowest_specificity(insights):
    ranked = sorted(insights, key=lambda m: insights[m]["specificity"])
    vague = set(EXPECTED["vague"])
    assert set(ranked[:4]) <= vague
    assert vague <= set(ranked[:8])  # the bottom ~10% of 72
    tips = insights[ranked[0]]["suggestions"]
    assert any("whom you serve" in t or "where" in t for t in tips)


def test_markets_of_consumer_and_business_facing_members(insights):
    # a pediatric dentist serves consumers; a dental lab sells to dentists
    assert insights["m02"]["market"] == "consumers"
    assert insights["m02"]["naics"]["code"] == "621210"
    assert insights["m29"]["market"] == "businesses"


def test_taxonomy_overrides_are_symmetric_and_checked():
    tax = load_taxonomy().with_overrides({"self": {"business-rep": 0.95}})
    i, j = ROLES.index("self"), ROLES.index("business-rep")
    assert tax.synergy[i, j] == tax.synergy[j, i] == 0.95
    with pytest.raises(ValueError, match="within"):
        load_taxonomy().with_overrides({"self": {"self": 2}})


def test_model_is_plain_arrays_and_reloads(tmp_path):
    with np.load(MODEL_PATH, allow_pickle=False) as z:
        assert z["coef"].shape[0] == 5
    model = RoleClassifier.load()
    copy = model.save(tmp_path / "m.npz")
    again = RoleClassifier.load(copy)
    np.testing.assert_array_equal(model.coef_, again.coef_)


def test_report_json_and_charts(sample_db, tmp_path):
    r = CliRunner().invoke(app, ["--db", str(sample_db), "report", "--out", str(tmp_path), "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["members"] == 72
    assert sum(report["role_counts"]["used"].values()) == 72
    assert set(EXPECTED["mislabelled"]) <= {m["member_id"] for m in report["mismatched"]}
    for name in ("roles", "synergy", "specificity"):
        img = Image.open(tmp_path / f"{name}.png").convert("L")
        pixels = np.asarray(img)
        assert img.width > 300 and img.height > 200
        assert pixels.std() > 20  # not blank: bars, cells and text are drawn
        assert (tmp_path / f"{name}.svg").read_text().startswith("<?xml")


def test_shown_confidence_is_never_certain(insights):
    from matcher.roles.assess import CONFIDENCE_CAP, shown_confidence

    assert shown_confidence(0.99999) == CONFIDENCE_CAP < 1.0
    assert shown_confidence(0.5) == 0.5
    assert all(r["confidence"] <= CONFIDENCE_CAP for r in insights.values())
    assert not any("100%" in (r["mismatch"] or "") for r in insights.values())


@pytest.mark.parametrize(("declared", "top", "market", "says_market"), [
    ("entre-ployee", "non-b2b-rep", "consumers", True),   # consumers support non-b2b-rep
    ("entre-ployee", "non-b2b-rep", "businesses", False),  # businesses would argue against it
    ("non-b2b-rep", "self", "businesses", False),  # a market says nothing for "self"
    ("self", "b2b-provider", "businesses", True),
    ("self", "b2b-provider", "consumers", False),
])
def test_a_disputed_role_is_explained_only_by_evidence_for_it(declared, top, market, says_market):
    from matcher.roles.assess import mismatch_reason

    text = mismatch_reason(declared, top, 0.999, market=market, industry="Offices of Dentists",
                           occupation="Dentists, General", cues=["patients"],
                           example="Family dentist in Boise", taxonomy=load_taxonomy())
    assert text.startswith(f"You said {declared}; your profile reads like a {top} (95% likely)")
    assert (f"serves {market}" in text) == says_market
    assert '"patients"' in text and "Family dentist in Boise" in text
    assert text.endswith("?")


def test_consumer_facing_professionals_read_as_non_b2b_rep(encoder):
    """Third-person bios and bare titles of consumer-facing professionals (not in any
    labelled file) read as non-b2b-rep with a consumer market."""
    from matcher.industry import default_index
    from matcher.market import market_from_p
    from matcher.occupations import default_occupations
    from matcher.roles import role_features
    from matcher.roles.reading import read_markets

    texts = ["Dr. Ana Ruiz practices pediatric dentistry at Sunny Smiles Dental; she completed "
             "her DDS in 2011.",
             "Mark Jensen, DC, treats back and neck pain at Jensen Chiropractic in Fargo.",
             "Board-certified family physician seeing patients of all ages at Prairie Clinic.",
             "Licensed professional counselor helping adults with anxiety, in person and online.",
             "Barber"]
    v = encoder.encode(texts)
    reading = read_markets(texts, v, index=default_index(), occupations=default_occupations())
    p = np.array([r.p_consumers for r in reading])
    proba = RoleClassifier.load().predict_proba(
        role_features(v, p, [market_from_p(x) for x in p]), texts)
    assert [ROLES[i] for i in proba.argmax(axis=1)] == ["non-b2b-rep"] * len(texts)
    assert [r.industry.market for r in reading] == ["consumers"] * len(texts)


def test_heldout_occupations_beat_the_nearest_phrase_baseline(encoder):
    """The issue's bar on the held-out set (whole occupations unseen in training): markets well
    above the plain nearest-NAICS-phrase look-up, consumer-facing professionals read as
    non-b2b-rep at least 85% of the time, and probabilities that mean what they say."""
    from matcher.industry import default_index
    from matcher.occupations import default_occupations
    from matcher.roles.training import evaluate_heldout

    h = evaluate_heldout(encoder, default_index(), default_occupations())
    assert h["n"] >= 150
    o = h["overall"]
    assert o["market_accuracy"] >= 0.85 and o["market_accuracy"] > o["baseline_market_accuracy"] + 0.1
    assert h["consumer_professionals"]["read_as_non_b2b_rep"] >= 0.85
    assert o["role_accuracy"] > o["baseline_role_accuracy"]
    assert all(b["role_accuracy"] >= 0.75 for b in h["per_register"].values())
    assert h["ece"] < 0.1


def test_second_heldout_set_meets_the_independent_bar(encoder):
    """The independent evaluation's bar, on the second held-out set (written before tuning:
    startup-directory and app-store one-liners, third-person bios of trades such as midwives,
    locksmiths and funeral directors, B2B professionals): consumer-facing professionals read
    as non-b2b-rep >= 85 % and markets right >= 85 %, above the nearest-phrase baseline."""
    from matcher.industry import default_index
    from matcher.occupations import default_occupations
    from matcher.roles.training import HELDOUT2, evaluate_heldout

    h = evaluate_heldout(encoder, default_index(), default_occupations(), path=HELDOUT2)
    o = h["overall"]
    assert h["consumer_professionals"]["read_as_non_b2b_rep"] >= 0.85
    assert o["market_accuracy"] >= 0.85 and o["market_accuracy"] > o["baseline_market_accuracy"]
    assert h["per_register"]["company"]["market_accuracy"] >= 0.8

"""Industry inference (NAICS), customer market (BEA shares) and buyer-supplier complementarity."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from matcher.errors import NotFound
from matcher.industry import (
    BUSINESSES_MAX,
    CONSUMERS_MIN,
    DATA_DIR,
    MARKETS,
    IndustryDataError,
    IndustryIndex,
    default_index,
    eval_market_holdout,
    market_of,
)


@pytest.fixture(scope="session")
def encoder():
    # TODO(lead): move to conftest.py
    from matcher.embedding import get_encoder

    return get_encoder()


@pytest.fixture(scope="module")
def index() -> IndustryIndex:
    return default_index()


# text, accepted codes (6-digit, or a 4-digit group prefix), accepted markets
EXAMPLES = [
    ("Residential realtor helping first-time buyers in East Austin", {"531210"}, {"consumers"}),
    (
        "Commercial real estate broker for office and retail leases",
        {"5312", "5311", "5313"},
        {"businesses", "both"},
    ),
    ("Dentist, family dentistry", {"621210"}, {"consumers"}),
    ("Dental lab making crowns and bridges for dentists", {"339116"}, {"businesses"}),
    ("Monthly bookkeeping for small medical clinics", {"5412"}, {"businesses"}),
    ("Dog walking and pet sitting", {"812910"}, {"consumers"}),
    ("Hair stylist and colorist", {"8121"}, {"consumers"}),
    ("IT managed services for small law firms", {"5415"}, {"businesses"}),
    ("Payroll processing for small businesses", {"541214"}, {"businesses"}),
]


@pytest.fixture(scope="module")
def example_matches(index, encoder):
    return index.infer(encoder.encode([t for t, _, _ in EXAMPLES]))


@pytest.mark.parametrize("i", range(len(EXAMPLES)), ids=[t[:30] for t, _, _ in EXAMPLES])
def test_examples_map_to_the_right_industry_and_market(example_matches, i):
    text, codes, markets = EXAMPLES[i]
    m = example_matches[i]
    assert any(m.code.startswith(c) for c in codes), (text, m)
    assert m.market in markets, (text, m)
    assert m.market == market_of(m.consumer_share)
    assert 0.0 <= m.confidence <= 1.0
    assert m.evidence and all(isinstance(e, str) for e in m.evidence)


def test_infer_is_vectorised_and_row_independent(index, encoder):
    texts = ["Dog walking and pet sitting", "Payroll processing for small businesses"]
    batch = index.infer(encoder.encode(texts))
    single = [index.infer(encoder.encode([t]))[0] for t in texts]
    assert [m.code for m in batch] == [m.code for m in single]
    one = index.infer(encoder.encode(texts)[0])  # a 1-D vector is one query
    assert len(one) == 1 and one[0].code == batch[0].code
    assert index.infer(np.zeros((0, 384), dtype=np.float32)) == []


def test_off_topic_text_has_low_confidence(index, encoder):
    [vague] = index.infer(encoder.encode(["hello, nice to meet you all"]))
    [clear] = index.infer(encoder.encode(["Payroll processing for small businesses"]))
    assert vague.confidence < clear.confidence


def test_market_thresholds():
    assert MARKETS == ("businesses", "consumers", "both")
    assert market_of(0.0) == "businesses"
    assert market_of(BUSINESSES_MAX) == "businesses"
    assert market_of(BUSINESSES_MAX + 1e-6) == "both"
    assert market_of(0.5) == "both"
    assert market_of(CONSUMERS_MIN - 1e-6) == "both"
    assert market_of(CONSUMERS_MIN) == "consumers"
    assert market_of(1.0) == "consumers"
    with pytest.raises(ValueError):
        market_of(1.5)


def test_consumer_shares_and_lookups(index):
    # residential investment counted as consumer-side (and brokers' commissions are investment)
    assert index.market("531210") == "consumers"
    assert index.market("339116") == "businesses"
    assert index.market("621210") == "consumers"
    assert index.market("541214") == "businesses"
    assert index.title("621210") == "Offices of Dentists"
    assert not index.title("111110").endswith("T")  # footnote marker stripped
    with pytest.raises(NotFound):
        index.title("999999")


def test_code_vectors_are_unit_rows(index):
    v = index.code_vectors(["621210", "339116"])
    assert v.shape == (2, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)
    assert float(v[0] @ v[1]) > 0.3  # dentists and dental labs are close in meaning


def test_complementarity(index):
    dental_lab, dentists, salons = "339116", "621210", "812112"
    c = index.complementarity([dental_lab], [dentists, salons])
    assert c.shape == (1, 2)
    assert c[0, 0] > 0.8 and c[0, 0] > c[0, 1] + 0.5

    codes = ["339116", "621210", "812112", "541211", "541110", "722511", "541513", "561720"]
    m = index.complementarity(codes, codes)
    assert m.shape == (len(codes), len(codes))
    assert ((m >= 0) & (m <= 1)).all()
    np.testing.assert_allclose(m, m.T)  # the stronger direction, either way round
    assert (np.diag(m) == 0).all()
    # same BEA industry (CPAs and payroll both sit in BEA 541200): competition, not a match
    assert index.complementarity(["541211"], ["541214"])[0, 0] == 0
    # accounting sells to everyone a little: moderate, never dominant
    acct = m[codes.index("541211")]
    others = np.delete(acct, codes.index("541211"))
    assert 0.05 < np.median(others) < 0.5 and others.max() < 0.8
    assert index.complementarity([], codes).shape == (0, len(codes))


def test_complement_evidence(index):
    text = index.complement_evidence("621210", "339116")
    assert text is not None and text.startswith("Dental laboratories sell to offices of dentists")
    assert "$4,817 M" in text
    assert index.complement_evidence("339116", "812112") is None


def test_eval_market_holdout_beats_majority_baseline(index):
    r = eval_market_holdout(index, test_fraction=0.2, seed=0)
    assert r["n_test_codes"] > 100 and r["n_test_phrases"] > 1000
    assert r["majority_market"] in MARKETS
    assert r["phrase_accuracy"] > r["phrase_baseline"] + 0.05
    assert r["code_accuracy"] > r["code_baseline"] + 0.05


def _copy_data(tmp_path):
    folder = tmp_path / "industries"
    shutil.copytree(DATA_DIR, folder, ignore=shutil.ignore_patterns("README.md"))
    return folder


def test_load_refuses_stale_phrase_vectors(tmp_path):
    folder = _copy_data(tmp_path)
    IndustryIndex.load(folder)  # the copy itself is fine
    with open(folder / "phrases.csv", "a", encoding="utf-8") as fh:
        fh.write("621210,Tooth whisperers,rolecall,\n")
    with pytest.raises(IndustryDataError, match="stale"):
        IndustryIndex.load(folder)


def test_load_refuses_vectors_of_another_model(tmp_path):
    folder = _copy_data(tmp_path)
    path = folder / "phrase_vectors.npz"
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["model_id"] = np.array("some-other-model")
    np.savez_compressed(path, **arrays)
    with pytest.raises(IndustryDataError, match="model"):
        IndustryIndex.load(folder)


def test_load_reports_missing_files(tmp_path):
    with pytest.raises(IndustryDataError, match="industry_build"):
        IndustryIndex.load(tmp_path)

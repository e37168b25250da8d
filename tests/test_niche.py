"""A member's niche (matcher/niche.py): customer segments, field readings, and the relations
they decide. Toy inputs with known answers; the industry index is the real one."""

from types import SimpleNamespace

import numpy as np
import pytest

from matcher.industry import default_index
from matcher.niche import (
    MIN_OFFERS,
    CustomerSegments,
    FieldReadings,
    SegmentDataError,
    default_segments,
    overlap,
    reread_industries,
)


@pytest.fixture(scope="module")
def seg() -> CustomerSegments:
    return default_segments()


@pytest.mark.parametrize(("text", "names"), [
    ("Managed IT and cybersecurity for small law firms", ["law firms"]),
    ("Monthly bookkeeping for dental and medical practices", ["dental practices", "medical practices"]),
    ("Bookkeeping for independent restaurants and bars", ["restaurants and bars"]),
    ("Outsourced CFO for venture-backed SaaS companies", ["software and tech companies",
                                                         "startups and founders"]),
    ("Helps first-time buyers find starter homes", ["first-time home buyers"]),
    ("Web design for coffee shops", ["restaurants and bars"]),  # not "shops": longest phrase wins
    ("SAT prep for high school juniors and seniors", ["teens and high schoolers"]),
    ("Divorce attorney for parents in Tampa", ["families and children"]),  # not "attorneys"
    ("Knitting circle", []),
])
def test_customer_segments_named_in_text(seg, text, names):
    assert seg.names(seg.mask(text)) == names


def test_customer_segments_carry_their_industries(seg):
    mask = seg.mask("IT support for law offices and dental clinics")
    assert set(seg.customer_industries(mask)) == {"5411", "6212"}
    assert seg.customer_industries(0) == ()


def test_segment_file_rejects_a_phrase_in_two_segments(tmp_path):
    bad = tmp_path / "segments.csv"
    bad.write_text("segment,label,kind,naics,phrases\n"
                   "a,a,businesses,,bars|cafes\nb,b,businesses,,bars\n")
    with pytest.raises(SegmentDataError, match="'bars' is in two segments"):
        CustomerSegments.load(bad)


def test_customer_overlap_is_jaccard_and_zero_when_unknown():
    masks = np.array([0b011, 0b001, 0b100, 0], dtype=np.uint64)
    assert overlap(np.uint64(0b011), masks).tolist() == [1.0, 0.5, 0.0, 0.0]
    assert overlap(np.uint64(0), masks).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_overlap_without_numpy_bitwise_count(monkeypatch):
    masks = np.array([0b011, 0b001, 2**63 + 1, 0], dtype=np.uint64)
    expected = overlap(np.uint64(0b011), masks).tolist()
    monkeypatch.delattr(np, "bitwise_count", raising=False)  # numpy < 2.0
    assert overlap(np.uint64(0b011), masks).tolist() == expected == [1.0, 0.5, 1 / 3, 0.0]


def _toy_index():
    """Four index phrases, one per axis: codes 541219 (accounting), 541213 (tax), 541110 (law),
    541512 (IT)."""
    codes = ["541219", "541213", "541110", "541512"]
    return SimpleNamespace(codes=codes, phrase_code=np.arange(4),
                           phrase_vectors=np.eye(4, 8, dtype=np.float32))


def _offers(*axes):
    return np.eye(4, 8, dtype=np.float32)[list(axes)]


def test_field_readings_one_members_industry_among_the_others_offers():
    # own groups: 0 = 5411 (law), 1 = 5412 (accounting and tax), 2 = 5415 (IT), 3 = 5416
    fields = FieldReadings().fit(
        groups=np.array([1, 3, 2, 2, 3, 0]), group_codes=np.array(["5411", "5412", "5415", "5416"]),
        phrase_vectors={(1, "offers"): _offers(0, 1, 3, 2),  # CFO: 2 of 4 offers accounting/tax
                        (2, "offers"): _offers(3, 3),  # IT: its own group only
                        (3, "offers"): _offers(2, 2, 3),  # IT for law firms: law is the customer
                        (4, "offers"): _offers(0, 3, 3)},  # consultant: 1 accounting offer of 3
        sellers=np.ones(6, bool), customer_industries=[(), (), (), ("5411",), (), ()],
        index=_toy_index())
    everyone = np.arange(6)
    assert fields.overlap(0, everyone).tolist() == [1.0, 0.5, 0.0, 0.0, 0.0, 0.0]
    assert fields.overlap(1, np.array([0])).tolist() == [0.5]  # symmetric
    assert fields.overlap(5, everyone).tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    for i in everyone:  # any subset, in any order, reads as the whole row does
        for js in (np.array([5, 1, 0]), np.array([1]), np.array([4, 4, 2])):
            assert fields.overlap(i, js).tolist() == fields.overlap(i, everyone)[js].tolist()
    assert fields.shared(0, 1) == (1, 0, "541219")  # the CFO's first offer, read as accounting
    assert fields.shared(0, 4) is None  # one offer of three could be a coincidence of wording
    assert MIN_OFFERS == 2


def test_field_readings_without_offer_vectors_are_the_same_group():
    fields = FieldReadings().fit(groups=np.array([0, 0, 1]), group_codes=np.array(["5412", "5415"]),
                                 phrase_vectors={}, sellers=np.ones(3, bool),
                                 customer_industries=[(), (), ()], index=_toy_index())
    assert fields.overlap(0, np.arange(3)).tolist() == [1.0, 1.0, 0.0]


def test_infer_can_leave_industries_out():
    index = default_index()
    dentists = [p for p, c in enumerate(index.phrase_code) if index.codes[c] == "621210"][:1]
    v = index.phrase_vectors[dentists]
    assert index.infer(v)[0].code == "621210"
    other = index.infer(v, exclude=("6212",))[0]
    assert not other.code.startswith("6212")
    assert not any("entist" in e for e in other.evidence)


def test_reread_only_a_b2b_sellers_guess_that_is_their_customers_industry(seg):
    index = default_index()
    dentists = [p for p, c in enumerate(index.phrase_code) if index.codes[c] == "621210"][:1]
    v = np.repeat(index.phrase_vectors[dentists], 3, axis=0)
    masks = np.array([seg.mask("IT for dental offices")] * 2 + [0], dtype=np.uint64)
    codes, markets, reread = reread_industries(
        ["621210"] * 3, ["consumers"] * 3, roles=["b2b-provider", "non-b2b-rep", "b2b-provider"],
        masks=masks, segments=seg, vectors=v, index=index)
    assert reread.tolist() == [True, False, False]
    assert not codes[0].startswith("6212") and codes[1:] == ["621210", "621210"]

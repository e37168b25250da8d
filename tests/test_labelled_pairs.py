"""The labelled pairs' splits: the fresh held-out set (round 5, ``heldout2``) stays apart from
everything that trains, and only ``train`` rows ever fit the model."""

from __future__ import annotations

import pytest

from matcher.pair_calibration import LabelledDataError, LabelledPairs, read_pairs, read_profiles


def test_only_train_rows_fit_the_model():
    pairs = [{"a": "p1", "b": "p2", "relation": "peer", "split": s}
             for s in ("train", "heldout", "heldout2", "train")]
    lp = LabelledPairs(scorer=None, pairs=pairs, components={})
    assert lp.train.tolist() == [True, False, False, True]


def test_fresh_heldout_profiles_never_meet_a_training_pair():
    """Round 5 (README_pairs.md): at least 130 pairs, each joining two h### profiles, and no
    h### profile in any other pair."""
    profiles = read_profiles()
    pairs = read_pairs(ids={m.id for m in profiles})
    fresh = [p for p in pairs if p["split"] == "heldout2"]
    assert len(fresh) >= 130
    assert all(p["a"].startswith("h") and p["b"].startswith("h") for p in fresh)
    h_ids = {m.id for m in profiles if m.id.startswith("h")}
    assert {p[s] for p in fresh for s in ("a", "b")} == h_ids
    assert not [p for p in pairs if p["split"] != "heldout2" and {p["a"], p["b"]} & h_ids]
    assert {p["relation"] for p in fresh} == {"complement", "referral-partner", "competitor",
                                               "peer"}


def test_an_unknown_split_is_named_with_its_row(tmp_path):
    (tmp_path / "pairs.csv").write_text("a,b,relation,note,split\n"
                                        "h1,h2,peer,Unrelated.,heldout2\n"
                                        "h1,h3,peer,Unrelated.,heldout3\n", encoding="utf-8")
    with pytest.raises(LabelledDataError, match=r"row 3: split 'heldout3'"):
        read_pairs(tmp_path)

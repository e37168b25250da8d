"""The outside-style community evaluation: metric definitions on hand-made lists, key
validation, a tiny community whose answers are known from the product's rules (same-company
members are never recommended; with five places and four candidates everyone else is shown),
the CLI, and one real community run end to end with the real model."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.communities_eval import COMMUNITIES, evaluate, read_key, seek_figures, summarise
from matcher.errors import ValidationFailed


@pytest.mark.parametrize("top, answers, decoys, hit, rr, decoy_above", [
    (["a", "b", "c"], {"a"}, set(), True, 1.0, None),  # first place
    (["x", "a", "c"], {"a", "c"}, {"d"}, True, 0.5, False),  # the first of two answers counts
    (["x", "y", "z"], {"a"}, {"y"}, False, 0.0, True),  # decoy shown, no answer shown
    (["x", "y", "z"], {"a"}, {"d"}, False, 0.0, False),  # neither shown
    (["d", "x", "a"], {"a"}, {"d"}, True, 0.3333, True),  # decoy ahead of the answer
    (["a", "d"], {"a"}, {"d"}, True, 1.0, False),  # decoy behind the answer
])
def test_seek_figures(top, answers, decoys, hit, rr, decoy_above):
    assert seek_figures(top, answers, decoys) == {"hit": hit, "rr": rr, "decoy_above": decoy_above}


def test_summarise_counts_each_seeker_once_and_decoys_only_where_keyed():
    rows = [{"seeker_id": "s1", "hit": True, "rr": 1.0, "decoy_above": None},
            {"seeker_id": "s1", "hit": False, "rr": 0.0, "decoy_above": True},
            {"seeker_id": "s2", "hit": False, "rr": 0.0, "decoy_above": False},
            {"seeker_id": "s3", "hit": True, "rr": 0.5, "decoy_above": None}]
    assert summarise(rows) == {"hit_rate": 0.5, "seeker_hit": round(2 / 3, 4), "mrr": 0.375,
                               "decoy_above": 0.5, "n_seeks": 4, "n_seekers": 3,
                               "n_with_decoys": 2}


def test_read_key_names_row_field_and_value():
    seeks = {"s1": ["a plumber"], "p1": [], "p2": []}
    key = ("seeker_id,seek,answer_ids,hard_decoy_ids\n"
           "s1,a plumber,p1,p2\n"
           "s1,an electrician,p1,\n"
           "zz,a plumber,p1,\n"
           "s1,a plumber,p9;p1,p1\n"
           "s1,a plumber,,\n")
    with pytest.raises(ValidationFailed) as caught:
        read_key(key, seeks)
    found = {(e.row, e.field) for e in caught.value.errors}
    assert found == {(2, "seek"), (3, "seeker_id"), (4, "answer_ids"), (4, "hard_decoy_ids"),
                     (5, "answer_ids")}
    text = str(caught.value)
    assert "'an electrician' is not one of s1's seeks" in text and "'p9'" in text
    assert [r.answers for r in read_key(key.split("s1,an")[0], seeks)] == [frozenset({"p1"})]


MEMBERS = """id,name,headline,specialty,offers,seeks,location,company
t1,Dr. Lena Ortiz,Pediatric Dentist,Pediatric dentist caring for children and teens,dental care for kids,monthly bookkeeping for my dental practice,"Austin, TX",Ortiz Kids Dental
t2,Angela Brooks,Bookkeeper,Bookkeeping for dental and medical practices,monthly bookkeeping for dental practices,,"Austin, TX",Brooks Books
t3,Sam Ortiz,Office Manager,Office manager at a pediatric dental practice,,,"Austin, TX",Ortiz Kids Dental
t4,Ravi Patel,Dog Groomer,Mobile dog grooming in north Austin,,,"Austin, TX",
t5,Jo Kim,Photographer,Wedding photography in the Hill Country,,,"Austin, TX",
t6,Mia Hughes,HVAC Technician,Air conditioning repair for homes,,,"Austin, TX",Hughes Heating
"""
SEEK = "monthly bookkeeping for my dental practice"


def test_tiny_communities_through_the_cli(tmp_path, encoder):
    """The same members under two keys. ``right``: the dental bookkeeper answers, the
    colleague from the seeker's own company is the decoy (never recommended: same company).
    ``wrong``: the key says the colleague answers, so nothing shown is an answer and the
    bookkeeper's claim (a near-identical phrase) is a false claim."""
    for name, answers, decoys in (("right", "t2", "t3"), ("wrong", "t3", "t2")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "members.csv").write_text(MEMBERS)
        (tmp_path / name / "key.csv").write_text(
            f"seeker_id,seek,answer_ids,hard_decoy_ids\nt1,{SEEK},{answers},{decoys}\n")
    result = CliRunner().invoke(app, ["eval", "communities", "--dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    right, wrong = figures["communities"]["right"], figures["communities"]["wrong"]

    top = right["rows"][0]["top"]["model"]
    assert sorted(top) == ["t2", "t4", "t5", "t6"]  # everyone but the seeker and her colleague
    assert top == wrong["rows"][0]["top"]["model"]
    assert right["rows"][0]["figures"]["model"] == {
        "hit": True, "rr": round(1 / (top.index("t2") + 1), 4), "decoy_above": False}
    assert wrong["rows"][0]["figures"]["model"] == {"hit": False, "rr": 0.0, "decoy_above": True}

    claim = {"seeker_id": "t1", "member_id": "t2", "seek": SEEK, "kind": "offer"}
    assert [{f: c[f] for f in claim} for c in right["claims"]] == [claim]
    assert right["false_claims"] == [] and right["model"]["claim_precision"] == 1.0
    assert [{f: c[f] for f in claim} for c in wrong["false_claims"]] == [claim]
    assert wrong["false_claims"][0]["text"].startswith("Angela offers ")
    assert wrong["false_claims"][0]["text"].endswith(f"what you seek: {SEEK}.")
    assert wrong["model"]["claim_precision"] == 0.0

    for part in (right, wrong):  # the baselines rank everyone but the seeker
        for name in ("cosine", "cosine_seeker", "harmonic"):
            assert sorted(part["rows"][0]["top"][name]) == ["t2", "t3", "t4", "t5", "t6"]
    assert figures["overall"]["model"]["hit_rate"] == 0.5
    assert figures["overall"]["model"]["n_false_claims"] == 1


def test_cli_names_the_bad_key_row(tmp_path, encoder):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "members.csv").write_text(MEMBERS)
    (tmp_path / "c" / "key.csv").write_text(
        "seeker_id,seek,answer_ids,hard_decoy_ids\nt1,a plumber,t2,\n")
    result = CliRunner().invoke(app, ["eval", "communities", "--dir", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"][0]["field"] == "seek"


def test_a_real_community_end_to_end(encoder):
    folder = COMMUNITIES / "meetup"
    with open(folder / "key.csv", newline="") as f:
        key = list(csv.DictReader(f))
    with open(folder / "members.csv", newline="") as f:
        n_members = sum(1 for _ in csv.DictReader(f))
    part = evaluate(COMMUNITIES, names=["meetup"], encoder=encoder)["communities"]["meetup"]
    assert part["n_members"] == n_members
    assert part["model"]["n_seeks"] == len(key)
    assert part["model"]["n_seekers"] == len({r["seeker_id"] for r in key})
    for row in part["rows"]:
        for name, top in row["top"].items():
            assert row["seeker_id"] not in top and 0 < len(top) <= 5
            assert row["figures"][name] == seek_figures(top, row["answers"], row["decoys"])
    answers = {}
    for r in key:
        answers.setdefault(r["seeker_id"], set()).update(r["answer_ids"].split(";"))
    tops = {r["seeker_id"]: r["top"]["model"] for r in part["rows"]}
    for c in part["claims"]:
        assert tops[c["seeker_id"]][c["position"] - 1] == c["member_id"]
    for c in part["false_claims"]:
        assert c["member_id"] not in answers[c["seeker_id"]]
    by_seeker: dict[str, list[dict]] = {}
    for row in part["rows"]:
        by_seeker.setdefault(row["seeker_id"], []).append(row)
    for rows in by_seeker.values():  # one list per seeker, as the product gives
        assert all(r["top"]["cosine_seeker"] == rows[0]["top"]["cosine_seeker"] for r in rows)
        if len(rows) == 1:  # one need: the same as the list for that seek
            assert rows[0]["top"]["cosine_seeker"] == rows[0]["top"]["cosine"]

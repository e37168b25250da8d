"""Who should I meet: the sample meetup's known answers, with the real model."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from matcher.candidates import AnnCandidates
from matcher.cli import app
from matcher.pairs.model import PairModel
from matcher.recommend import exposure_cap, recommend
from matcher.scoring import harmonic

EXPECTED = json.loads((Path(__file__).parents[1] / "data/sample/expected.json").read_text())
runner = CliRunner()


@pytest.fixture(scope="module")
def engine(_sample_db_master, encoder, tmp_path_factory):
    import shutil

    from matcher.engine import Engine
    from matcher.store import Store

    path = tmp_path_factory.mktemp("m") / "s.db"
    shutil.copy(_sample_db_master, path)
    store = Store(path)
    yield Engine(store, encoder=encoder)
    store.close()


def ids(rows):
    return [r["member_id"] for r in rows]


def test_harmonic_mean_makes_one_sided_fit_score_below_mutual():
    one_sided = harmonic(np.array([0.9]), np.array([0.1]))[0]
    mutual = harmonic(np.array([0.5]), np.array([0.5]))[0]
    assert one_sided < mutual


def test_shipped_score_keeps_a_one_sided_answer_but_ranks_a_mutual_fit_above_it():
    """The harmonic mean zeroes a strong answer to a stated need when the other side wrote no
    matching seek; the learned combination keeps it, and a mutual fit still wins."""
    model = PairModel.load()
    one_sided = model.base_score(0.95, 0.0, 0.0, 0.0)
    mutual = model.base_score(0.95, 0.95, 0.0, 0.0)
    nothing = model.base_score(0.0, 0.0, 0.0, 0.0)
    assert harmonic(np.array([0.95]), np.array([0.0]))[0] == 0.0
    assert nothing < one_sided < mutual


def test_shipped_score_is_driven_by_the_seekers_own_need():
    """For seeker A, a candidate who answers A's need ranks above one whose need A answers, and
    a strong one-way answer (a one-line member never writes a matching seek) is not buried by a
    candidate whose fits both ways stay below what a reason may call an answer."""
    from matcher.pairs.need_fit import NeedFit

    model, nf = PairModel.load(), NeedFit.load()
    assert model.base_score(0.95, 0.0, 0.0, 0.0) > model.base_score(0.0, 0.95, 0.0, 0.0)
    below_claim = float(nf.proba(nf.claim_cosine_)) - 1e-6
    assert (model.base_score(1.0, 0.0, 0.0, 0.0)
            >= model.base_score(below_claim, below_claim, 0.0, 0.0))


def test_a_typical_right_answer_outranks_someone_who_only_needs_the_seeker():
    """Answers before needs: a right answer at the lower quartile of right answers' fits on the
    hand-written development rows scores above a candidate who answers nothing the seeker
    asked but needs the seeker perfectly, and above one who answers nothing either way."""
    from matcher.pairs.fit import read_need_offer

    model = PairModel.load()
    dev = [r for r in read_need_offer() if r["split"] == "dev" and r["relevant"]]
    assert len(dev) > 100
    typical = json.loads((Path(__file__).parents[1] / "models/pair_need_fit.json").read_text())
    q = typical["figures"]["typical_right_fit"]
    assert 0.5 < q < 0.95  # a probability, well inside the range right answers take
    assert model.base_score(q, 0.0, 0.0, 0.0) >= model.base_score(0.0, 1.0, 0.0, 0.0)
    assert model.base_score(q, 0.0, 0.0, 0.0) > model.base_score(0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize("pair", EXPECTED["competitors"])
def test_near_identical_competitors_are_never_recommended_to_each_other(engine, pair):
    a, b = pair
    assert engine.explain(a, b)["relation"] == "competitor"
    assert b not in ids(engine.recommend(a, 20))
    assert a not in ids(engine.recommend(b, 20))


@pytest.mark.parametrize("pair", EXPECTED["referral_partners"])
def test_same_trade_different_niche_is_a_referral_partner(engine, pair):
    a, b = pair
    row = engine.explain(a, b)
    assert row["relation"] == "referral-partner", row
    assert any(r.startswith("Related work but ") for r in row["reasons"])


def test_niche_reasons_name_the_customers_and_the_shared_field(engine):
    it = engine.explain("m01", "m38")  # both run IT for small Austin law firms
    assert it["components"]["customer_overlap"] == 1.0
    assert "Both serve law firms in Austin, TX." in it["reasons"]
    books = engine.explain("m10", "m17")  # bookkeepers for clinics and for restaurants
    assert books["components"]["customer_overlap"] == 0.0
    assert "different customers (restaurants and bars rather than dental practices, medical " \
           "practices)" in books["reasons"][0]
    tax = engine.explain("m25", "m24")  # a tax preparer; an outsourced CFO who closes books
    assert 0 < tax["components"]["field_overlap"] < 1
    assert any(r.startswith("Derek also works in your field: ") for r in tax["reasons"])


@pytest.mark.parametrize("pair", EXPECTED["complements"])
def test_clear_complements_are_in_each_others_top5(engine, pair):
    a, b = pair
    top_a, top_b = ids(engine.recommend(a, 5)), ids(engine.recommend(b, 5))
    assert b in top_a or a in top_b, (top_a, top_b)


def test_dentist_and_clinic_bookkeeper_meet_both_ways_with_reasons(engine):
    rows = {r["member_id"]: r for r in engine.recommend("m02", 5)}
    assert "m10" in rows and "m02" in ids(engine.recommend("m10", 5))
    assert any("which is what you seek" in r for r in rows["m10"]["reasons"])


def test_recommendations_are_diverse(engine):
    insights = {r["member_id"]: r for r in engine.scorer().insights}
    for member in ("m02", "m13", "m05"):
        rows = engine.recommend(member, 10)
        assert len(rows) == 10
        titles = [insights[r["member_id"]]["naics"]["title"] for r in rows]
        assert max(titles.count(t) for t in titles) <= 3  # not ten accountants in a row


def test_exposure_cap_holds_across_the_community(engine):
    k = 5
    counts = {}
    for m in engine.store.members():
        for r in engine.recommend(m.id, k):
            counts[r["member_id"]] = counts.get(r["member_id"], 0) + 1
    assert max(counts.values()) <= exposure_cap(len(engine.store.members()), k)


def test_history_blocks_and_same_company_are_excluded(engine):
    first = ids(engine.recommend("m02", 3))[0]
    engine.store.add_meetings([("m02", first)], source="test")
    assert first not in ids(engine.recommend("m02", 10))
    assert engine.explain("m02", first)["already_met"]
    colleague_a, colleague_b = EXPECTED["colleagues"][0]
    assert colleague_b not in ids(engine.recommend(colleague_a, 72))


def test_helpable_lists_people_who_seek_what_i_offer(engine):
    rows = engine.helpable("m10")  # the dental-clinic bookkeeper
    assert "m02" in ids(rows)  # the dentist seeks bookkeeping
    assert all(r["reasons"][0].startswith("You offer") for r in rows)


def test_introductions_come_from_history(engine):
    engine.store.add_meetings([("m72", "m11"), ("m72", "m12"), ("m72", "m36")], source="test")
    rows = engine.introductions("m72")
    pairs = [{r["a"]["member_id"], r["b"]["member_id"]} for r in rows]
    assert pairs[0] == {"m11", "m12"}  # the restaurant owner and the commercial cleaner
    assert rows[0]["pitch"]


def test_introductions_without_the_score_matrix_are_the_same(engine):
    """Large communities keep no n x n matrix: the pairs among the people met are scored
    on the spot, with the same answer."""
    from matcher.recommend import introductions

    scored = engine.scorer()
    m = scored.scorer.matrix_
    met = sorted(m.index(x) for x in ("m11", "m12", "m36", "m02", "m10", "m30"))
    args = dict(i=m.index("m72"), met=met, met_pairs=set(), k=10)
    with_matrix = introductions(scored.scorer, scored.S, scored.R, **args)
    assert len(with_matrix) >= 2
    assert introductions(scored.scorer, None, None, **args) == with_matrix


def test_ann_candidates_give_the_exact_ranking_on_small_data(engine):
    scorer = engine.scorer().scorer
    ann = AnnCandidates().fit(scorer.matrix_, groups=scorer.roles_)  # HNSW, then exact
    for i in range(0, len(scorer.matrix_), 9):
        exact = ids(recommend(scorer, i, 10, diversity=0.0))
        approx = ids(recommend(scorer, i, 10, candidates=ann.candidates(i), diversity=0.0))
        assert approx == exact


def test_ann_candidates_take_the_best_fits_of_every_role(engine):
    """Searched per role, the candidates hold each role's best mutual fits (here, where HNSW
    is exact), not only the best-fitting role's."""
    scorer = engine.scorer().scorer
    m, roles = scorer.matrix_, scorer.roles_
    ann = AnnCandidates(per_group=3).fit(m, groups=roles)
    proxy = np.hstack([m.offers, m.seeks]) @ np.concatenate([m.seeks[2], m.offers[2]])
    got = set(ann.candidates(2).tolist())
    assert len(np.unique(roles)) >= 4
    for g in np.unique(roles):
        rows = np.flatnonzero(roles == g)
        best = rows[np.argsort(-proxy[rows])[:3]]
        assert set(best.tolist()) <= got, g


def test_cli_recommend_and_explain_contracts(sample_db):
    r = runner.invoke(app, ["--db", str(sample_db), "recommend", "m02", "-k", "3", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert len(rows) == 3
    assert all({"member_id", "name", "score", "relation", "reasons"} <= set(x) for x in rows)
    r = runner.invoke(app, ["--db", str(sample_db), "explain", "m07", "m37", "--json"])
    doc = json.loads(r.stdout)
    assert doc["relation"] == "competitor"
    assert {"relation", "score", "components", "reasons"} <= set(doc)
    r = runner.invoke(app, ["--db", str(sample_db), "recommend", "nobody", "--json"])
    assert r.exit_code == 1 and "unknown member 'nobody'" in r.stdout


CLAIMS = ("which is what", "answers what", "which you seek", " seeks: ")


def _claims(reasons):
    return [r for r in reasons if any(c in r for c in CLAIMS)]


@pytest.mark.parametrize(("a", "b"), [
    ("m02", "m55"),  # monthly bookkeeping for a practice vs monthly membership pricing
    ("m22", "m41"),  # a wedding photographer vs executive portraits (the examples)
    ("m59", "m04"),  # two job seekers: one's background does not answer the other's job hunt
    ("m04", "m59"),
    ("m01", "m38"),  # two IT firms for law firms: the other's seek for law-firm clients
])
def test_reasons_never_claim_that_an_unrelated_offer_answers_a_need(engine, a, b):
    assert not _claims(engine.explain(a, b)["reasons"])


@pytest.mark.parametrize(("a", "b", "seek"), [
    ("m02", "m10", "monthly bookkeeping for my practice"),  # a dentist; a practice bookkeeper
    ("m20", "m21", "sit-stand desks"),  # an office manager; an office-furniture dealer
    ("m30", "m02", "a pediatric dentist"),  # a cosmetic dentist; a pediatric dentist
])
def test_a_clear_answer_to_a_stated_need_is_claimed(engine, a, b, seek):
    row = engine.explain(a, b)
    assert any("what you seek: " + seek in r for r in row["reasons"]), row["reasons"]


def test_a_true_answer_below_the_claim_level_still_ranks_without_a_claim(engine):
    # a COO seeking a startup attorney; a startup attorney whose long specialty sits below the
    # confident claim level: still recommended, with reasons that claim nothing
    recs = engine.recommend("m13", 5)
    assert "m14" in [r["member_id"] for r in recs]
    row = next(r for r in recs if r["member_id"] == "m14")
    assert row["reasons"] and not _claims(row["reasons"])


def test_every_recommendation_keeps_a_reason(engine):
    for m in engine.store.members():
        for r in engine.recommend(m.id, 5):
            assert r["reasons"], (m.id, r["member_id"])


def test_a_better_answer_always_scores_more_even_below_the_floor():
    """Modest right answers (one-line members, cosine 0.3-0.5) are still ordered by how well
    they answer: the shipped score is strictly increasing in the seeker's need fit."""
    model = PairModel.load()
    fits = np.linspace(0.0, 1.0, 21)
    base = model.base_score(fits, np.zeros_like(fits), np.zeros_like(fits), np.zeros_like(fits))
    assert np.all(np.diff(base) > 0)

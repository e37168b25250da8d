"""Reasons say only what the evidence supports (issue 12: every reason must be true)."""

from __future__ import annotations

from matcher.industry import default_index
from matcher.places import Towns


def claims(engine, a, b):
    return [r for r in engine.explain(a, b)["reasons"] if "which is what you seek" in r
            or "answers what you seek" in r]


def test_towns_are_the_members_own_and_whole_words():
    towns = Towns().fit(["Austin, TX", "San Antonio, TX", "Round Rock, TX", "", "Ax, XX"])
    assert towns.named("owners in East Austin and Round Rock") == {"austin", "round rock"}
    assert towns.named("Austinite founders") == frozenset()  # not a whole word
    assert towns.named("ax throwing") == frozenset()  # too short to be told from a word
    assert towns.conflict("owners in East Austin", "operators in San Antonio")
    assert not towns.conflict("owners in East Austin", "operators in Austin and Round Rock")
    assert not towns.conflict("owners in Austin", "payroll for restaurant groups")


FOUNDER = ["a1", "Ana Ruiz", "I run a seed-stage startup building dispatch software.", "",
           "restaurant and cafe owners in East Austin", "Austin, TX"]


def test_an_answer_tied_to_another_town_is_not_claimed(community):
    engine = community([
        FOUNDER,
        ["b1", "Ben Cho", "Restaurant consultant.",
         "introductions to restaurant and cafe owners in San Antonio", "", "San Antonio, TX"],
        ["c1", "Cal Ito", "Restaurant consultant.",
         "introductions to restaurant and cafe owners in East Austin", "", "Austin, TX"],
    ])
    assert claims(engine, "a1", "b1") == []
    assert claims(engine, "a1", "c1"), engine.explain("a1", "c1")["reasons"]


def test_an_offer_for_named_customers_answers_only_them(community):
    engine = community([
        ["a1", "Ana Ruiz", "I design and build custom furniture in my own small workshop.", "",
         "monthly bookkeeping", "Denver, CO"],
        ["b1", "Ben Cho", "Bookkeeper.", "monthly bookkeeping for restaurants and bars", "",
         "Denver, CO"],
        ["c1", "Cal Ito", "Bookkeeper.", "monthly bookkeeping for small businesses", "",
         "Denver, CO"],
    ])
    assert claims(engine, "a1", "b1") == []  # a furniture maker is not a restaurant or bar
    assert claims(engine, "a1", "c1"), engine.explain("a1", "c1")["reasons"]


def test_no_reason_states_an_industry_reading_as_fact(sample_engine):
    """The industry read from a member's words is a feature, not a fact to tell members: no
    NAICS title or BEA statistic appears in any recommendation's reasons."""
    index = default_index()
    titles = {index.title(code) for code in index.codes}
    long_titles = {t for t in titles if len(t) > 20}
    seen = 0
    for m in sample_engine.store.members():
        for row in sample_engine.recommend(m.id, 5):
            for reason in row["reasons"]:
                seen += 1
                assert "BEA" not in reason, reason
                assert not [t for t in long_titles if t in reason], reason
    assert seen > 100

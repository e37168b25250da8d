"""Profile edits under the service's memo of recommendations: an edit of a field no score reads
changes nothing; an edit of a scored field keeps the previous answers (stale, with their age)
until the background refresh replaces the ones it can change, and every answer then equals
what a freshly fitted engine computes."""

from __future__ import annotations

import threading

import pytest

from matcher.engine import Engine
from matcher.refresh import UNSCORED_FIELDS
from matcher.store import Store
from service.deps import Runtime

K = 5
EDITS = [  # (member, changes): a vague consultant turns specific; a cleaner narrows offers;
    ("m08", {"specialty": "Pipe organ tuning and restoration for churches in Central Texas"}),
    ("m12", {"offers": ["nightly restaurant kitchen cleaning"]}),
    ("m05", {"name": "Nicole F. Ferreira"}),  # a name shows in other members' answers
    # a restaurant bookkeeper turns to clinics: now one of the best answers to a dentist's
    # "monthly bookkeeping for my practice", taken first in her list (matcher/needs_first.py)
    ("m31", {"specialty": "Monthly bookkeeping for dental and medical practices in Austin."}),
]


@pytest.fixture
def rt(sample_db, encoder):
    with Store(sample_db) as store:
        runtime = Runtime(Engine(store, encoder=encoder), check_seconds=0.0, warm_k=K,
                          background=False)
        runtime.warm(chunk=24).join(timeout=300)
        yield runtime


def edited(rt, member_id, changes):
    return rt.engine.store.member(member_id).model_copy(update=changes)


def reference(sample_db, encoder, member_ids):
    """Answers of an engine fitted from scratch on the database as it is now."""
    with Store(sample_db) as store:
        return Engine(store, encoder=encoder).recommend_many(member_ids, K)


def test_fields_called_unscored_change_no_answer(sample_db, encoder, sample_members):
    ids = [m.id for m in sample_members]
    before = reference(sample_db, encoder, ids)
    changes = {"email": "someone.else@example.org", "phone": "+1 512 555 0199",
               "notes": "owes us a call", "tags": ["vip", "sponsor"]}
    assert set(changes) == UNSCORED_FIELDS
    with Store(sample_db) as store:
        Engine(store, encoder=encoder).import_members(
            [m.model_copy(update=changes) for m in sample_members])
    assert reference(sample_db, encoder, ids) == before


def test_a_notes_edit_keeps_the_memo_and_the_fitted_scorer(rt, sample_members):
    memo = {m.id: rt.cached(m.id, K, None) for m in sample_members}
    scored = rt.engine.scorer(None)
    rt.save_members([edited(rt, "m02", {"notes": "prefers mornings", "tags": ["dentist"]})])
    assert rt.engine.scorer(None) is scored  # nothing refitted
    assert rt.engine.pending_edits() == {}
    for m in sample_members:
        answer = rt.cached(m.id, K, None)
        assert answer is memo[m.id], m.id  # the very same memoised answer
        assert rt.describe(answer)["stale"] is False
    assert rt.refresh() is None  # nothing to do in the background


@pytest.mark.parametrize(("member_id", "changes"), EDITS)
def test_a_scored_edit_serves_the_previous_answer_then_the_fresh_one(
        rt, sample_db, encoder, sample_members, member_id, changes):
    ids = [m.id for m in sample_members]
    before = {i: rt.cached(i, K, None) for i in ids}
    rt.save_members([edited(rt, member_id, changes)])
    assert rt.engine.pending_edits().keys() == {member_id}
    for i in ids:  # until the refresh: the previous answers, marked stale, with their age
        answer = rt.cached(i, K, None)
        assert answer.rows == before[i].rows
        shown = rt.describe(answer)
        assert shown["stale"] is True and shown["age_seconds"] >= 0
    assert rt.stale_count() == len(ids)

    done = rt.refresh()
    expected = reference(sample_db, encoder, ids)
    for i in ids:
        answer = rt.cached(i, K, None)
        assert rt.describe(answer)["stale"] is False
        assert answer.rows == expected[i], i
    assert rt.stale_count() == 0
    assert rt.engine.pending_edits() == {}
    # only the answers the edit can change were recomputed; the others were kept as they were
    assert done["kept"] + done["recomputed"] == len(ids)
    assert done["recomputed"] < len(ids)
    assert sum(rt.cached(i, K, None).rows != before[i].rows for i in ids) <= done["recomputed"]


def test_insights_after_an_edit_are_the_communitys(rt, sample_db, encoder):
    rt.save_members([edited(rt, *EDITS[0])])
    rt.refresh()
    with Store(sample_db) as store:
        fresh = Engine(store, encoder=encoder).scorer(None).insights
    assert rt.engine.scorer(None).insights == fresh


def test_a_patch_does_not_wait_for_the_recomputation(sample_db, encoder, monkeypatch):
    with Store(sample_db) as store:
        rt = Runtime(Engine(store, encoder=encoder), check_seconds=0.0, warm_k=K,
                     settle_seconds=0.0)
        rt.warm(chunk=24).join(timeout=300)
        before = rt.cached("m02", K, None).rows
        gate, started = threading.Event(), threading.Event()
        refit = rt.engine.refresh

        def held_refresh(*args, **kwargs):
            started.set()
            gate.wait(timeout=60)  # the background refresh is stuck until the test lets go
            return refit(*args, **kwargs)

        monkeypatch.setattr(rt.engine, "refresh", held_refresh)
        saving = threading.Thread(target=rt.save_members, args=([edited(rt, *EDITS[0])],))
        saving.start()
        saving.join(timeout=30)
        assert not saving.is_alive()  # the PATCH returned while the refresh is held
        assert started.wait(timeout=30)
        answer = rt.cached("m02", K, None)
        assert answer.rows == before and rt.describe(answer)["stale"] is True
        gate.set()
        for _ in range(600):
            if rt.stale_count() == 0:
                break
            threading.Event().wait(0.1)
        assert rt.stale_count() == 0
        assert rt.cached("m02", K, None).rows == reference(sample_db, encoder, ["m02"])["m02"]


def test_an_edit_by_another_process_is_worked_in(rt, sample_db, encoder, sample_members):
    member_id, changes = EDITS[0]
    with Store(sample_db) as cli_store:  # e.g. `matcher import` of an edited file
        Engine(cli_store, encoder=encoder).import_members(
            [cli_store.member(member_id).model_copy(update=changes)])
    rt.cached("m02", K, None)  # the next read notices the write
    rt.refresh()
    ids = [m.id for m in sample_members]
    expected = reference(sample_db, encoder, ids)
    assert all(rt.cached(i, K, None).rows == expected[i] for i in ids)


def test_a_new_member_refits_everything(rt, sample_db, encoder, sample_members):
    new = sample_members[9].model_copy(update={"id": "m99", "name": "Nora New"})  # m10's twin
    rt.save_members([new])
    assert not rt.engine.fitted()  # the memo was dropped and is computed again
    rt.warming.join(timeout=300)
    expected = reference(sample_db, encoder, ["m02", "m99"])
    assert rt.cached("m99", K, None).rows == expected["m99"]
    assert rt.cached("m02", K, None).rows == expected["m02"]


def wait_for(condition, timeout: float = 300.0) -> bool:
    done = threading.Event()
    for _ in range(int(timeout / 0.1)):
        if condition():
            return True
        done.wait(0.1)
    return condition()


def test_the_refresh_worker_process_keeps_the_answers_up_to_date(sample_db, encoder,
                                                                  sample_members):
    ids = [m.id for m in sample_members]
    with Store(sample_db) as store:
        rt = Runtime(Engine(store, encoder=encoder), check_seconds=0.0, warm_k=K, worker=True)
        try:
            rt.warm()  # in the worker process; this process fits its own engine meanwhile
            assert wait_for(lambda: rt.warm_progress == 1.0 and rt.engine.fitted())
            expected = reference(sample_db, encoder, ids)
            assert all(rt.cached(i, K, None).rows == expected[i] for i in ids)

            rt.save_members([edited(rt, *EDITS[0])])
            assert wait_for(lambda: rt.stale_count() == 0)
            expected = reference(sample_db, encoder, ids)
            assert all(rt.cached(i, K, None).rows == expected[i] for i in ids)

            # this process's engine (other k, events, explanations) is refitted once read
            assert rt.engine.pending_edits().keys() == {EDITS[0][0]}
            first = rt.answer("m02", 3, None)
            assert rt.describe(first)["stale"] is True  # from the engine not yet refitted
            assert wait_for(lambda: (rt.cached("m02", 3, None) or first) is not first
                            or not rt.engine.pending_edits())
            rt.refitting.join(timeout=300)
            again = rt.answer("m02", 3, None)
            assert rt.describe(again)["stale"] is False
            with Store(sample_db) as other:
                assert again.rows == Engine(other, encoder=encoder).recommend("m02", 3)
        finally:
            rt.close()

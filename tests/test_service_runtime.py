"""The service's memo of recommendations: computed ahead, and never served stale, also when
another process (the CLI) writes to the same database."""

from __future__ import annotations

import pytest

from matcher.engine import Engine
from matcher.store import Store
from service.deps import Runtime


@pytest.fixture
def rt(sample_db, encoder):
    with Store(sample_db) as store:
        yield Runtime(Engine(store, encoder=encoder), check_seconds=0.0, warm_k=5)


def ids(rows):
    return [r["member_id"] for r in rows]


def rows(answer):
    return answer.rows if answer is not None else []


def test_warm_up_computes_every_members_answer_as_the_engine_would(rt, sample_members):
    rt.warm(chunk=16).join(timeout=300)
    for m in sample_members:
        cached = rt.cached(m.id, 5, None)
        assert cached is not None, m.id
    for member_id in ("m02", "m10", "m33"):
        assert rt.cached(member_id, 5, None).rows == rt.engine.recommend(member_id, 5)


def test_a_block_written_by_another_process_is_seen(rt, sample_db):
    first = ids(rt.recommend("m02", 5, None))
    with Store(sample_db) as cli_store:  # e.g. `matcher block` in another process
        cli_store.block("m02", first[0])
    assert first[0] not in ids(rt.recommend("m02", 5, None))
    assert rt.engine.__dict__.get("_scorers")  # history only: the fitted scorer is kept


def test_a_member_removed_by_another_process_is_gone(rt, sample_db):
    first = ids(rt.recommend("m02", 5, None))
    with Store(sample_db) as cli_store:
        cli_store.delete_member(first[0])
    assert first[0] not in ids(rt.recommend("m02", 5, None))


def test_a_warm_up_overtaken_by_a_change_leaves_nothing_stale(rt, sample_members):
    assert "m10" in ids(rt.recommend("m02", 5, None))  # the dentist's bookkeeper
    first = rt.warm(chunk=4)  # running while the change below lands
    rt.engine.store.delete_member("m10")
    rt.invalidate()  # what the service does after a delete
    first.join(timeout=300)
    rt.warming.join(timeout=300)
    for m in sample_members:
        if m.id != "m10":
            assert "m10" not in ids(rows(rt.cached(m.id, 5, None))), m.id


def test_no_warm_up_when_the_memo_cannot_hold_every_member(sample_db, encoder, sample_members):
    with Store(sample_db) as store:
        small = Runtime(Engine(store, encoder=encoder), check_seconds=0.0, warm_k=5,
                        recs_cache_size=len(sample_members) - 1)
        small.warm().join(timeout=60)
        assert small.warm_progress is None  # /v1/health: no warm-up running
        assert small.cached("m02", 5, None) is None
        assert ids(small.recommend("m02", 5, None))  # computed on request instead


# -- API keys: a revocation anywhere stops the key at once ------------------------------------
def test_a_key_revoked_by_another_process_stops_working_at_once(sample_db, encoder):
    from matcher.keys import create_key
    from matcher.store import extra

    with Store(sample_db) as store, Store(sample_db) as cli_store:
        service = Runtime(Engine(store, encoder=encoder), key_cache_seconds=30.0)
        key = create_key(store, "app")
        assert service.verify(key.secret).id == key.record.id  # now memoised for 30 s
        assert service.verify(key.secret).id == key.record.id
        extra.revoke_key(cli_store, key.record.id)  # `matcher keys revoke` in another process
        assert service.verify(key.secret) is None


def test_a_memoised_key_outlives_writes_that_do_not_revoke_it(sample_db, encoder):
    from matcher.keys import create_key

    with Store(sample_db) as store, Store(sample_db) as cli_store:
        service = Runtime(Engine(store, encoder=encoder))
        key = create_key(store, "member", member_id="m02")
        assert service.verify(key.secret).member_id == "m02"
        cli_store.block("m02", "m10")  # another write: the memo is checked again, still live
        assert service.verify(key.secret).member_id == "m02"
        assert service.verify("rc_not-a-key") is None


def test_without_a_data_version_a_key_is_trusted_one_second_at_most(sample_db, encoder,
                                                                     monkeypatch):
    from matcher.keys import create_key
    from matcher.store import extra

    clock = [1000.0]
    monkeypatch.setattr("service.deps.time.monotonic", lambda: clock[0])
    with Store(sample_db) as store:
        service = Runtime(Engine(store, encoder=encoder), key_cache_seconds=30.0)
        monkeypatch.setattr(store, "data_version", lambda: None)  # e.g. PostgreSQL
        key = create_key(store, "app")
        assert service.verify(key.secret) is not None
        extra.revoke_key(store, key.record.id)
        clock[0] += 0.5
        assert service.verify(key.secret) is not None  # the memo, within its second
        clock[0] += 0.6
        assert service.verify(key.secret) is None

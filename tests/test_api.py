"""HTTP API: one block of TestClient tests per resource, on the 72-member sample meetup."""

from __future__ import annotations

import json
import logging
import shutil

import pytest
from fastapi.testclient import TestClient

from matcher.keys import create_key
from matcher.profiles import PRIVATE_FIELDS
from matcher.store import Store
from service.app import create_app
from service.settings import Settings

PRIVATE = sorted(PRIVATE_FIELDS)


def _client(db, encoder, **settings):
    app = create_app(settings=Settings(db=str(db), **settings), encoder=encoder)
    return TestClient(app, raise_server_exceptions=False)


def _keys(db) -> dict[str, str]:
    with Store(db) as store:
        return {
            "admin": create_key(store, "admin").secret,
            "app": create_key(store, "app").secret,
            "m01": create_key(store, "member", member_id="m01").secret,
            "m02": create_key(store, "member", member_id="m02").secret,
        }


def _h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def ro(_sample_db_master, encoder, tmp_path_factory):
    """A read-only client over a module-wide copy of the sample (plus the keys)."""
    path = tmp_path_factory.mktemp("api_ro") / "sample.db"
    shutil.copy(_sample_db_master, path)
    keys = _keys(path)
    with Store(path) as store:
        store.create_event("june", date="2026-06-04", attendees=[f"m{i:02d}" for i in range(1, 21)])
    with _client(path, encoder) as client:
        yield client, keys


@pytest.fixture
def rw(sample_db, encoder):
    """A client on a private copy of the sample, for tests that write."""
    keys = _keys(sample_db)
    with _client(sample_db, encoder) as client:
        yield client, keys


# -- members --------------------------------------------------------------------------------
def test_list_members_paginates(ro):
    client, keys = ro
    r = client.get("/v1/members?offset=10&limit=5", headers=_h(keys["app"]))
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 72 and len(body["data"]) == 5
    assert [m["id"] for m in body["data"]] == [f"m{i:02d}" for i in range(11, 16)]
    assert all(not (set(m) & PRIVATE_FIELDS) for m in body["data"])


def test_list_members_admin_sees_private(ro):
    client, keys = ro
    body = client.get("/v1/members?limit=1", headers=_h(keys["admin"])).json()
    assert body["data"][0]["email"] == "marcus@bellwether-it.example.com"


def test_list_members_filters(ro):
    client, keys = ro
    every = client.get("/v1/members?limit=500", headers=_h(keys["app"])).json()["data"]
    r = client.get("/v1/members?role=b2b-provider&limit=500", headers=_h(keys["app"]))
    assert r.status_code == 200
    providers = r.json()
    assert 0 < providers["count"] < len(every)
    report = client.get("/v1/reports/roles", headers=_h(keys["app"])).json()
    assert providers["count"] == report["role_counts"]["used"]["b2b-provider"]
    market = next(iter(report["markets"]))
    by_market = client.get(f"/v1/members?market={market}&limit=500", headers=_h(keys["app"])).json()
    assert by_market["count"] == report["markets"][market]
    june = client.get("/v1/members?event=june&limit=500", headers=_h(keys["app"])).json()
    assert june["count"] == 20


def test_get_member_views(ro):
    client, keys = ro
    public = client.get("/v1/members/m01", headers=_h(keys["app"]))
    assert public.status_code == 200 and public.json()["name"] == "Marcus Bell"
    assert not set(public.json()) & PRIVATE_FIELDS
    own = client.get("/v1/members/m01", headers=_h(keys["m01"])).json()
    assert own["email"] == "marcus@bellwether-it.example.com" and "phone" in own
    assert client.get("/v1/members/nobody", headers=_h(keys["admin"])).status_code == 404


def test_member_crud(rw):
    client, keys = rw
    admin = _h(keys["admin"])
    new = {"id": "z1", "name": "Zoe Quinn", "email": "zoe@example.com",
           "specialty": "Commercial HVAC maintenance for restaurants in Austin",
           "offers": "HVAC maintenance plans;emergency repairs", "role": "B2B provider",
           "notes": "met at the June meetup"}
    r = client.post("/v1/members", json=new, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "b2b-provider" and r.json()["offers"] == [
        "HVAC maintenance plans", "emergency repairs"]
    assert client.post("/v1/members", json=new, headers=admin).status_code == 409
    r = client.patch("/v1/members/z1", json={"headline": "Owner, Quinn Air"}, headers=admin)
    assert r.status_code == 200 and r.json()["headline"] == "Owner, Quinn Air"
    assert r.json()["notes"] == "met at the June meetup"
    bad = client.patch("/v1/members/z1", json={"role": "astronaut"}, headers=admin)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "role"
    r = client.put("/v1/members/z1", json=new | {"name": "Zoe Q."}, headers=admin)
    assert r.status_code == 200 and r.json()["name"] == "Zoe Q." and r.json()["headline"] == ""
    assert client.put("/v1/members/z1", json=new | {"id": "z2"}, headers=admin).status_code == 400
    recs = client.get("/v1/members/z1/recommendations?k=3", headers=admin)
    assert recs.status_code == 200 and len(recs.json()["data"]) == 3
    assert client.delete("/v1/members/z1", headers=admin).status_code == 204
    assert client.get("/v1/members/z1", headers=admin).status_code == 404
    assert client.delete("/v1/members/z1", headers=admin).status_code == 404
    assert client.get("/v1/members/z1/recommendations", headers=admin).status_code == 404


def test_create_member_validation_is_problem_json(rw):
    client, keys = rw
    r = client.post("/v1/members", json={"id": "has space", "name": ""}, headers=_h(keys["admin"]))
    assert r.status_code == 422
    body = r.json()
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(body)
    assert body["instance"] == "/v1/members"
    locs = {tuple(e["loc"]) for e in body["errors"]}
    assert ("body", "specialty") in locs and ("body", "id") in locs


# -- import ----------------------------------------------------------------------------------
CSV = ("id,name,specialty,role\n"
       "n1,Ann Lee,Estate planning attorney for blended families in Round Rock,business rep\n"
       "n2,Bo Diaz,Payroll outsourcing for construction subcontractors,b2b\n")


def test_import_csv_json_jsonl_and_multipart(rw):
    client, keys = rw
    admin = _h(keys["admin"])
    r = client.post("/v1/members/import", content=CSV,
                    headers=admin | {"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2 and r.json()["encoded"] > 0
    rows = [{"id": "n1", "name": "Ann Lee", "specialty": "Estate planning attorney for "
             "blended families in Round Rock", "role": "business rep"}]
    r = client.post("/v1/members/import", json=rows, headers=admin)
    counts = {k: r.json()[k] for k in ("created", "updated", "unchanged", "encoded")}
    assert counts == {"created": 0, "updated": 0, "unchanged": 1, "encoded": 0}
    assert r.json()["changes"] == {} and r.json()["dry_run"] is False
    jsonl = "\n".join(json.dumps(x) for x in rows)
    r = client.post("/v1/members/import?format=jsonl", content=jsonl, headers=admin)
    assert r.status_code == 200 and r.json()["unchanged"] == 1
    r = client.post("/v1/members/import", files={"file": ("more.csv", CSV, "text/csv")},
                    headers=admin)
    assert r.status_code == 200 and r.json()["unchanged"] == 2


def test_import_is_all_or_nothing(rw):
    client, keys = rw
    admin = _h(keys["admin"])
    bad = CSV + "n3,,Something,astronaut\n"
    r = client.post("/v1/members/import", content=bad, headers=admin | {"Content-Type": "text/csv"})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(3, "name"), (3, "role")}
    assert client.get("/v1/members/n1", headers=admin).status_code == 404
    r = client.post("/v1/members/import", content=b"x", headers=admin | {"Content-Type": "text/plain"})
    assert r.status_code == 400


def test_body_limit(sample_db, encoder):
    with _client(sample_db, encoder, max_body=1000) as client:
        admin = _h(_keys(sample_db)["admin"])
        big = "x" * 2000
        r = client.post("/v1/members/import", content=big,
                        headers=admin | {"Content-Type": "text/csv"})
        assert r.status_code == 413 and r.json()["status"] == 413

        def chunks():  # no Content-Length: the streamed size is checked
            for _ in range(10):
                yield b"y" * 300

        r = client.post("/v1/members/import", content=chunks(),
                        headers=admin | {"Content-Type": "text/csv"})
        assert r.status_code == 413
        assert r.headers["x-request-id"] == r.json()["request_id"]


# -- recommendations, pairs, reports ----------------------------------------------------------
def test_recommendations(ro):
    client, keys = ro
    r = client.get("/v1/members/m01/recommendations?k=5", headers=_h(keys["m01"]))
    assert r.status_code == 200
    data = r.json()["data"]
    assert len(data) == 5 and all(d["member_id"] != "m01" for d in data)
    assert data[0]["reasons"] and {"score", "relation", "components"} <= set(data[0])
    assert data == client.app.state.runtime.engine.recommend("m01", 5)
    r = client.get("/v1/members/m01/recommendations?k=3&event=june", headers=_h(keys["app"]))
    assert r.status_code == 200
    assert all(int(d["member_id"][1:]) <= 20 for d in r.json()["data"])
    assert client.get("/v1/members/m50/recommendations?event=june",
                      headers=_h(keys["app"])).status_code == 404
    assert client.get("/v1/members/m01/recommendations?event=nope",
                      headers=_h(keys["app"])).status_code == 404
    assert client.get("/v1/members/m01/recommendations?k=0",
                      headers=_h(keys["app"])).status_code == 422


def test_explain_pair(ro):
    client, keys = ro
    r = client.get("/v1/pairs/m01/m02", headers=_h(keys["app"]))
    assert r.status_code == 200
    body = r.json()
    assert body["member_id"] == "m02" and {"relation", "reasons", "already_met"} <= set(body)
    assert client.get("/v1/pairs/m01/zz", headers=_h(keys["app"])).status_code == 404


def test_roles_report(ro):
    client, keys = ro
    r = client.get("/v1/reports/roles", headers=_h(keys["app"]))
    assert r.status_code == 200 and r.json()["members"] == 72
    r = client.get("/v1/reports/roles?event=june", headers=_h(keys["admin"]))
    assert r.status_code == 200 and r.json()["members"] == 20


# -- events ----------------------------------------------------------------------------------
def test_events_crud_and_attendees(rw):
    client, keys = rw
    admin = _h(keys["admin"])
    r = client.post("/v1/events", json={"name": "july", "date": "2026-07-02",
                                        "attendees": ["m01", "m02", "m03"]}, headers=admin)
    assert r.status_code == 201 and r.json()["attendees"] == 3
    assert client.post("/v1/events", json={"name": "july"}, headers=admin).status_code == 409
    assert client.post("/v1/events", json={"name": "x", "attendees": ["zz"]},
                       headers=admin).status_code == 404
    assert [e["name"] for e in client.get("/v1/events", headers=admin).json()] == ["july"]
    r = client.patch("/v1/events/july", json={"rounds": 4}, headers=admin)
    assert r.status_code == 200 and r.json()["rounds"] == 4 and r.json()["date"] == "2026-07-02"
    r = client.post("/v1/events/july/attendees", json={"member_ids": ["m04", "m01"]}, headers=admin)
    assert r.json()["data"] == ["m01", "m02", "m03", "m04"]
    r = client.delete("/v1/events/july/attendees/m02", headers=admin)
    assert r.json()["data"] == ["m01", "m03", "m04"]
    r = client.put("/v1/events/july/attendees", json={"member_ids": ["m05", "m06"]}, headers=admin)
    assert r.json()["data"] == ["m05", "m06"]
    assert client.get("/v1/events/july/attendees", headers=admin).json()["data"] == ["m05", "m06"]
    recs = client.get("/v1/members/m05/recommendations?event=july", headers=admin).json()
    assert [d["member_id"] for d in recs["data"]] == ["m06"]
    assert client.delete("/v1/events/july", headers=admin).status_code == 204
    assert client.get("/v1/events/july", headers=admin).status_code == 404


# -- introductions and feedback ----------------------------------------------------------------
def test_introduction_mutual_opt_in(rw):
    client, keys = rw
    before = client.get("/v1/members/m01/recommendations?k=1", headers=_h(keys["m01"])).json()
    target = before["data"][0]["member_id"]
    with Store(client.app.state.settings.db) as store:
        tkey = create_key(store, "member", member_id=target).secret
    r = client.post("/v1/introductions", json={"from": "m01", "to": target, "message": "hi"},
                    headers=_h(keys["m01"]))
    assert r.status_code == 201 and r.json()["status"] == "pending"
    intro = r.json()["id"]
    # only the member asked may answer
    assert client.post(f"/v1/introductions/{intro}/accept", headers=_h(keys["m01"])).status_code == 403
    r = client.post(f"/v1/introductions/{intro}/accept", headers=_h(tkey))
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert client.post(f"/v1/introductions/{intro}/decline", headers=_h(tkey)).status_code == 409
    with Store(client.app.state.settings.db) as store:
        assert tuple(sorted(("m01", target))) in store.met_pairs()
    after = client.get("/v1/members/m01/recommendations?k=5", headers=_h(keys["m01"])).json()
    assert target not in [d["member_id"] for d in after["data"]]
    assert client.get("/v1/introductions", headers=_h(tkey)).json()["data"][0]["id"] == intro
    assert client.get(f"/v1/introductions/{intro}", headers=_h(keys["m02"])).status_code in (200, 403)
    assert client.get("/v1/introductions/999", headers=_h(keys["admin"])).status_code == 404
    # a decline writes no meeting
    r = client.post("/v1/introductions", json={"from": "m02", "to": "m03"}, headers=_h(keys["m02"]))
    r = client.post(f"/v1/introductions/{r.json()['id']}/decline", headers=_h(keys["admin"]))
    assert r.json()["status"] == "declined"
    with Store(client.app.state.settings.db) as store:
        assert ("m02", "m03") not in store.met_pairs()
    # a member asks for itself only
    assert client.post("/v1/introductions", json={"from": "m02", "to": "m03"},
                       headers=_h(keys["m01"])).status_code == 403


def test_feedback(rw):
    client, keys = rw
    body = {"member_id": "m01", "other_id": "m02", "rating": 5, "led_to_business": True,
            "text": "great referral"}
    r = client.post("/v1/feedback", json=body, headers=_h(keys["m01"]))
    assert r.status_code == 201 and r.json()["id"] >= 1 and r.json()["rating"] == 5
    assert client.post("/v1/feedback", json=body | {"rating": 6},
                       headers=_h(keys["m01"])).status_code == 422
    assert client.post("/v1/feedback", json=body, headers=_h(keys["m02"])).status_code == 403
    assert client.post("/v1/feedback", json=body | {"other_id": "zz"},
                       headers=_h(keys["admin"])).status_code == 404


# -- keys, errors, docs ------------------------------------------------------------------------
def test_keys_lifecycle(rw):
    client, keys = rw
    admin = _h(keys["admin"])
    r = client.post("/v1/keys", json={"scope": "app", "label": "kiosk"}, headers=admin)
    assert r.status_code == 201
    new = r.json()
    assert client.get("/v1/members/m01", headers=_h(new["key"])).status_code == 200
    listed = client.get("/v1/keys", headers=admin).json()
    assert all("key" not in k and "key_hash" not in k for k in listed)
    assert client.post("/v1/keys", json={"scope": "member"}, headers=admin).status_code == 400
    assert client.delete(f"/v1/keys/{new['id']}", headers=admin).status_code == 204
    assert client.get("/v1/members/m01", headers=_h(new["key"])).status_code == 401
    with Store(client.app.state.settings.db) as store:
        from matcher.store.schema import ApiKeyRow
        with store.transaction() as s:
            hashes = [row.key_hash for row in s.query(ApiKeyRow)]
    assert new["key"] not in hashes and len(hashes[0]) == 64


def test_500_is_logged_with_request_id(rw, caplog, monkeypatch):
    client, keys = rw

    def boom(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(client.app.state.runtime.engine, "explain", boom)
    with caplog.at_level(logging.ERROR, logger="rolecall.service"):
        r = client.get("/v1/pairs/m01/m02", headers=_h(keys["admin"]))
    assert r.status_code == 500
    body = r.json()
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert body["request_id"] == r.headers["x-request-id"]
    assert any(body["request_id"] in rec.getMessage() for rec in caplog.records)


def test_request_id_echoed_and_docs(ro):
    client, _ = ro
    r = client.get("/v1/health", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/v1/members/{member_id}/recommendations" in schema["paths"]
    assert client.get("/v1/nowhere").json()["status"] == 404


# -- pairings --------------------------------------------------------------------------------
def test_pairings_survive_a_restart_and_go_with_their_event(sample_db, encoder):
    keys = _keys(sample_db)
    admin = _h(keys["admin"])
    with _client(sample_db, encoder) as client:
        client.post("/v1/events", json={"name": "sep", "attendees": [f"m{i:02d}" for i in range(1, 9)]},
                    headers=admin)
        first = client.post("/v1/events/sep/pairings", json={"rounds": 2, "seed": 3},
                            headers=admin).json()
    with _client(sample_db, encoder) as client:  # a new process on the same database
        assert client.get("/v1/events/sep/pairings", headers=admin).json() == first
        assert client.delete("/v1/events/sep", headers=admin).status_code == 204
        client.post("/v1/events", json={"name": "sep", "attendees": ["m01", "m02"]}, headers=admin)
        assert client.get("/v1/events/sep/pairings", headers=admin).status_code == 404


def test_pairings_generate_read_export(rw):
    client, keys = rw
    admin = _h(keys["admin"])
    client.post("/v1/events", json={"name": "aug", "attendees": [f"m{i:02d}" for i in range(1, 13)]},
                headers=admin)
    assert client.get("/v1/events/aug/pairings", headers=admin).status_code == 404
    r = client.patch("/v1/events/aug", json={"start": "2026-08-06T18:00:00", "minutes": 10},
                     headers=admin)
    assert r.status_code == 200 and r.json()["minutes"] == 10
    r = client.post("/v1/events/aug/pairings", json={"rounds": 2, "seed": 1}, headers=admin)
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["rounds"]) == 2
    assert sorted(m for t in body["rounds"][0] for m in t["members"]) == [
        f"m{i:02d}" for i in range(1, 13)]
    assert client.get("/v1/events/aug/pairings", headers=_h(keys["app"])).json() == body
    csv_ = client.get("/v1/events/aug/pairings?format=csv", headers=admin)
    assert csv_.headers["content-type"].startswith("text/csv")
    assert csv_.text.startswith("round,table,members")
    html = client.get("/v1/events/aug/pairings?format=html", headers=admin)
    assert html.headers["content-type"].startswith("text/html") and "<" in html.text
    ics = client.get("/v1/events/aug/pairings/m01.ics", headers=_h(keys["m01"]))
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content
    assert client.get("/v1/events/aug/pairings/m02.ics", headers=_h(keys["m01"])).status_code == 403
    # holding writes the pairs to meeting history
    r = client.post("/v1/events/aug/pairings", json={"rounds": 1, "hold": True}, headers=admin)
    first = r.json()["rounds"][0][0]["members"]
    with Store(client.app.state.settings.db) as store:
        assert tuple(sorted(first[:2])) in store.met_pairs()

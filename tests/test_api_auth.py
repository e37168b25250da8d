"""The auth matrix: every scope x every route family -> 200-ish / 401 / 403, and private
fields (email, phone, notes) never reach a key that is neither admin nor the member."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from matcher.keys import create_key
from matcher.profiles import PRIVATE_FIELDS
from matcher.store import Store
from service.app import create_app
from service.settings import Settings

OK = "ok"  # any 2xx
SCOPES = ("admin", "app", "host", "member")


@pytest.fixture(scope="module")
def env(_sample_db_master, encoder, tmp_path_factory, sample_members):
    path = tmp_path_factory.mktemp("api_auth") / "sample.db"
    shutil.copy(_sample_db_master, path)
    with Store(path) as store:
        store.create_event("june", attendees=[f"m{i:02d}" for i in range(1, 21)])
        keys = {
            "admin": create_key(store, "admin").secret,
            "app": create_key(store, "app").secret,
            "host": create_key(store, "host", event="june").secret,
            "member": create_key(store, "member", member_id="m01").secret,
        }
        revoked = create_key(store, "app")
        from matcher.store import extra
        extra.revoke_key(store, revoked.record.id)
        keys["revoked"] = revoked.secret
    # every case below also sends bad keys: no throttling here (tests/test_security.py has it)
    app = create_app(settings=Settings(db=str(path), auth_failures=10_000), encoder=encoder)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, keys, {m.id: m for m in sample_members}


def _m01_body(members):
    return members["m01"].model_dump()


# (method, path, json body, expected status per scope: admin, app, host[june], member[m01])
CASES = [
    ("GET", "/v1/members?limit=5", None, dict(admin=OK, app=OK, host=403, member=403)),
    ("GET", "/v1/members?event=june&limit=50", None, dict(admin=OK, app=OK, host=OK, member=403)),
    ("GET", "/v1/members/m01", None, dict(admin=OK, app=OK, host=OK, member=OK)),
    ("GET", "/v1/members/m50", None, dict(admin=OK, app=OK, host=403, member=403)),
    ("POST", "/v1/members", "m01", dict(admin=409, app=403, host=403, member=403)),
    ("PUT", "/v1/members/m01", "m01", dict(admin=OK, app=403, host=403, member=403)),
    ("PATCH", "/v1/members/m01", {}, dict(admin=OK, app=403, host=403, member=403)),
    ("DELETE", "/v1/members/nobody", None, dict(admin=404, app=403, host=403, member=403)),
    ("POST", "/v1/members/import", [], dict(admin=OK, app=403, host=403, member=403)),
    ("GET", "/v1/members/m01/recommendations?k=3", None, dict(admin=OK, app=OK, host=403, member=OK)),
    ("GET", "/v1/members/m01/recommendations?k=3&event=june", None,
     dict(admin=OK, app=OK, host=OK, member=OK)),
    ("GET", "/v1/members/m02/recommendations?k=3", None, dict(admin=OK, app=OK, host=403, member=403)),
    ("GET", "/v1/members/m50/recommendations?k=3&event=june", None,
     dict(admin=404, app=404, host=403, member=403)),
    ("GET", "/v1/pairs/m01/m02", None, dict(admin=OK, app=OK, host=403, member=OK)),
    ("GET", "/v1/pairs/m01/m02?event=june", None, dict(admin=OK, app=OK, host=OK, member=OK)),
    ("GET", "/v1/pairs/m02/m01", None, dict(admin=OK, app=OK, host=403, member=403)),
    ("GET", "/v1/reports/roles", None, dict(admin=OK, app=OK, host=403, member=403)),
    ("GET", "/v1/reports/roles?event=june", None, dict(admin=OK, app=OK, host=OK, member=403)),
    ("GET", "/v1/events", None, dict(admin=OK, app=OK, host=OK, member=403)),
    ("POST", "/v1/events", {"name": "june"}, dict(admin=409, app=403, host=409, member=403)),
    ("POST", "/v1/events", {"name": "other"}, dict(admin=201, app=403, host=403, member=403)),
    ("GET", "/v1/events/june", None, dict(admin=OK, app=OK, host=OK, member=403)),
    ("GET", "/v1/events/other", None, dict(admin=OK, app=OK, host=403, member=403)),
    ("PATCH", "/v1/events/june", {"rounds": 3}, dict(admin=OK, app=403, host=OK, member=403)),
    ("PATCH", "/v1/events/other", {"rounds": 3}, dict(admin=OK, app=403, host=403, member=403)),
    ("GET", "/v1/events/june/attendees", None, dict(admin=OK, app=OK, host=OK, member=403)),
    ("POST", "/v1/events/june/attendees", {"member_ids": []},
     dict(admin=OK, app=403, host=OK, member=403)),
    ("DELETE", "/v1/events/june/attendees/m99", None, dict(admin=OK, app=403, host=OK, member=403)),
    ("DELETE", "/v1/events/nope", None, dict(admin=404, app=403, host=403, member=403)),
    ("POST", "/v1/events/june/pairings", {"rounds": 1},
     dict(admin=201, app=403, host=201, member=403)),
    ("POST", "/v1/events/other/pairings", {"rounds": 1},
     dict(admin=409, app=403, host=403, member=403)),
    ("GET", "/v1/events/june/pairings", None, dict(admin=OK, app=OK, host=OK, member=403)),
    ("GET", "/v1/events/june/pairings?format=csv", None,
     dict(admin=OK, app=OK, host=OK, member=403)),
    ("GET", "/v1/events/june/pairings/m02.ics", None,
     dict(admin=409, app=403, host=409, member=403)),
    ("GET", "/v1/introductions", None, dict(admin=OK, app=403, host=403, member=OK)),
    ("POST", "/v1/introductions", {"from": "m01", "to": "m01"},
     dict(admin=400, app=403, host=403, member=400)),
    ("POST", "/v1/introductions", {"from": "m02", "to": "m01"},
     dict(admin=201, app=403, host=403, member=403)),
    ("POST", "/v1/introductions/999/accept", None, dict(admin=404, app=403, host=403, member=403)),
    ("POST", "/v1/introductions/999/decline", None, dict(admin=404, app=403, host=403, member=403)),
    ("GET", "/v1/introductions/999", None, dict(admin=404, app=403, host=403, member=403)),
    ("POST", "/v1/feedback", {"member_id": "m01", "other_id": "m01", "rating": 3},
     dict(admin=400, app=403, host=403, member=400)),
    ("POST", "/v1/feedback", {"member_id": "m02", "other_id": "m01", "rating": 3},
     dict(admin=201, app=403, host=403, member=403)),
    ("GET", "/v1/keys", None, dict(admin=OK, app=403, host=403, member=403)),
    ("POST", "/v1/keys", {"scope": "nope"}, dict(admin=422, app=403, host=403, member=403)),
    ("DELETE", "/v1/keys/99999", None, dict(admin=404, app=403, host=403, member=403)),
]


def _ids(case):
    return f"{case[0]} {case[1]}"


def _call(client, method, path, body, members, key=None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if body == "m01":
        body = _m01_body(members)
    return client.request(method, path, json=body, headers=headers)


def _leaks(value, allowed_email: str | None, emails: set[str]) -> list[str]:
    """Private keys or other members' e-mail addresses anywhere in a JSON document."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in PRIVATE_FIELDS and v is not None and allowed_email is None:
                found.append(k)
            found += _leaks(v, allowed_email, emails)
    elif isinstance(value, list):
        for v in value:
            found += _leaks(v, allowed_email, emails)
    elif isinstance(value, str):
        found += [e for e in emails if e in value and e != allowed_email]
    return found


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_auth_matrix(env, case):
    client, keys, members = env
    method, path, body, expected = case
    emails = {m.email for m in members.values() if m.email}
    for who in (None, "bad", "revoked"):
        key = {"bad": "rc_not-a-key", "revoked": keys["revoked"]}.get(who)
        r = _call(client, method, path, body, members, key)
        assert r.status_code == 401, (who, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    for scope in SCOPES:
        r = _call(client, method, path, body, members, keys[scope])
        want = expected[scope]
        if want == OK:
            assert 200 <= r.status_code < 300, (scope, r.status_code, r.text)
        else:
            assert r.status_code == want, (scope, r.status_code, r.text)
        if scope != "admin" and r.content:
            own = members["m01"].email if scope == "member" else None
            doc = r.json() if "json" in r.headers["content-type"] else r.text
            leaks = _leaks(doc, own, emails)
            if scope == "member" and "/members/m01" not in path:
                leaks += _leaks(doc, None, set())  # private keys only on its own profile
            assert not leaks, (scope, leaks)


def test_member_key_sees_own_private_fields(env):
    client, keys, members = env
    own = client.get("/v1/members/m01", headers={"Authorization": f"Bearer {keys['member']}"})
    assert own.json()["email"] == members["m01"].email
    for scope in ("app", "host"):
        r = client.get("/v1/members/m01", headers={"Authorization": f"Bearer {keys[scope]}"})
        assert not set(r.json()) & PRIVATE_FIELDS


def test_wrong_auth_scheme(env):
    client, keys, _ = env
    r = client.get("/v1/events", headers={"Authorization": f"Basic {keys['admin']}"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"

"""Regression tests of issue 14 (security and data safety), one block per item:

1. a host key cannot take over members of other events (API attendee changes, page upload);
3. a member key dies with its member and is bound to the member row, not the id string;
5. failed authentication is throttled per client (API bearer keys, /signin, session cookies);
8. a member or host key gets the same answer for unknown ids and for other people's;
9. integer path ids beyond 2^63-1 are 422/404, never 500;
10. an event nobody attends gives empty results, not 500.

Every app here runs on a private copy of the sample meetup with events june (m01-m20) and
july (m21-m30).
"""

from __future__ import annotations

import csv
import io
import re
import shutil

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from matcher.engine import Engine
from matcher.errors import NotFound
from matcher.keys import create_key, hash_secret, verify_key
from matcher.profiles import FIELDS, Member
from matcher.store import Store, extra
from service.app import create_app
from service.settings import Settings
from service.throttle import Throttle

JUNE = [f"m{i:02d}" for i in range(1, 21)]
JULY = [f"m{i:02d}" for i in range(21, 31)]
HTTPS = "https://testserver"  # the session cookie is Secure: sent over https only
BIG = 2**63  # one more than SQLite's largest integer


@pytest.fixture
def site(_sample_db_master, encoder, tmp_path):
    """(make_client, keys, db path): ``make_client(**settings)`` runs the app on the copy."""
    path = tmp_path / "sample.db"
    shutil.copy(_sample_db_master, path)
    with Store(path) as store:
        store.create_event("june", attendees=JUNE, settings={"start": "2026-06-04T18:30"})
        store.create_event("july", attendees=JULY)
        store.create_event("empty")
        keys = {"admin": create_key(store, "admin").secret,
                "host": create_key(store, "host", event="june").secret,
                "host_new": create_key(store, "host", event="august").secret,
                "m01": create_key(store, "member", member_id="m01").secret,
                "m30": create_key(store, "member", member_id="m30").secret}
    clients = []

    def make_client(*, client=("testclient", 50000), **settings) -> TestClient:
        app = create_app(settings=Settings(db=str(path), **settings), encoder=encoder)
        c = TestClient(app, base_url=HTTPS, raise_server_exceptions=False, client=client)
        clients.append(c.__enter__())  # runs the lifespan
        return c

    yield make_client, keys, path
    for c in clients:
        c.__exit__(None, None, None)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def token(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)


def sign_in(client: TestClient, key: str):
    return client.post("/signin", data={"key": key, "csrf": token(client.get("/signin").text)},
                       follow_redirects=False)


def as_csv(members: list[Member]) -> str:
    """Whole profiles as an upload would carry them (lists ;-separated)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, FIELDS)
    writer.writeheader()
    for m in members:
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else "" if v is None else v
                         for k, v in m.model_dump().items()})
    return out.getvalue()


def upload(client: TestClient, rows: str):
    csrf = token(client.get("/host/june").text)
    return client.post("/host/june/attendees", data={"csrf": csrf},
                       files={"file": ("rows.csv", rows.encode())}, follow_redirects=False)


# -- 1. a host key cannot take over members of other events --------------------------------------
def test_the_takeover_of_the_issue_is_refused_at_both_steps(site):
    make_client, keys, db = site
    client = make_client()
    with Store(db) as store:
        before = store.member("m30")  # attends july only
    r = client.post("/v1/events/june/attendees", json={"member_ids": ["m30"]},
                    headers=auth(keys["host"]))
    assert r.status_code == 403 and "'m30'" in r.json()["detail"]
    assert sign_in(client, keys["host"]).status_code == 303
    r = upload(client, "id,name,email,phone,specialty\n"
                       "m30,Taken Over,thief@example.com,+1-555-0000,Anything\n")
    assert r.status_code == 422 and "Nothing was imported" in r.text
    with Store(db) as store:
        assert store.member("m30") == before
        assert "m30" not in store.attendees("june")


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/v1/events/june/attendees", {"member_ids": ["m01", "m25"]}),
    ("POST", "/v1/events/june/attendees", {"member_ids": ["nobody"]}),  # unknown: also 403
    ("PUT", "/v1/events/june/attendees", {"member_ids": JUNE + ["m25"]}),
])
def test_a_host_adds_only_members_of_its_own_event(site, method, path, body):
    make_client, keys, db = site
    client = make_client()
    r = client.request(method, path, json=body, headers=auth(keys["host"]))
    assert r.status_code == 403, r.text
    with Store(db) as store:
        assert store.attendees("june") == JUNE
    ok = client.request(method, path, json=body, headers=auth(keys["admin"]))
    assert ok.status_code == (404 if "nobody" in body["member_ids"] else 200), ok.text


def test_a_host_keeps_managing_its_own_attendees(site):
    make_client, keys, _ = site
    client = make_client()
    h = auth(keys["host"])
    assert client.delete("/v1/events/june/attendees/m20", headers=h).status_code == 200
    r = client.put("/v1/events/june/attendees", json={"member_ids": JUNE[:19]}, headers=h)
    assert r.status_code == 200 and r.json()["data"] == JUNE[:19]


def test_a_host_cannot_create_its_event_with_other_peoples_members(site):
    make_client, keys, db = site
    client = make_client()
    h = auth(keys["host_new"])
    r = client.post("/v1/events", json={"name": "august", "attendees": ["m05"]}, headers=h)
    assert r.status_code == 403
    with Store(db) as store:
        assert "august" not in {e.name for e in store.events()}
    assert client.post("/v1/events", json={"name": "august"}, headers=h).status_code == 201


def test_a_host_upload_may_not_change_an_attendees_profile(site):
    make_client, keys, db = site
    client = make_client()
    with Store(db) as store:
        before = store.member("m05")  # a june attendee
    assert sign_in(client, keys["host"]).status_code == 303
    for rows in (f'id,name,specialty\nm05,{before.name},"A new trade"\n',
                 f'id,name,specialty,email\nm05,{before.name},"{before.specialty}",x@y.example.com\n',
                 f'id,name,specialty,phone\nm05,{before.name},"{before.specialty}",\n'):
        r = upload(client, rows)
        assert r.status_code == 422, rows
        bad = re.search(r'<tr id="row-1" class="bad">(.*?)</tr>', r.text, re.S).group(1)
        assert "may not change an existing member" in bad
        assert "x@y.example.com" not in r.text and before.phone not in r.text
    with Store(db) as store:
        assert store.member("m05") == before


def test_a_host_upload_adds_new_members_next_to_unchanged_attendees(site):
    make_client, keys, db = site
    client = make_client()
    with Store(db) as store:
        m05 = store.member("m05")
    assert sign_in(client, keys["host"]).status_code == 303
    new = Member(id="w7", name="Wren Seven", specialty="Payroll for breweries")
    r = upload(client, as_csv([m05, new]))
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/host/june?created=1&updated=0&unchanged=1"
    with Store(db) as store:
        assert store.member("m05") == m05 and "w7" in store.attendees("june")


def test_admin_uploads_may_change_profiles(site):
    make_client, keys, db = site
    client = make_client()
    assert sign_in(client, keys["admin"]).status_code == 303
    r = upload(client, "id,name,specialty\nm05,Five Renamed,Payroll for breweries\n")
    assert r.status_code == 303
    with Store(db) as store:
        assert store.member("m05").name == "Five Renamed"


# -- 3. a member key dies with its member ------------------------------------------------------
def _new_m30() -> dict:
    return {"id": "m30", "name": "Someone Else", "email": "else@example.com",
            "phone": "+1-555-0303", "specialty": "Wedding photography", "notes": "new person"}


def test_deleting_a_member_revokes_its_keys(site):
    make_client, keys, _ = site
    client = make_client()
    old = auth(keys["m30"])
    assert client.get("/v1/members/m30", headers=old).status_code == 200  # and now cached
    admin = auth(keys["admin"])
    assert client.delete("/v1/members/m30", headers=admin).status_code == 204
    assert client.post("/v1/members", json=_new_m30(), headers=admin).status_code == 201
    r = client.get("/v1/members/m30", headers=old)
    assert r.status_code == 401 and "else@example.com" not in r.text
    listed = {k["member_id"]: k for k in client.get("/v1/keys", headers=admin).json()}
    assert listed["m30"]["revoked"] is True and listed["m01"]["revoked"] is False


def test_a_member_key_is_bound_to_the_member_row_not_the_id(site):
    """Deleted and re-created behind the service's back (the CLI, another process): the key
    is not revoked, yet it does not open the new member's profile."""
    make_client, keys, db = site
    with Store(db) as store:
        store.delete_member("m30")
        store.save_import([Member(**_new_m30())], {}, model_id="none")
        assert verify_key(store, keys["m30"]) is None
        fresh = create_key(store, "member", member_id="m30").secret
        assert verify_key(store, fresh).member_id == "m30"
    client = make_client()
    assert client.get("/v1/members/m30", headers=auth(keys["m30"])).status_code == 401
    assert client.get("/v1/members/m30", headers=auth(fresh)).json()["email"] == "else@example.com"


def test_migration_0004_binds_existing_member_keys_to_their_rows(tmp_path):
    from alembic import command
    from alembic.config import Config

    from matcher.store.store import _MIGRATIONS

    path = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.execute(sa.text(
            "INSERT INTO members (id, name, headline, specialty, offers, seeks, location, company,"
            " tags, notes, opt_out, created_at, updated_at) VALUES ('m1', 'A', '', 'Tax', '[]',"
            " '[]', '', '', '[]', '', 0, '2026-01-02 03:04:05.000006', '2026-01-02 03:04:05')"))
        for n, (member, scope) in enumerate([("m1", "member"), ("gone", "member"), (None, "app")]):
            conn.execute(sa.text(
                "INSERT INTO api_keys (key_hash, prefix, scope, member_id, label, created_at) "
                "VALUES (:h, 'rc_', :s, :m, '', '2026-01-02 03:04:05')"),
                {"h": hash_secret(f"rc_key{n}"), "s": scope, "m": member})
    engine.dispose()
    with Store(path) as store:  # upgrades to the newest revision
        assert verify_key(store, "rc_key0").member_id == "m1"
        assert verify_key(store, "rc_key1") is None  # its member was gone already
        assert verify_key(store, "rc_key2").scope == "app"


# -- 5. failed authentication is throttled per client -------------------------------------------
class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_api_keys_are_throttled_per_client(site):
    make_client, keys, _ = site
    client = make_client(auth_failures=3, auth_window=60)
    clock = Clock()
    client.app.state.throttle = throttle = Throttle(3, 60, clock=clock)
    good, bad = auth(keys["m01"]), auth("rc_wrong-guess")
    for _ in range(30):  # successes never count
        assert client.get("/v1/members/m01", headers=good).status_code == 200
    for _ in range(2):
        assert client.get("/v1/members/m01", headers=bad).status_code == 401
    assert client.get("/v1/members/m01", headers=good).status_code == 200  # 2 < 3: not blocked
    clock.now += 10
    assert client.get("/v1/members/m01", headers=bad).status_code == 401  # the third
    for headers in (bad, good):  # blocked: no key is checked, not even a good one
        r = client.get("/v1/members/m01", headers=headers)
        assert r.status_code == 429 and r.headers["retry-after"] == "50", r.text
        assert r.headers["content-type"] == "application/problem+json"
    other = TestClient(client.app, base_url=HTTPS, client=("10.9.8.7", 1234))
    assert other.get("/v1/members/m01", headers=good).status_code == 200  # per client
    clock.now += 50
    assert client.get("/v1/members/m01", headers=good).status_code == 200  # window over
    assert throttle.retry_after("testclient") is None


def test_the_default_throttle_comes_from_the_settings(site, monkeypatch):
    make_client, _, _ = site
    monkeypatch.setenv("ROLECALL_AUTH_FAILURES", "2")
    monkeypatch.setenv("ROLECALL_AUTH_WINDOW", "30")
    settings = Settings.from_env()
    assert (settings.auth_failures, settings.auth_window) == (2, 30.0)
    client = make_client(auth_failures=2, auth_window=30)
    statuses = [client.get("/v1/events", headers=auth("rc_nope")).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    assert 29 <= int(client.get("/v1/events", headers=auth("rc_nope")).headers["retry-after"]) <= 30


def test_wrong_keys_at_signin_are_throttled(site):
    make_client, keys, _ = site
    client = make_client()
    clock = Clock()
    client.app.state.throttle = Throttle(3, 60, clock=clock)
    for _ in range(3):
        assert sign_in(client, "rc_wrong-guess").status_code == 401
    for key in ("rc_wrong-guess", keys["host"]):
        r = sign_in(client, key)
        assert r.status_code == 429 and r.headers["retry-after"] == "60"
        assert "try again in 60 seconds" in r.text
    clock.now += 61
    r = sign_in(client, keys["host"])
    assert r.status_code == 303 and r.headers["location"] == "/host/june"


def test_forged_session_cookies_count_as_failures(site):
    make_client, keys, _ = site
    client = make_client()
    client.app.state.throttle = throttle = Throttle(3, 60, clock=Clock())
    for n in range(3):
        client.cookies.set("rolecall_session", f"rc_guess{n}.nonce")
        r = client.get("/host/june", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/signin"
    assert throttle.retry_after("testclient") == 60
    assert sign_in(client, keys["host"]).status_code == 429


# -- 8. no existence oracle ---------------------------------------------------------------------
@pytest.mark.parametrize("template", [
    "/v1/members/{id}",
    "/v1/members/{id}/recommendations",
    "/v1/pairs/{id}/m01",
    "/v1/events/june/pairings/{id}.ics",
])
@pytest.mark.parametrize("who", ["m01", "host"])
def test_unknown_and_foreign_member_ids_get_the_same_answer(site, template, who):
    make_client, keys, _ = site
    client = make_client()
    foreign = "m25"  # exists; neither m01 nor in june
    known = client.get(template.format(id=foreign), headers=auth(keys[who]))
    unknown = client.get(template.format(id="nobody"), headers=auth(keys[who]))
    assert known.status_code == unknown.status_code
    assert known.status_code in (403, 404) and known.json()["detail"] == unknown.json()["detail"]


@pytest.mark.parametrize("action", ["GET {}", "POST {}/accept", "POST {}/decline"])
def test_unknown_and_foreign_introductions_get_the_same_answer(site, action):
    make_client, keys, _ = site
    client = make_client()
    r = client.post("/v1/introductions", json={"from": "m02", "to": "m03"},
                    headers=auth(keys["admin"]))
    theirs = r.json()["id"]
    method, path = action.split()
    known = client.request(method, "/v1/introductions/" + path.format(theirs),
                           headers=auth(keys["m01"]))
    unknown = client.request(method, "/v1/introductions/" + path.format(theirs + 1000),
                             headers=auth(keys["m01"]))
    assert known.status_code == unknown.status_code == 403
    assert known.json()["detail"] == unknown.json()["detail"]
    admin = client.request(method, "/v1/introductions/" + path.format(theirs + 1000),
                           headers=auth(keys["admin"]))
    assert admin.status_code == 404  # admin may know what exists


# -- 9. huge path ids ---------------------------------------------------------------------------
@pytest.mark.parametrize("method, path", [
    ("GET", "/v1/introductions/{}"),
    ("POST", "/v1/introductions/{}/accept"),
    ("POST", "/v1/introductions/{}/decline"),
    ("DELETE", "/v1/keys/{}"),
])
@pytest.mark.parametrize("value", [BIG, 2**64 + 1, 0, -1])
def test_out_of_range_path_ids_are_422(site, method, path, value):
    make_client, keys, _ = site
    r = make_client().request(method, path.format(value), headers=auth(keys["admin"]))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"][:1] == ["path"]


def test_the_store_answers_not_found_for_ids_no_row_can_have(sample_db):
    with Store(sample_db) as store:
        for call in (lambda: extra.introduction(store, BIG),
                     lambda: extra.answer_introduction(store, BIG, "accepted"),
                     lambda: extra.revoke_key(store, BIG),
                     lambda: extra.introduction(store, -1)):
            with pytest.raises(NotFound):
                call()


# -- 10. an event nobody attends ----------------------------------------------------------------
def test_an_event_without_attendees_gives_empty_results(site):
    make_client, keys, _ = site
    client = make_client()
    h = auth(keys["admin"])
    report = client.get("/v1/reports/roles?event=empty", headers=h)
    assert report.status_code == 200, report.text
    doc = report.json()
    assert doc["members"] == 0 and doc["markets"] == {} and doc["unclear"] == []
    assert all(p["pairs"] == 0 for p in doc["complementary_role_pairs"])
    # nobody attends: m01 is not among the attendees, as for any event m01 does not attend
    for path in ("/v1/members/m01/recommendations?event=empty", "/v1/pairs/m01/m02?event=empty"):
        r = client.get(path, headers=h)
        assert r.status_code == 404 and "m01" in r.json()["detail"], r.text
        july = client.get(path.replace("empty", "july"), headers=h)
        assert july.status_code == 404 and july.json()["detail"] == r.json()["detail"]
    assert client.get("/v1/members?event=empty", headers=h).json()["count"] == 0


def test_the_engine_reads_an_empty_event(sample_db, encoder):
    with Store(sample_db) as store:
        store.create_event("empty")
        engine = Engine(store, encoder=encoder)
        assert engine.insights("empty") == []
        assert engine.scorer("empty").insights == []

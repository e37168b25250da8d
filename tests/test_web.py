"""The web pages through TestClient: sign-in and cookie flags, CSRF on every form, scopes,
the host's upload rule, pairings rules, introductions, and no private field of another member
on any page. (The same pages in a real browser: tests/test_browser.py.)"""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from matcher.keys import create_key
from matcher.store import Store, extra
from service.app import create_app
from service.settings import Settings
from service.web import host, member, pairings, signin

JUNE = [f"m{i:02d}" for i in range(1, 21)]
JULY = [f"m{i:02d}" for i in range(21, 31)]
HTTPS = "https://testserver"  # the session cookie is Secure: httpx sends it over https only


@pytest.fixture(scope="module")
def site(_sample_db_master, encoder, tmp_path_factory):
    """The app on a copy of the sample meetup with events june (m01-m20) and july (m21-m30)."""
    path = tmp_path_factory.mktemp("web") / "sample.db"
    shutil.copy(_sample_db_master, path)
    with Store(path) as store:
        store.create_event("june", attendees=JUNE, settings={"start": "2026-06-04T18:30"})
        store.create_event("july", attendees=JULY)
        keys = {"admin": create_key(store, "admin").secret,
                "app": create_key(store, "app").secret,
                "host": create_key(store, "host", event="june").secret,
                "m01": create_key(store, "member", member_id="m01").secret,
                "m02": create_key(store, "member", member_id="m02").secret}
    app = create_app(settings=Settings(db=str(path)), encoder=encoder)
    with TestClient(app, base_url=HTTPS):  # runs the lifespan once for every browser below
        yield app, keys, path


def browser(app) -> TestClient:
    """A fresh client with its own cookie jar (one per signed-in person)."""
    return TestClient(app, base_url=HTTPS, raise_server_exceptions=True)


def token(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)


def sign_in(app, key: str) -> TestClient:
    client = browser(app)
    r = client.post("/signin", data={"key": key, "csrf": token(client.get("/signin").text)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def csrf_of(client: TestClient, page: str) -> str:
    return token(client.get(page).text)


def private_values(path, *, but: str | None = None) -> set[str]:
    with Store(path) as store:
        members = store.members()
    return {v for m in members if m.id != but for v in (m.email, m.phone, m.notes) if v}


# -- sign-in and cookies ------------------------------------------------------------------------
def test_sign_in_keeps_the_key_in_a_secure_httponly_strict_cookie(site):
    app, keys, _ = site
    client = browser(app)
    form = client.get("/signin")
    pre = form.headers["set-cookie"]
    assert pre.startswith("rolecall_presession=")
    r = client.post("/signin", data={"key": keys["host"], "csrf": token(form.text)},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/host/june"
    session = next(c for c in r.headers.get_list("set-cookie") if c.startswith("rolecall_session="))
    flags = {f.strip().lower() for f in session.split(";")[1:]}
    assert {"secure", "httponly", "samesite=strict", "path=/", "max-age=43200"} <= flags
    assert session.split(";")[0].startswith(f"rolecall_session={keys['host']}.")
    assert client.get("/host/june").status_code == 200


@pytest.mark.parametrize("who, home", [("m01", "/me"), ("admin", "/host"), ("host", "/host/june")])
def test_each_scope_lands_on_its_home(site, who, home):
    app, keys, _ = site
    client = sign_in(app, keys[who])
    assert client.get("/", follow_redirects=False).headers["location"] == home


@pytest.mark.parametrize("key, status, says", [
    ("rc_not-a-real-key", 401, "not valid"),
    ("", 401, "not valid"),
    ("app", 403, "cannot sign in here"),
])
def test_sign_in_refuses_bad_and_app_keys(site, key, status, says):
    app, keys, _ = site
    client = browser(app)
    r = client.post("/signin", data={"key": keys.get(key, key),
                                     "csrf": token(client.get("/signin").text)})
    assert r.status_code == status and says in r.text
    assert "rolecall_session" not in client.cookies
    assert client.get("/me", follow_redirects=False).headers["location"] == "/signin"


def test_sign_in_form_needs_its_csrf_token(site):
    app, keys, _ = site
    client = browser(app)
    client.get("/signin")  # sets the pre-session cookie
    for bad in ("", "0" * 64):
        r = client.post("/signin", data={"key": keys["host"], "csrf": bad})
        assert r.status_code == 403
    assert "rolecall_session" not in client.cookies


def test_sign_out_ends_the_session(site):
    app, keys, _ = site
    client = sign_in(app, keys["m01"])
    r = client.post("/signout", data={"csrf": csrf_of(client, "/me/intros")},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"
    assert "rolecall_session" not in client.cookies
    assert client.get("/me/intros", follow_redirects=False).headers["location"] == "/signin"


@pytest.mark.parametrize("path", ["/host", "/host/june", "/host/june/report",
                                  "/host/june/pairings", "/me", "/me/help", "/me/intros",
                                  "/me/agenda", "/me/tips"])
def test_pages_send_strangers_to_sign_in(site, path):
    app, _, _ = site
    r = browser(app).get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"


def test_a_forged_cookie_is_not_a_session(site):
    app, keys, _ = site
    client = browser(app)
    for forged in ("rc_forged.nonce", keys["m01"]):  # a bare key is not a session either
        client.cookies.set("rolecall_session", forged, domain="testserver")
        assert client.get("/me", follow_redirects=False).headers["location"] == "/signin"


# -- CSRF on every form -------------------------------------------------------------------------
POSTS = {  # path -> (who may post it, a valid form without the token)
    "/signout": ("m01", {}),
    "/host/{event}": ("host", {"rounds": "3", "table_size": "2", "minutes": "15",
                              "start": "2026-06-04T18:30"}),
    "/host/{event}/attendees": ("host", {}),
    "/host/{event}/pairings": ("host", {"rounds": "1", "table_size": "2"}),
    "/host/{event}/rules": ("host", {"rule": "forbid", "members": ["m19", "m20"]}),
    "/me/intros": ("m01", {"to": "m03"}),
    "/me/intros/{intro_id}/{answer}": ("m02", {}),
}


def test_the_csrf_table_covers_every_post_route():
    found = {r.path for m in (signin, host, pairings, member) for r in m.router.routes
             if "POST" in r.methods and r.path != "/signin"}
    assert found == set(POSTS)


@pytest.mark.parametrize("path", sorted(POSTS))
def test_every_post_form_rejects_a_missing_or_foreign_token(site, path):
    app, keys, db = site
    who, form = POSTS[path]
    with Store(db) as store:
        intro = extra.add_introduction(store, "m01", "m02")["id"]
    url = path.format(event="june", intro_id=intro, answer="decline")
    client = sign_in(app, keys[who])
    other = sign_in(app, keys[who])  # the same key, another browser: another token
    files = {"file": ("a.csv", b"id,name,specialty\nw9,Wu,Tax returns for nurses\n")} \
        if path.endswith("attendees") else None
    for bad in (None, csrf_of(other, "/me/intros" if who.startswith("m") else "/host/june")):
        data = form if bad is None else {**form, "csrf": bad}
        r = client.post(url, data=data, files=files, follow_redirects=False)
        assert r.status_code == 403 and "did not come from this site" in r.text, (bad, r.text)
    good = csrf_of(client, "/me/intros" if who.startswith("m") else "/host/june")
    r = client.post(url, data={**form, "csrf": good}, files=files, follow_redirects=False)
    assert r.status_code in (200, 303), r.text


# -- scopes -------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/host", "/host/june", "/host/june/report",
                                  "/host/june/pairings", "/host/june/pairings.csv"])
def test_a_member_cannot_reach_host_pages(site, path):
    app, keys, _ = site
    r = sign_in(app, keys["m01"]).get(path)
    assert r.status_code == 403


@pytest.mark.parametrize("path", ["/host/july", "/host/july/report", "/host/july/pairings",
                                  "/host/july/pairings/print", "/host/july/pairings.csv",
                                  "/host/july/pairings/m21.ics"])
def test_a_host_cannot_reach_another_event(site, path):
    app, keys, _ = site
    r = sign_in(app, keys["host"]).get(path)
    assert r.status_code == 403 and "may not manage event &#39;july&#39;" in r.text


def test_a_host_cannot_post_to_another_event(site):
    app, keys, db = site
    client = sign_in(app, keys["host"])
    r = client.post("/host/july/rules", data={"rule": "forbid", "members": ["m21", "m22"],
                                              "csrf": csrf_of(client, "/host/june")})
    assert r.status_code == 403
    with Store(db) as store:
        assert "forbidden" not in store.event("july").settings


@pytest.mark.parametrize("path", ["/me", "/me/help", "/me/intros", "/me/agenda", "/me/tips"])
def test_member_pages_are_for_member_keys(site, path):
    app, keys, _ = site
    assert sign_in(app, keys["host"]).get(path).status_code == 403


def test_admin_manages_any_event(site):
    app, keys, _ = site
    client = sign_in(app, keys["admin"])
    listing = client.get("/host").text
    assert 'href="/host/june"' in listing and 'href="/host/july"' in listing
    assert client.get("/host/july").status_code == 200


def test_pages_stay_out_of_the_openapi_schema(site):
    app, _, _ = site
    assert all(p.startswith("/v1/") for p in app.openapi()["paths"])


# -- host: upload -------------------------------------------------------------------------------
NEW_ROWS = ("id,name,email,phone,specialty,notes\n"
            "w1,Wanda Wu,wanda@wu.example.com,+1-555-0199,Tax returns for traveling nurses,met at expo\n")


def test_a_host_upload_adds_new_members_as_attendees(site):
    app, keys, db = site
    client = sign_in(app, keys["host"])
    r = client.post("/host/june/attendees", data={"csrf": csrf_of(client, "/host/june")},
                    files={"file": ("new.csv", NEW_ROWS.encode())}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/host/june?created=1&updated=0&unchanged=0"
    page = client.get(r.headers["location"]).text
    assert "Imported: 1 new, 0 updated, 0 unchanged" in page
    assert 'data-member="w1"' in page and "wanda@wu.example.com" not in page
    with Store(db) as store:
        assert "w1" in store.attendees("june")
        assert store.member("w1").notes == "met at expo"


def test_a_host_cannot_overwrite_members_of_another_event(site):
    app, keys, db = site
    rows = ("id,name,specialty\n"
            "m25,Hijacked,Anything at all\n"                    # july's: a row error
            "w2,Brand New,Bookkeeping for food trucks\n")
    client = sign_in(app, keys["host"])
    r = client.post("/host/june/attendees", data={"csrf": csrf_of(client, "/host/june")},
                    files={"file": ("mix.csv", rows.encode())})
    assert r.status_code == 422
    bad = re.search(r'<tr id="row-1" class="bad">(.*?)</tr>', r.text, re.S).group(1)
    assert "m25" in bad and "belongs to another event; ask an admin" in bad
    assert re.search(r'<tr id="row-2" class="">.*?OK', r.text, re.S)
    assert "Nothing was imported" in r.text
    with Store(db) as store:  # all or nothing: not even the allowed rows
        assert store.member("m25").name != "Hijacked"
        assert not store.members(["w2"]) and "m25" not in store.attendees("june")


def test_admin_may_upload_anyone_to_any_event(site):
    app, keys, db = site
    client = sign_in(app, keys["admin"])
    with Store(db) as store:
        m26 = store.member("m26")
    row = f'id,name,specialty\nm26,{m26.name},"{m26.specialty}"\n'
    r = client.post("/host/june/attendees", data={"csrf": csrf_of(client, "/host/june")},
                    files={"file": ("m26.csv", row.encode())}, follow_redirects=False)
    assert r.status_code == 303
    with Store(db) as store:
        assert "m26" in store.attendees("june") and "m26" in store.attendees("july")


def test_bad_rows_are_shown_next_to_the_rows_and_nothing_is_imported(site):
    app, keys, db = site
    rows = ("id,name,email,specialty,notes\n"
            "w3,Good Row,good@row.example.com,Payroll for dentists,private note one\n"
            "w4,Bad Email,bo@example,Payroll for vets,private note two\n"
            "w5,No Specialty,w5@row.example.com,,private note three\n")
    client = sign_in(app, keys["host"])
    r = client.post("/host/june/attendees", data={"csrf": csrf_of(client, "/host/june")},
                    files={"file": ("bad.csv", rows.encode())})
    assert r.status_code == 422 and "2 rows have problems" in r.text
    row2 = re.search(r'<tr id="row-2" class="bad">(.*?)</tr>', r.text, re.S).group(1)
    row3 = re.search(r'<tr id="row-3" class="bad">(.*?)</tr>', r.text, re.S).group(1)
    assert "w4" in row2 and "email: value is not a valid email address" in row2
    assert "w5" in row3 and "specialty: Field required" in row3
    for secret in ("bo@example", "good@row", "w5@row", "private note"):
        assert secret not in r.text  # the error messages do not echo private values
    with Store(db) as store:
        assert not store.members(["w3", "w4", "w5"])


# -- host: pairings -----------------------------------------------------------------------------
def generate(client, event="june", **form):
    data = {"rounds": "3", "table_size": "2", **form, "csrf": csrf_of(client, f"/host/{event}")}
    return client.post(f"/host/{event}/pairings", data=data)


def seated(html: str) -> list[list[set[str]]]:
    """Per round, the groups of member ids shown in the schedule."""
    out = []
    for rnd in re.findall(r'<section class="round".*?</section>', html, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", rnd, re.S)
        out.append([set(re.findall(r'data-member="([^"]+)"', row)) for row in rows
                    if "data-member" in row])
    return out


def test_generate_seats_every_attendee_once_per_round(site):
    app, keys, db = site
    r = generate(sign_in(app, keys["host"]), rounds="2")
    assert r.status_code == 200
    with Store(db) as store:
        attendees = set(store.attendees("june"))
    rounds = seated(r.text)
    assert len(rounds) == 2
    for groups in rounds:
        assert set().union(*groups) == attendees
        assert sum(len(g) for g in groups) == len(attendees)


def test_forbid_and_lock_apply_on_the_next_run_and_rerun_compares(site):
    app, keys, db = site
    client = sign_in(app, keys["host"])
    first = seated(generate(client, rounds="3").text)
    a, b = next(sorted(g) for g in first[0] if len(g) == 2)  # together in round 1: forbid
    c, d = next(sorted(g) for g in first[1] if len(g) == 2 and g != {a, b})  # lock in round 3
    token_ = csrf_of(client, "/host/june")
    r = client.post("/host/june/rules", data={"rule": "forbid", "members": [a, b], "csrf": token_},
                    follow_redirects=False)
    assert r.headers["location"] == "/host/june/pairings?saved=forbid"
    client.post("/host/june/rules", data={"rule": "lock", "members": [c, d], "round": "3",
                                          "csrf": token_})
    with Store(db) as store:
        settings = store.event("june").settings
    assert [a, b] in settings["forbidden"]
    assert {"round": 2, "members": [c, d]} in settings["locked"]
    again = generate(client, rounds="3")
    assert "Compared with the previous run" in again.text
    second = seated(again.text)
    assert all({a, b} - g for groups in second for g in groups)  # never together
    assert {c, d} in second[2]


def test_downloads_csv_and_ics(site):
    app, keys, _ = site
    client = sign_in(app, keys["host"])
    generate(client, rounds="2")
    csv_text = client.get("/host/june/pairings.csv")
    assert csv_text.headers["content-disposition"] == 'attachment; filename="june-pairings.csv"'
    lines = csv_text.text.strip().splitlines()
    assert lines[0] == "round,table,members,names,score,reasons"
    assert {line.split(",")[0] for line in lines[1:]} == {"1", "2"}
    ics = client.get("/host/june/pairings/m01.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.count("BEGIN:VEVENT") == 2 and "DTSTART:20260604T183000" in ics.text


def test_print_view_has_one_section_per_round(site):
    app, keys, _ = site
    client = sign_in(app, keys["host"])
    generate(client, rounds="3")
    page = client.get("/host/june/pairings/print").text
    assert page.count('<section class="print-round"') == 3
    assert "<form" not in page.split("<main")[1].split("</main>")[0]


# -- member pages -------------------------------------------------------------------------------
def test_recommendations_show_names_and_reasons_from_the_engine(site):
    app, keys, _ = site
    page = sign_in(app, keys["m01"]).get("/me").text
    expected = app.state.runtime.recommend("m01", 10, None)
    assert re.findall(r'<li class="card" data-member="([^"]+)">', page) == \
        [r["member_id"] for r in expected]
    first = html.unescape(page.split('class="card"')[1])
    assert expected[0]["name"] in first and all(why in first for why in expected[0]["reasons"])


def test_introduction_request_accept_and_decline(site):
    app, keys, db = site
    asker = sign_in(app, keys["m01"])
    asker.post("/me/intros", data={"to": "m02", "message": "Coffee?",
                                   "csrf": csrf_of(asker, "/me/intros")})
    asked = sign_in(app, keys["m02"])
    page = asked.get("/me/intros").text
    intro = re.findall(r'data-intro="(\d+)"', page)[-1]
    assert "Coffee?" in page
    r = asked.post(f"/me/intros/{intro}/accept", data={"csrf": token(page)},
                   follow_redirects=False)
    assert r.headers["location"] == "/me/intros?answered=accepted"
    with Store(db) as store:
        assert ("m01", "m02") in store.met_pairs()
    r = asked.post(f"/me/intros/{intro}/decline", data={"csrf": token(page)})
    assert r.status_code == 409 and "accepted already" in r.text
    # only the member asked may answer
    r = asker.post(f"/me/intros/{intro}/accept", data={"csrf": csrf_of(asker, "/me/intros")})
    assert r.status_code == 403


def test_agenda_lists_my_rounds_and_my_calendar(site):
    app, keys, _ = site
    generate(sign_in(app, keys["host"]), rounds="3")
    run = app.state.runtime.pairings.get("june")
    client = sign_in(app, keys["m01"])
    page = client.get("/me/agenda").text
    i = run.ids.index("m01")
    for _, _, mates in run.schedule.agenda(i):
        assert all(run.names[j] in page for j in mates)
    assert page.count("<tr><td class=\"num\">") == len(run.schedule.agenda(i))
    assert client.get("/me/agenda/june.ics").text.count("BEGIN:VEVENT") == 3
    assert client.get("/me/agenda/july.ics").status_code == 404  # not my event


def test_tips_show_my_suggestions_and_only_my_private_fields(site):
    app, keys, db = site
    page = sign_in(app, keys["m01"]).get("/me/tips").text
    with Store(db) as store:
        me = store.member("m01")
    assert me.email in page and me.phone in page
    mine = next(i for i in app.state.runtime.engine.scorer(None).insights
                if i["member_id"] == "m01")
    assert f"{mine['specificity']:.2f}" in page
    assert not (private_values(db, but="m01") & set(re.findall(r"[\w.+-]+@[\w.-]+", page)))


# -- no private field of another member on any page ----------------------------------------------
HOST_PAGES = ["/host/june", "/host/june/report", "/host/june/pairings",
              "/host/june/pairings/print", "/host/june/pairings.csv"]
MEMBER_PAGES = ["/me", "/me/help", "/me/intros", "/me/agenda", "/me/tips"]


def test_no_page_shows_another_members_private_fields(site):
    app, keys, db = site
    host_client = sign_in(app, keys["host"])
    generate(host_client, rounds="2")
    secrets_ = private_values(db)
    for path in HOST_PAGES:
        text = host_client.get(path).text
        assert not [s for s in secrets_ if s in text], path
    others = private_values(db, but="m01")
    member_client = sign_in(app, keys["m01"])
    for path in MEMBER_PAGES:
        text = member_client.get(path).text
        assert not [s for s in others if s in text], path


# -- accessibility basics ------------------------------------------------------------------------
class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields, self.labels, self.html_lang, self.viewport = [], set(), None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "meta" and a.get("name") == "viewport":
            self.viewport = True
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.fields.append(a)


@pytest.mark.parametrize("who, paths", [("host", HOST_PAGES[:4] + ["/host/july"]),
                                        ("m01", MEMBER_PAGES), (None, ["/signin"])])
def test_pages_have_lang_viewport_and_a_label_for_every_field(site, who, paths):
    app, keys, _ = site
    client = sign_in(app, keys[who]) if who else browser(app)
    if who == "host":
        generate(client, rounds="1")
    for path in paths:
        r = client.get(path)
        parser = _Form()
        parser.feed(r.text)
        assert parser.html_lang == "en" and parser.viewport, path
        unlabelled = [f for f in parser.fields
                      if f.get("id") not in parser.labels and not f.get("aria-label")]
        assert not unlabelled, (path, unlabelled)
        assert "default-src 'none'" in r.headers["content-security-policy"]


def test_the_stylesheet_is_served_with_print_rules(site):
    app, _, _ = site
    css = browser(app).get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".print-round { break-after: page; }" in css.text
    assert ":focus-visible" in css.text


def test_a_host_creates_its_event_from_the_page(site):
    app, keys, db = site
    with Store(db) as store:
        key = create_key(store, "host", event="autumn fair").secret
    client = sign_in(app, key)
    page = client.get("/host/autumn%20fair")
    assert page.status_code == 200 and "Create the event" in page.text
    r = client.post("/host/autumn%20fair", data={"rounds": "4", "table_size": "3", "minutes": "20",
                                                 "start": "2026-10-01T18:00",
                                                 "csrf": token(page.text)}, follow_redirects=False)
    assert r.headers["location"] == "/host/autumn%20fair?saved=true"
    with Store(db) as store:
        ev = store.event("autumn fair")
    assert (ev.rounds, ev.table_size, ev.settings) == (4, 3, {"start": "2026-10-01T18:00",
                                                             "minutes": 20})
    bad = client.post("/host/autumn%20fair", data={"start": "next tuesday",
                                                   "csrf": token(page.text)})
    assert bad.status_code == 422 and "not a date and time" in bad.text

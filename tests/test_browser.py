"""The pages in a real browser: Playwright drives Debian's Chromium (/usr/bin/chromium, never a
downloaded browser) against the app served by uvicorn on a loopback port.

Scenarios: a host uploads the sample meetup, generates 3 rounds and sees every attendee in
every round (and forbids a pair by keyboard, re-runs and compares, prints, downloads); a bad
CSV row is shown next to its row and nothing is imported; a member sees recommendations with
reasons. Every page visited is screenshotted to tests/artifacts/. Without Chromium or
Playwright the tests skip, except with CI=true, where they fail.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from matcher.engine import Engine
from matcher.keys import create_key
from matcher.store import Store
from service.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "members.csv"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
EVENT = "spring-meetup"
SAMPLE_IDS = [row["id"] for row in csv.DictReader(SAMPLE.open(encoding="utf-8-sig"))]


@pytest.fixture(scope="module")
def chromium():
    problem = None if CHROMIUM.exists() else f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = problem or "playwright is not installed (pip install -e '.[test]')"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {problem}", pytrace=False)
        pytest.skip(problem)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    contexts = []

    def make(**options):
        context = chromium.new_context(**{"viewport": {"width": 1280, "height": 860}, **options})
        context.set_default_timeout(60_000)  # an import or a first scorer can take seconds
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@contextmanager
def serve(db: Path, encoder):
    """The app under uvicorn in a background thread, on a free loopback port."""
    import uvicorn

    app = create_app(settings=Settings(db=str(db)), encoder=encoder)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def empty_site(_sample_db_master, encoder, tmp_path):
    """No members yet, but the embedding cache of the sample (so the upload does not spend
    13 s re-embedding the same texts), and a host key for an event not created yet."""
    db = tmp_path / "empty.db"
    shutil.copy(_sample_db_master, db)
    with Store(db) as store:
        for m in store.members():
            store.delete_member(m.id)
        key = create_key(store, "host", event=EVENT).secret
    with serve(db, encoder) as base:
        yield base, key, db


def shot(page, name: str, *, full: bool = True) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def sign_in(page, base: str, key: str) -> None:
    page.goto(f"{base}/signin")
    shot(page, "signin")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def seated(page, round_number: int) -> list[str]:
    return page.locator(f'section.round[data-round="{round_number}"] .who').evaluate_all(
        "els => els.map(e => e.dataset.member)")


def test_host_uploads_the_sample_and_seats_everyone_in_every_round(new_page, empty_site):
    from playwright.sync_api import expect

    base, key, db = empty_site
    page = new_page(accept_downloads=True)
    sign_in(page, base, key)
    expect(page).to_have_url(f"{base}/host/{EVENT}")
    expect(page.get_by_role("heading", name="Create the event")).to_be_visible()
    shot(page, "host-new-event")

    page.get_by_label("First round starts").fill("2026-06-04T18:30")
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_role("status")).to_contain_text("Event settings saved")
    page.get_by_label("Attendee CSV").set_input_files(SAMPLE)
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_role("status")).to_contain_text("Imported: 72 new, 0 updated")
    shown = page.locator("#attendees tbody tr").evaluate_all("rs => rs.map(r => r.dataset.member)")
    assert shown == SAMPLE_IDS
    shot(page, "host-event")

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", name=f"Role clarity: {EVENT}")).to_be_visible()
    widths = page.locator("figure img").evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 3 and min(widths) > 100  # the three charts really render
    shot(page, "host-report")

    nav.get_by_role("link", name="Pairings").click()
    page.get_by_label("Rounds").fill("3")
    page.get_by_label("People per table").fill("2")
    page.get_by_role("button", name="Generate pairings").click()
    expect(page.locator("section.round")).to_have_count(3)
    with Store(db) as store:
        attendees = sorted(store.attendees(EVENT))
    assert attendees == sorted(SAMPLE_IDS)
    for r in (1, 2, 3):
        assert sorted(seated(page, r)) == attendees  # everyone, exactly once, every round
    shot(page, "host-pairings")
    page.locator("#schedule-h").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, document.querySelector('#schedule-h')"
                  ".getBoundingClientRect().top - 8)")
    shot(page, "host-pairings-view", full=False)

    # Forbid the first pair of round 1 with the keyboard, then re-run and compare.
    pair = set(page.locator('section.round[data-round="1"] tbody tr').first
               .locator(".who").evaluate_all("els => els.map(e => e.dataset.member)"))
    forbid = page.locator('section.round[data-round="1"]').get_by_role(
        "button", name=re.compile("^Forbid")).first
    forbid.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Rule saved (forbidden pair)")
    with Store(db) as store:
        assert sorted(pair) in store.event(EVENT).settings["forbidden"]
    page.get_by_role("button", name="Re-run and compare").click()
    expect(page.get_by_role("heading", name="Compared with the previous run")).to_be_visible()
    for r in (1, 2, 3):
        groups = page.locator(f'section.round[data-round="{r}"] tbody tr').evaluate_all(
            "rows => rows.map(r => [...r.querySelectorAll('.who')].map(e => e.dataset.member))")
        assert not any(pair <= set(g) for g in groups)
        assert sorted(m for g in groups for m in g) == attendees
    shot(page, "host-compare")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert {r["round"] for r in rows} == {"1", "2", "3"}
    assert sorted(m for r in rows if r["round"] == "2" for m in r["members"].split(";")) == attendees

    page.get_by_role("link", name="Print view").click()
    expect(page.locator("section.print-round")).to_have_count(3)
    shot(page, "host-print")
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True)
    (ARTIFACTS / "host-print.pdf").write_bytes(pdf)
    assert re.findall(rb"/Count (\d+)", pdf)[0] == b"3"  # one printed page per round


def test_a_bad_row_is_shown_next_to_it_and_nothing_is_imported(new_page, empty_site):
    from playwright.sync_api import expect

    base, key, db = empty_site
    with Store(db) as store:
        store.create_event(EVENT)
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    lines[3] = lines[3].replace("@", " at ", 1)  # data row 3: an email without an @
    bad = db.parent / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = new_page()
    sign_in(page, base, key)
    page.get_by_label("Attendee CSV").set_input_files(bad)
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_role("heading", name="Nothing was imported from bad.csv")).to_be_visible()
    row = page.locator("tr#row-3")
    expect(row).to_have_class("bad")
    expect(row).to_contain_text(SAMPLE_IDS[2])
    expect(row).to_contain_text("email: value is not a valid email address")
    expect(page.locator("tr.bad")).to_have_count(1)
    expect(page.get_by_text("No attendees yet")).to_be_visible()
    shot(page, "host-upload-errors")
    with Store(db) as store:
        assert store.count_members() == 0 and store.attendees(EVENT) == []


def test_a_member_sees_recommendations_with_reasons(new_page, sample_db, encoder):
    from playwright.sync_api import expect

    with Store(sample_db) as store:
        key = create_key(store, "member", member_id="m02").secret
        expected = Engine(store, encoder=encoder).recommend("m02", 10)
    with serve(sample_db, encoder) as base:
        page = new_page()
        page.goto(f"{base}/signin")
        page.keyboard.press("Tab")  # the first Tab reaches the skip link, visibly focused
        skip = page.get_by_role("link", name="Skip to content")
        expect(skip).to_be_focused()
        assert skip.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
        sign_in(page, base, key)
        expect(page).to_have_url(f"{base}/me")
        cards = page.locator("#recommendations > li")
        expect(cards).to_have_count(len(expected))
        assert cards.locator("h2").all_inner_texts() == [r["name"] for r in expected]
        for card, rec in zip(cards.all(), expected, strict=True):
            reasons = card.locator(".reasons li").all_inner_texts()
            assert reasons == rec["reasons"] and reasons
        shot(page, "member-recommendations")
        shot(page, "member-recommendations-view", full=False)
        for label, name in [("Whom I can help", "member-help"), ("Introductions", "member-intros"),
                            ("My agenda", "member-agenda"), ("My tips", "member-tips")]:
            page.get_by_role("navigation", name="Main").get_by_role("link", name=label).click()
            expect(page.get_by_role("link", name=label)).to_have_attribute("aria-current", "page")
            shot(page, name)

        phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        sign_in(phone, base, key)
        expect(phone.locator("#recommendations > li")).to_have_count(len(expected))
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(phone, "member-recommendations-phone")

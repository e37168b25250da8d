"""The host's upload preview in a real browser (Chromium through Playwright, as in
tests/test_browser.py): upload the Eventbrite-style export whose "what do you do" question is
not recognised, map it with the dropdown, see the dry run, import, and find the choice
remembered on the next upload."""

from __future__ import annotations

import re

from test_browser import EVENT, chromium, empty_site, new_page, shot, sign_in  # noqa: F401

from matcher.store import Store

EXPORT = ("Order #,First Name,Last Name,Email,Job Title,Company,Tell us what you do best,"
          "Who would you like to meet?\n"
          "1001,Ana,Lopez,ana@lopez.example.com,Owner,Lopez CPA,Tax returns for traveling nurses,"
          "hospital HR managers; staffing agencies\n"
          "1002,Bo,Diaz,bo@diaz.example.com,Founder,Diaz Roofing,Roof repair for small offices,"
          "property managers\n")


def test_host_maps_a_column_in_the_preview_and_it_is_remembered(new_page, empty_site):  # noqa: F811
    from playwright.sync_api import expect

    base, key, db = empty_site
    with Store(db) as store:
        store.create_event(EVENT)
    first = db.parent / "eventbrite.csv"
    first.write_text(EXPORT, encoding="utf-8")
    page = new_page()
    sign_in(page, base, key)
    page.get_by_label("Attendee CSV").set_input_files(first)
    page.get_by_role("button", name="Preview and map columns").click()
    expect(page.get_by_role("heading", name="Preview of eventbrite.csv")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("2 rows have problems")
    expect(page.get_by_label("Email")).to_have_value("email")  # recognised from the header
    expect(page.get_by_label("Order #")).to_have_value("-")     # kept aside
    shot(page, "host-upload-preview")

    page.get_by_label("Tell us what you do best").select_option("specialty")
    page.get_by_role("button", name="Update preview").click()
    expect(page.get_by_role("status")).to_have_text(
        "Would import: 2 new, 0 updated, 0 unchanged.")
    with Store(db) as store:
        assert store.count_members() == 0  # previews write nothing
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("Imported: 2 new, 0 updated")
    names = page.locator("#attendees tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(names) == ["Ana Lopez", "Bo Diaz"]
    with Store(db) as store:
        assert store.event(EVENT).settings["import_map"]["Tell us what you do best"] == "specialty"
        ana = next(m for m in store.members() if m.name == "Ana Lopez")
        assert ana.seeks == ["hospital HR managers", "staffing agencies"]

    # the next export: the same two people (stable ids, so nothing is duplicated) and one more
    second = db.parent / "next.csv"
    second.write_text(EXPORT + "1003,Cy,Ng,cy@ng.example.com,Owner,Ng Bakery,Wedding cakes,"
                      "event planners\n", encoding="utf-8")
    page.get_by_label("Attendee CSV").set_input_files(second)
    page.get_by_role("button", name="Preview and map columns").click()
    expect(page.get_by_label("Tell us what you do best")).to_have_value("specialty")
    expect(page.get_by_role("status")).to_have_text(
        "Would import: 1 new, 0 updated, 2 unchanged.")
    shot(page, "host-upload-preview-remembered")

    # a host may not change a stored profile (issue 14): the changed row is refused, by name
    third = db.parent / "edited.csv"
    third.write_text(EXPORT.replace("Roof repair for small offices", "Roof and gutter repair"),
                     encoding="utf-8")
    page.goto(f"{base}/host/{EVENT}")
    page.get_by_label("Attendee CSV").set_input_files(third)
    page.get_by_role("button", name="Preview and map columns").click()
    expect(page.get_by_role("alert")).to_contain_text("1 row has problems")
    expect(page.get_by_text(re.compile("may not change an existing member's profile"))
           ).to_be_visible()

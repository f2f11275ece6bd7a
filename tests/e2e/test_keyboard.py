"""Journey 7, keyboard only: no mouse, just Tab, typing, Space and Enter; the focus always shows."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm.activities.models import Activity
from crm.organisations import contacts
from crm.organisations.models import Organisation
from tests.e2e.helpers import (
    assert_focus_visible,
    check_a11y,
    focused,
    keyboard_login,
    tab_to,
    tab_to_visibly,
)

pytestmark = pytest.mark.e2e


def test_keyboard_only_login_ends_on_the_start_page(server, open_page):
    """Log in with Tab and Enter; the first Tab on the start page offers the skip link."""
    page = open_page()
    keyboard_login(page, server.accounts["staff"])
    expect(page).to_have_url(f"{server.base_url}/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    assert tab_to(page, "Unternehmen")["tag"] == "a", "the start page's tiles are reachable by Tab"
    check_a11y(page)


def test_journey7_keyboard_only_login_and_log_a_call(server, open_page):
    """Log in and log a call with a contact person using nothing but the keyboard."""
    org_id = server.create_organisation(
        name="Bäckerei Tastenhof KG", postcode="21335", city="Lüneburg", actor="staff2"
    )
    with server.session() as session:
        org = session.get(Organisation, org_id)
        contacts.create_contact(
            org, {"first_name": "Klara", "last_name": "Tastenhof"}, actor=server.user(session, "staff2")
        )
    page = open_page()
    keyboard_login(page, server.accounts["staff2"])

    # The main menu's action "Kontakt erfassen" is a few Tabs away.
    target = tab_to_visibly(page, "Kontakt erfassen")
    assert target["tag"] == "a"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontakt erfassen")
    check_a11y(page)
    assert focused(page)["id"] == "q", "the company search has the cursor"
    page.keyboard.type("tasten", delay=30)
    suggestion = page.locator("#company-results").get_by_role("link", name=re.compile("Bäckerei Tastenhof"))
    expect(suggestion).to_have_count(1)
    page.keyboard.press("Tab")  # the search button
    assert_focus_visible(page)
    tab_to_visibly(page, "Bäckerei Tastenhof KG · Lüneburg", limit=5)
    page.keyboard.press("Enter")  # picks the suggestion; the cursor moves on to the subject
    expect(page.locator("#chosen-company")).to_contain_text("Bäckerei Tastenhof KG")
    expect(page.get_by_label("Betreff")).to_be_focused()
    assert_focus_visible(page)

    # A call is the default kind; Shift+Tab reaches the radio group, the arrow keys change it.
    page.keyboard.press("Shift+Tab")
    assert_focus_visible(page)
    assert focused(page)["id"] == "kind-0", focused(page)
    expect(page.get_by_label("Anruf", exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Betreff")).to_be_focused()
    page.keyboard.type("Rückruf wegen Ausbildungsplänen")
    tab_to_visibly(page, "contact_person_ids")
    page.keyboard.press("Space")
    expect(page.get_by_label("Klara Tastenhof")).to_be_checked()
    page.keyboard.press("Tab")
    assert_focus_visible(page)
    assert focused(page)["name"] == "notes"
    page.keyboard.type("Zwei Azubis ab August; Interesse an Ausbilderschein.")
    tab_to_visibly(page, "Speichern")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/organisations/{org_id}#timeline$"))
    entry = page.locator("#timeline article", has_text="Rückruf wegen Ausbildungsplänen")
    expect(entry).to_contain_text("Anruf")
    expect(entry).to_contain_text("mit Klara Tastenhof")
    check_a11y(page)
    with server.session() as session:
        activity = session.scalar(sa.select(Activity).where(Activity.organisation_id == org_id))
        assert activity.kind.value == "call"
        assert activity.user_id == server.user(session, "staff2").id
        assert [p.full_name for p in activity.participants] == ["Klara Tastenhof"]
        assert activity.notes == "Zwei Azubis ab August; Interesse an Ausbilderschein."

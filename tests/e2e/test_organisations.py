"""Journeys around companies: duplicate warning (2), concurrent edits (6), phone search."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm.audit.models import AuditEntry
from crm.organisations.models import Organisation
from crm.organisations.normalise import name_key
from tests.e2e.helpers import assert_fits_phone, check_a11y, snapshot

pytestmark = pytest.mark.e2e


def test_journey2_duplicate_warning_leads_to_the_existing_company(server, open_page):
    """Staff start to create a company that exists under a slightly different name."""
    existing = server.create_organisation(
        name="Tischlerei Brandhorst GmbH", street="Am Lindener Hafen 12", postcode="30453", city="Hannover"
    )
    page = open_page("staff")

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Unternehmen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unternehmen")
    check_a11y(page)
    page.get_by_role("link", name="Neues Unternehmen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neues Unternehmen")
    check_a11y(page)

    page.get_by_label("Name des Unternehmens").fill("Tischlerei Brandhorst GmbH & Co. KG")
    page.get_by_label("PLZ").fill("30453")
    page.get_by_label("Ort").fill("Hannover")
    page.get_by_role("button", name="Speichern").click()

    warning = page.locator("#duplicates")
    expect(warning.get_by_role("heading")).to_have_text("Gibt es dieses Unternehmen schon?")
    expect(page.get_by_role("button", name="Trotzdem neu anlegen")).to_be_visible()
    check_a11y(page)
    snapshot(page, "duplicate-warning")
    warning.get_by_role("link", name="Tischlerei Brandhorst GmbH").click()

    expect(page).to_have_url(re.compile(rf"/organisations/{existing}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tischlerei Brandhorst GmbH")
    check_a11y(page)
    with server.session() as session:
        same = session.scalar(
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(Organisation.name_key == name_key("Tischlerei Brandhorst"))
        )
    assert same == 1, "no second company was created"


def test_journey6_concurrent_edits_show_the_conflict_page_and_lose_nothing(server, open_page):
    """Two people edit one company; the later save shows both versions and saves on request."""
    org_id = server.create_organisation(
        name="Elektro Kaltenbach GmbH",
        postcode="31134",
        city="Hildesheim",
        notes="Erstkontakt auf der Messe.",
    )
    mia = open_page("staff", label="mia")
    lara = open_page("manager", label="lara")
    for page in (mia, lara):
        page.goto(f"/organisations/{org_id}/edit")
        expect(page.get_by_role("heading", level=1)).to_have_text("Elektro Kaltenbach GmbH bearbeiten")
        check_a11y(page)

    theirs, mine = "Rückruf am Montag vereinbart.", "Interesse an Schulungen für Auszubildende."
    mia.get_by_label("Notizen").fill(theirs)
    mia.get_by_role("button", name="Speichern").click()
    expect(mia.get_by_role("status").filter(has_text="Änderungen gespeichert.")).to_be_visible()
    check_a11y(mia)

    lara.get_by_label("Notizen").fill(mine)
    with lara.expect_response(lambda r: r.request.method == "POST") as answer:
        lara.get_by_role("button", name="Speichern").click()
    assert answer.value.status == 409
    conflict = lara.get_by_role("alert").filter(has_text="inzwischen geändert")
    expect(conflict.get_by_role("heading")).to_have_text(
        "Jemand anderes hat dieses Unternehmen inzwischen geändert."
    )
    notes_row = conflict.get_by_role("row", name=re.compile("^Notizen"))
    expect(notes_row.get_by_role("cell").nth(0)).to_have_text(theirs)
    expect(notes_row.get_by_role("cell").nth(1)).to_have_text(mine)
    expect(lara.get_by_label("Notizen")).to_have_value(mine)  # the input is still in the form
    check_a11y(lara)
    snapshot(lara, "conflict")

    lara.get_by_role("button", name="Meine Änderungen speichern").click()
    expect(lara.get_by_role("status").filter(has_text="Änderungen gespeichert.")).to_be_visible()
    expect(lara.get_by_text(mine)).to_be_visible()
    check_a11y(lara)

    with server.session() as session:
        assert session.get(Organisation, org_id).notes == mine
        saved_notes = [
            entry.changes["notes"][1]
            for entry in session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.action == "organisation_updated", AuditEntry.entity_id == org_id)
                .order_by(AuditEntry.id)
            )
        ]
    assert saved_notes == [theirs, mine], "both saves are in the history"


def test_phone_find_a_company_by_typing_part_of_its_name(server, open_page):
    """On a 375 px phone: open the menu, search by a word prefix, open the company."""
    org_id = server.create_organisation(
        name="Bäckerei Sonnenschein Feinbackwaren GmbH", postcode="38100", city="Braunschweig"
    )
    page = open_page("staff", phone=True)
    assert_fits_phone(page)

    page.get_by_role("button", name="Menü öffnen").click()
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Unternehmen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unternehmen")
    check_a11y(page)
    assert_fits_phone(page)

    search = page.get_by_role("searchbox", name="Suche")
    search.press_sequentially("sonnenschien")  # a typo first: the empty result says what to do
    search.press("Enter")
    expect(page.get_by_text("Keine Unternehmen passen zu diesen Filtern.")).to_be_visible()
    check_a11y(page)
    assert_fits_phone(page)

    search = page.get_by_role("searchbox", name="Suche")
    search.clear()
    search.press_sequentially("sonnensch")
    search.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Unternehmen").first).to_have_text("1 Unternehmen")
    check_a11y(page)
    assert_fits_phone(page)

    page.get_by_role("link", name="Bäckerei Sonnenschein Feinbackwaren GmbH").click()
    expect(page).to_have_url(re.compile(rf"/organisations/{org_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bäckerei Sonnenschein Feinbackwaren GmbH")
    check_a11y(page)
    assert_fits_phone(page)

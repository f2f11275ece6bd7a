"""Journey 1: field staff on a phone log a visit with a report and a follow-up, then work it off."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm.activities.models import Activity, FollowUp
from tests.e2e.helpers import assert_fits_phone, check_a11y

pytestmark = pytest.mark.e2e


def _menu(page, name: str) -> None:
    """Open the collapsed phone menu and follow one of its links."""
    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    navigation.get_by_role("button", name="Menü öffnen").click()
    link = navigation.get_by_role("link", name=name, exact=True)
    expect(link).to_be_visible()
    link.click()


def test_journey1_phone_visit_with_report_and_follow_up(server, open_page):
    """Log in on a phone, find the company by part of its name, log a visit, finish its follow-up."""
    org_id = server.create_organisation(name="Zimmerei Quellenhof GmbH", postcode="29525", city="Uelzen")
    page = open_page("staff", phone=True, fresh_login=True)  # the login form at phone width
    assert_fits_phone(page)

    _menu(page, "Kontakt erfassen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontakt erfassen")
    check_a11y(page)
    assert_fits_phone(page)
    page.get_by_label("Unternehmen suchen").press_sequentially("quellen", delay=30)
    suggestion = page.locator("#company-results").get_by_role("link", name=re.compile("Zimmerei Quellenhof"))
    expect(suggestion).to_have_count(1)
    suggestion.click()
    expect(page.locator("#chosen-company")).to_contain_text("Zimmerei Quellenhof GmbH")
    expect(page.get_by_label("Betreff")).to_be_focused()

    page.locator("label", has_text=re.compile("^Besuch$")).click()  # the radio is a button-styled label
    expect(page.get_by_label("Besuch", exact=True)).to_be_checked()
    expect(page.locator("#visit-report")).to_have_attribute("open", "")  # a visit opens the report
    page.get_by_label("Betreff").fill("Erstbesuch in der Werkstatt")
    page.get_by_label("Nächster Schritt").fill("Angebot für CNC-Schulung schicken")
    page.get_by_label("Teilnehmende").fill("Herr Quellenhof (Inhaber), zwei Gesellen")
    page.get_by_label("Besprochene Themen").fill("CNC-Abbundanlage, Nachwuchs, Förderung nach §82 SGB III")
    page.get_by_label("Eindrücke").fill("Offen für Schulungen im Winter.")
    page.locator("#follow-up summary").click()
    page.get_by_label("Wiedervorlage: was ist zu tun?").fill("Nachfragen, ob das Angebot passt")
    page.get_by_role("button", name="in 2 Wochen").click()
    due = datetime.now(ZoneInfo("Europe/Berlin")).date() + timedelta(days=14)
    expect(page.get_by_label("Fällig am")).to_have_value(due.isoformat())
    assert_fits_phone(page)
    page.get_by_role("button", name="Speichern").click()

    # The company page, scrolled to the timeline with the new visit and its open follow-up.
    expect(page).to_have_url(re.compile(rf"/organisations/{org_id}#timeline$"))
    expect(
        page.get_by_role("status").filter(has_text="Kontakt mit Zimmerei Quellenhof GmbH gespeichert.")
    ).to_be_visible()
    timeline = page.locator("#timeline")
    entry = timeline.locator("article", has_text="Erstbesuch in der Werkstatt")
    expect(entry).to_contain_text("Besuch")
    expect(entry.get_by_role("region", name="Besuchsbericht")).to_contain_text("CNC-Abbundanlage")
    expect(timeline).to_contain_text("Nachfragen, ob das Angebot passt")
    check_a11y(page)
    assert_fits_phone(page)

    _menu(page, "Wiedervorlagen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wiedervorlagen")
    check_a11y(page)
    assert_fits_phone(page)
    item = page.locator(".follow-up-list li", has_text="Nachfragen, ob das Angebot passt")
    expect(item).to_have_count(1)
    expect(item.get_by_role("link", name="Zimmerei Quellenhof GmbH")).to_be_visible()
    expect(item).to_contain_text(due.strftime("%d.%m.%Y"))
    item.get_by_role("button", name=re.compile("^Erledigt")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Wiedervorlagen")
    expect(page.locator(".follow-up-list li", has_text="Nachfragen, ob das Angebot passt")).to_have_count(0)
    check_a11y(page)
    with server.session() as session:
        activity = session.scalar(sa.select(Activity).where(Activity.organisation_id == org_id))
        assert activity.kind.value == "visit"
        assert activity.user_id == server.user(session, "staff").id
        assert activity.report_impressions == "Offen für Schulungen im Winter."
        follow_up = session.scalar(sa.select(FollowUp).where(FollowUp.organisation_id == org_id))
        assert follow_up.activity_id == activity.id
        assert follow_up.due_on == due
        assert follow_up.done_at is not None

"""Journey 3: record a door-opener, introduce a new company through it, see it on its page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm.dooropeners.models import Introduction
from tests.e2e.helpers import check_a11y

pytestmark = pytest.mark.e2e


def test_journey3_door_opener_introduces_a_company(server, open_page):
    page = open_page("staff")
    menu = page.get_by_role("navigation", name="Hauptnavigation")
    menu.get_by_role("button", name="Netzwerk").click()
    menu.get_by_role("link", name="Türöffner", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Türöffner")
    check_a11y(page)
    page.get_by_role("link", name="Neuer Türöffner").click()
    check_a11y(page)
    page.get_by_label("Art", exact=True).select_option(label="Wirtschaftsförderung")
    page.get_by_label("Institution", exact=True).fill("Wirtschaftsförderung Landkreis Celle")
    page.get_by_label("Vorname", exact=True).fill("Ines")
    page.get_by_label("Nachname", exact=True).fill("Brinkmann")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wirtschaftsförderung Landkreis Celle")
    check_a11y(page)

    page.get_by_role("link", name="Neues Unternehmen vermitteln").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("vermittelt durch")
    check_a11y(page)
    page.get_by_label("Weg", exact=True).select_option(label="Veranstaltung")
    page.get_by_label("Name des Unternehmens").fill("Gärtnerei Blumenwiese GmbH")
    page.get_by_label("PLZ").fill("29221")
    page.get_by_label("Ort").fill("Celle")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gärtnerei Blumenwiese GmbH")
    introductions = page.locator("#introductions")
    expect(introductions).to_contain_text("Wirtschaftsförderung Landkreis Celle")
    expect(introductions).to_contain_text("Quelle")
    check_a11y(page)

    introductions.get_by_role("link", name=re.compile("Wirtschaftsförderung Landkreis Celle")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wirtschaftsförderung Landkreis Celle")
    expect(page.get_by_role("link", name="Gärtnerei Blumenwiese GmbH")).to_be_visible()
    check_a11y(page)
    with server.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Introduction)) >= 1

"""Journey: a person asks what is stored about them, then asks for erasure (manager, on a phone)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm.organisations import contacts
from crm.organisations.models import ContactPerson
from tests.e2e.helpers import check_a11y

pytestmark = pytest.mark.e2e


def test_journey_access_request_then_erasure(server, open_page):
    org_id = server.create_organisation(
        actor="manager", name="Kaffeerösterei Bohnenglück GmbH", city="Lüneburg"
    )
    with server.session() as session:
        from crm.organisations.models import Organisation

        person = contacts.create_contact(
            session.get(Organisation, org_id),
            {"first_name": "Klara", "last_name": "Röstmeister", "email": "klara@bohnenglueck.example"},
            actor=server.user(session, "manager"),
        )
        contact_id = person.id
    page = open_page("manager", phone=True)
    page.goto(f"/organisations/{org_id}/contacts/{contact_id}/edit")
    page.get_by_role("link", name="Auskunft (Art. 15)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Auskunft")
    expect(page.locator("article")).to_contain_text("klara@bohnenglueck.example")
    check_a11y(page)

    page.goto(f"/organisations/{org_id}/contacts/{contact_id}/edit")
    page.get_by_role("link", name="Person löschen (Art. 17)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Person löschen")
    check_a11y(page)
    page.get_by_label("Grund der Löschung").fill("Löschantrag per E-Mail")
    page.get_by_label("Mir ist bewusst").check()
    page.get_by_label("Ihr Passwort zur Bestätigung").fill("falsch")
    page.get_by_role("button", name="Endgültig löschen").click()
    expect(page.get_by_text("Das Passwort ist nicht richtig")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Mir ist bewusst").check()
    page.get_by_label("Ihr Passwort zur Bestätigung").fill(server.accounts["manager"].password)
    page.get_by_role("button", name="Endgültig löschen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kaffeerösterei Bohnenglück GmbH")
    expect(page.get_by_text("wurden gelöscht bzw. anonymisiert")).to_be_visible()
    check_a11y(page)
    with server.session() as session:
        erased = session.scalar(sa.select(ContactPerson).where(ContactPerson.id == contact_id))
        assert erased.full_name == "Anonymisierte Person" and erased.email is None

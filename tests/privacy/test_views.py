"""The data-protection pages: search, access export, erasure, permissions, block list warnings."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from crm.activities.vocab import ActivityKind
from crm.audit.models import AuditEntry
from crm.dooropeners.models import DoorOpenerContact
from crm.extensions import db
from crm.offers.models import DecisionMapEntry
from crm.offers.vocab import DecisionRole
from crm.organisations import contacts as contact_services
from crm.organisations.models import ContactPerson
from crm.privacy.suppression import is_suppressed, suppress
from tests import factories
from tests.conftest import post
from tests.factories import DEFAULT_PASSWORD
from tests.imports.files import csv_bytes
from tests.imports.helpers import commit, latest_batch, prepare


def _person(manager, **extra):
    org = factories.OrganisationFactory(name="Bäckerei Sonnenschein GmbH")
    contact = contact_services.create_contact(
        org,
        {
            "first_name": "Rita",
            "last_name": "Feldhusen",
            "email": "rita@sonnenschein.example",
            "phone": "0421 11223",
            "informed_on": None,
            "data_source": "Visitenkarte Messe 2026",
            **extra,
        },
        actor=manager,
    )
    activity = factories.ActivityFactory(organisation=org, subject="Besuch Backstube", notes="Neue Öfen")
    activity.participants.append(contact)
    door_opener = factories.DoorOpenerFactory(institution="HWK Bremen", last_name="Beraterin")
    factories.IntroductionFactory(organisation=org, door_opener=door_opener, notes="Innungsabend")
    db.session.flush()
    return contact


def _actions(action):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_access_export_json_holds_everything_and_is_logged(manager_client, manager):
    contact = _person(manager)
    db.session.add(
        DecisionMapEntry(
            contact_person_id=contact.id,
            organisation_id=contact.organisation_id,
            role=DecisionRole.DECISION_MAKER,
            note="entscheidet über Budget",
        )
    )
    db.session.commit()
    response = manager_client.get(f"/privacy/contacts/{contact.id}/access.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    doc = json.loads(response.get_data(as_text=True))
    assert doc["person"]["last_name"] == "Feldhusen" and doc["person"]["email"] == "rita@sonnenschein.example"
    assert doc["organisation"]["name"] == "Bäckerei Sonnenschein GmbH"
    assert doc["data_protection"]["data_source"] == "Visitenkarte Messe 2026"
    assert doc["data_protection"]["legal_basis"] == "legitimate_interest"
    assert doc["data_protection"]["on_marketing_block_list"] is False
    assert [a["subject"] for a in doc["activities"]] == ["Besuch Backstube"]
    assert doc["activities"][0]["notes"] == "Neue Öfen"
    assert doc["introductions"][0]["door_opener"] == "HWK Bremen"  # the adviser's name is not hers to get
    assert doc["introductions"][0]["notes"] == "Innungsabend"
    assert [e["action"] for e in doc["audit"]] == ["contact_created"]
    assert doc["decision_roles"] == [
        {"role": DecisionRole.DECISION_MAKER.value, "note": "entscheidet über Budget"}
    ]
    logged = _actions("access_request")
    assert len(logged) == 1 and logged[0].entity_id == contact.id and logged[0].details == {"format": "json"}


def test_access_page_is_printable_and_logged(manager_client, manager):
    contact = _person(manager)
    page = manager_client.get(f"/privacy/contacts/{contact.id}/access").get_data(as_text=True)
    assert "Auskunft über gespeicherte personenbezogene Daten" in page
    assert "Feldhusen" in page and "Besuch Backstube" in page and "Visitenkarte Messe 2026" in page
    assert "Drucken / PDF" in page and _actions("access_request")[0].details == {"format": "html"}


def test_door_opener_access_lists_introductions(manager_client):
    door_opener = factories.DoorOpenerFactory(last_name="Kammerjäger", email="k@ihk.example")
    factories.IntroductionFactory(door_opener=door_opener, notes="Frühstück")
    db.session.add(
        DoorOpenerContact(
            door_opener_id=door_opener.id,
            kind=ActivityKind.VISIT,
            occurred_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
            subject="Jahresgespräch",
            notes="Sprechtage",
        )
    )
    db.session.commit()
    doc = manager_client.get(f"/privacy/door-openers/{door_opener.id}/access.json").get_json()
    assert doc["person"]["last_name"] == "Kammerjäger" and doc["introductions"][0]["notes"] == "Frühstück"
    assert [(a["subject"], a["notes"]) for a in doc["activities"]] == [("Jahresgespräch", "Sprechtage")]


def test_staff_may_not_use_privacy_pages(staff_client, manager):
    contact = _person(manager)
    for path in (
        "/privacy/",
        f"/privacy/contacts/{contact.id}/access",
        f"/privacy/contacts/{contact.id}/access.json",
        f"/privacy/contacts/{contact.id}/erase",
        "/privacy/retention/",
        "/privacy/restricted",
        "/admin/privacy/processing",
        "/organisations/marketing-contacts.csv",
    ):
        assert staff_client.get(path).status_code == 403, path
    assert not _actions("access_request")


def test_processing_record_is_not_for_managers(manager_client):
    assert manager_client.get("/admin/privacy/processing").status_code == 403


def test_processing_record_is_for_admins(admin_client):
    page = admin_client.get("/admin/privacy/processing").get_data(as_text=True)
    assert (
        "Verarbeitungsverzeichnis" in page and "<code>iban</code>" in page and "Art. 6 Abs. 1 lit. b" in page
    )


def test_search_finds_people_by_email_and_name(manager_client, manager):
    contact = _person(manager)
    page = manager_client.get("/privacy/?q=RITA@sonnenschein.example").get_data(as_text=True)
    assert f"/privacy/contacts/{contact.id}/access" in page
    page = manager_client.get("/privacy/?q=feld").get_data(as_text=True)
    assert "Rita Feldhusen" in page
    assert "Keine Ansprechperson gefunden" in manager_client.get("/privacy/?q=niemand").get_data(as_text=True)


def test_erasure_needs_the_right_password(manager_client, manager):
    contact = _person(manager)
    path = f"/privacy/contacts/{contact.id}/erase"
    response = post(
        manager_client, path, {"reason": "Antrag per Brief", "understood": "y", "password": "falsch"}
    )
    assert response.status_code == 200
    assert "Das Passwort ist nicht richtig. Es wurde nichts gelöscht." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ContactPerson, contact.id).last_name == "Feldhusen" and not _actions(
        "person_erased"
    )
    response = post(manager_client, path, {"reason": "Antrag per Brief", "password": DEFAULT_PASSWORD})
    assert "endgültig" in response.get_data(as_text=True)  # the awareness box is required too
    response = post(
        manager_client, path, {"reason": "Antrag per Brief", "understood": "y", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ContactPerson, contact.id).full_name == "Anonymisierte Person"
    assert len(_actions("person_erased")) == 1


def test_erased_person_on_block_list_stays_blocked_against_reimport(manager_client, manager):
    contact = _person(manager, marketing_blocked=True)
    post(
        manager_client,
        f"/privacy/contacts/{contact.id}/erase",
        {"reason": "Löschantrag", "understood": "y", "password": DEFAULT_PASSWORD},
    )
    assert is_suppressed("rita@sonnenschein.example")
    header = ["Firma", "Ort", "Ansprechpartner", "E-Mail"]
    batch = prepare(
        manager_client,
        csv_bytes([header, ["Neue Backstube GmbH", "Bremen", "Rita Feldhusen", "rita@sonnenschein.example"]]),
    )
    commit(manager_client, batch)
    assert latest_batch().counts["blocked"] == 1
    db.session.expire_all()
    again = db.session.scalars(
        sa.select(ContactPerson).where(ContactPerson.email == "rita@sonnenschein.example")
    ).one()
    assert again.marketing_blocked is True


def test_contact_creation_warns_and_blocks_when_the_address_objected(manager_client):
    suppress("hans@widerspruch.example", "Widerspruch per Brief")
    org = factories.OrganisationFactory()
    response = post(
        manager_client,
        f"/organisations/{org.id}/contacts/new",
        {
            "last_name": "Widerspruch",
            "email": "Hans@Widerspruch.example",
            "legal_basis": "legitimate_interest",
        },
        follow_redirects=True,
    )
    assert "steht auf der Werbesperrliste" in response.get_data(as_text=True)
    contact = db.session.scalars(
        sa.select(ContactPerson).where(ContactPerson.last_name == "Widerspruch")
    ).one()
    assert contact.marketing_blocked is True


def test_door_opener_creation_blocks_when_the_address_objected(manager):
    from crm.dooropeners.services import create_door_opener

    suppress("dora@bank.example", "Widerspruch")
    door_opener = create_door_opener(
        {"kind": "bank", "institution": "Sparkasse", "last_name": "Dora", "email": "dora@bank.example"},
        actor=manager,
    )
    assert door_opener.marketing_blocked is True


def test_marketing_contact_list_leaves_out_objections_and_is_audited(manager_client, manager):
    org = factories.OrganisationFactory(name="Listenfirma GmbH")
    factories.ContactPersonFactory(organisation=org, last_name="Offen", email="offen@liste.example")
    factories.ContactPersonFactory(organisation=org, last_name="Gesperrt", marketing_blocked=True)
    factories.ContactPersonFactory(organisation=org, last_name="Gelistet", email="gelistet@liste.example")
    factories.ContactPersonFactory(organisation=org, last_name="Entfernt", is_archived=True)
    suppress("gelistet@liste.example", "Widerspruch")
    response = manager_client.get("/organisations/marketing-contacts.csv?q=Listenfirma")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Offen" in body
    assert "Gesperrt" not in body and "Gelistet" not in body and "Entfernt" not in body
    entry = _actions("export")[-1]
    assert entry.entity_type == "contact_persons" and entry.details["rows"] == 1
    assert entry.details["filter"] == {"q": ["Listenfirma"]}
    assert manager_client.get("/organisations/marketing-contacts.xlsx?q=Listenfirma").status_code == 200


def test_pages_offer_the_privacy_actions_to_managers(manager_client, manager):
    contact = _person(manager)
    page = manager_client.get(f"/organisations/{contact.organisation_id}/contacts/{contact.id}/edit")
    assert f"/privacy/contacts/{contact.id}/erase" in page.get_data(as_text=True)
    door_opener = factories.DoorOpenerFactory()
    page = manager_client.get(f"/door-openers/{door_opener.id}").get_data(as_text=True)
    assert f"/privacy/door-openers/{door_opener.id}/access" in page
    assert "/privacy/" in manager_client.get("/").get_data(as_text=True)  # the menu entry

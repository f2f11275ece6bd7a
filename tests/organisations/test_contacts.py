"""Contact persons: add, edit with conflict detection, remove, data-protection rules."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.organisations.models import ContactPerson
from tests.conftest import login, post
from tests.factories import ContactPersonFactory, OrganisationFactory, UserFactory


def _contact(**overrides):
    data = {
        "salutation": "frau",
        "title": "Dr.",
        "first_name": "Petra",
        "last_name": "Lehmann",
        "function": "Personalleitung",
        "email": "P.Lehmann@Example.org",
        "phone": "0511 1234",
        "mobile": "",
        "notes": "",
        "legal_basis": "legitimate_interest",
        "data_source": "Visitenkarte",
        "informed_on": "",
        "email_consent_on": "",
        "email_consent_method": "",
        "email_consent_wording": "",
    }
    data.update(overrides)
    return data


def test_add_contact(staff_client, staff):
    org = OrganisationFactory(owner=staff)
    response = post(staff_client, f"/organisations/{org.id}/contacts/new", _contact(is_decision_maker="y"))
    assert response.status_code == 302
    contact = db.session.scalar(sa.select(ContactPerson))
    assert contact.full_name == "Dr. Petra Lehmann" and contact.email == "p.lehmann@example.org"
    assert contact.is_decision_maker and contact.data_source == "Visitenkarte"
    assert "Petra Lehmann" in staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "contact_created"))


def test_contact_validation(staff_client, staff):
    org = OrganisationFactory(owner=staff)
    page = post(
        staff_client, f"/organisations/{org.id}/contacts/new", _contact(last_name="", email="x@")
    ).get_data(as_text=True)
    assert "Nachnamen" in page and "gültige E-Mail" in page
    page = post(staff_client, f"/organisations/{org.id}/contacts/new", _contact(email_consent="y")).get_data(
        as_text=True
    )
    assert "Datum der Einwilligung" in page
    page = post(
        staff_client, f"/organisations/{org.id}/contacts/new", _contact(informed_on="2999-01-01")
    ).get_data(as_text=True)
    assert "Zukunft" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactPerson)) == 0


def test_consent_with_date_and_method(staff_client, staff):
    org = OrganisationFactory(owner=staff)
    post(
        staff_client,
        f"/organisations/{org.id}/contacts/new",
        _contact(
            email_consent="y",
            email_consent_on="2026-03-01",
            email_consent_method="double_opt_in",
            email_consent_wording="v2",
        ),
    )
    contact = db.session.scalar(sa.select(ContactPerson))
    assert contact.email_consent and contact.email_consent_on == date(2026, 3, 1)


def test_marketing_block_overrides_consent(staff_client, staff):
    org = OrganisationFactory(owner=staff)
    post(
        staff_client,
        f"/organisations/{org.id}/contacts/new",
        _contact(
            email_consent="y",
            email_consent_on="2026-03-01",
            email_consent_method="written",
            marketing_blocked="y",
        ),
    )
    contact = db.session.scalar(sa.select(ContactPerson))
    assert (
        contact.marketing_blocked
        and not contact.email_consent
        and contact.marketing_blocked_on == date.today()
    )


def test_edit_conflict(app, staff):
    org = OrganisationFactory(owner=staff)
    contact = ContactPersonFactory(organisation=org, last_name="Alt")
    first, second = app.test_client(), app.test_client()
    login(first, staff)
    login(second, staff)
    path = f"/organisations/{org.id}/contacts/{contact.id}/edit"
    version = str(contact.version)
    assert post(first, path, _contact(last_name="Neu", version=version)).status_code == 302
    response = post(second, path, _contact(last_name="Anders", version=version))
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Neu" in page and "Anders" in page
    new_version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert post(second, path, _contact(last_name="Anders", version=new_version)).status_code == 302
    db.session.expire_all()
    assert db.session.get(ContactPerson, contact.id).last_name == "Anders"


def test_remove_contact_keeps_the_record(staff_client, staff):
    org = OrganisationFactory(owner=staff)
    contact = ContactPersonFactory(organisation=org, last_name="Weg")
    post(
        staff_client,
        f"/organisations/{org.id}/contacts/{contact.id}/remove",
        form_page=f"/organisations/{org.id}/contacts/{contact.id}/edit",
    )
    db.session.expire_all()
    assert db.session.get(ContactPerson, contact.id).is_archived
    staff_client.get(f"/organisations/{org.id}")  # consumes the flash message
    assert "Weg" not in staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)


def test_staff_cannot_edit_contacts_of_others_companies(staff_client):
    org = OrganisationFactory(owner=UserFactory())
    contact = ContactPersonFactory(organisation=org)
    assert staff_client.get(f"/organisations/{org.id}/contacts/new").status_code == 403
    assert staff_client.get(f"/organisations/{org.id}/contacts/{contact.id}/edit").status_code == 403


def test_contact_of_other_company_is_404(staff_client, staff):
    org = OrganisationFactory(owner=staff)
    contact = ContactPersonFactory()
    assert staff_client.get(f"/organisations/{org.id}/contacts/{contact.id}/edit").status_code == 404

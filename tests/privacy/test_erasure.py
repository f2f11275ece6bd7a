"""Erasure (Art. 17): nothing of the person remains except in restricted retention records."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from crm.activities.models import Activity
from crm.audit.models import AuditEntry
from crm.core.errors import DomainError, PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.imports.models import ImportBatch, ImportRow
from crm.memberships.models import Collection, CollectionItem, Fee
from crm.memberships.vocab import FeeStatus, MembershipKind, PaymentMethod, ProRataRule, SepaScheme
from crm.organisations import contacts as contact_services
from crm.organisations.models import ContactPerson, Organisation
from crm.privacy import erasure
from crm.privacy.models import RetentionHold
from crm.privacy.suppression import email_hash, is_suppressed
from tests import factories
from tests.factories import DEFAULT_PASSWORD
from tests.privacy.helpers import text_hits

NAME, EMAIL, PHONE = "Quastenbergh", "anna.quastenbergh@example.org", "0511 7654321"


def _fee(membership, year, *, paid_on=None):
    fee = Fee(
        membership_id=membership.id,
        organisation_id=membership.organisation_id,
        year=year,
        kind=MembershipKind.REGULAR,
        pro_rata=ProRataRule.NONE,
        full_amount_cents=10000,
        amount_cents=10000,
        payment_method=PaymentMethod.SEPA,
        due_on=date(year, 3, 31),
        status=FeeStatus.PAID if paid_on else FeeStatus.OPEN,
        paid_on=paid_on,
    )
    db.session.add(fee)
    db.session.flush()
    return fee


@pytest.fixture
def person(manager):
    """A contact person whose traces are spread over many tables."""
    org = factories.OrganisationFactory(name="Werkzeugbau Nord GmbH", city="Hannover")
    contact = contact_services.create_contact(
        org,
        {
            "first_name": "Anna",
            "last_name": "Quastenberg",
            "email": EMAIL,
            "phone": PHONE,
            "mobile": "0171 99887766",
            "notes": "Mag keine Anrufe vor 9 Uhr",
            "function": "Geschäftsführerin",
        },
        actor=manager,
    )
    # The audit entry of this edit holds the old and the new name.
    contact_services.update_contact(
        contact,
        {"last_name": NAME, "marketing_blocked": True},
        expected_version=contact.version,
        actor=manager,
    )
    activity = factories.ActivityFactory(
        organisation=org,
        notes=f"Gespräch mit Anna {NAME}, Rückruf unter {PHONE}",
        outcome=f"{NAME} meldet sich",
    )
    activity.participants.append(contact)
    other = factories.ActivityFactory(notes=f"Frau {NAME} hat uns an diese Firma empfohlen ({EMAIL}).")
    factories.FollowUpFactory(organisation=org, what=f"Frau {NAME} wegen Angebot anrufen")
    factories.IntroductionFactory(organisation=org, notes=f"Kontakt: {EMAIL}")
    membership = factories.MembershipFactory(organisation=org, sepa=True, account_holder=f"Anna {NAME}")
    old_fee, fee = _fee(membership, 2024, paid_on=date(2024, 4, 2)), _fee(membership, 2026)
    collection = Collection(
        year=2024,
        scheme=SepaScheme.CORE,
        collection_date=date(2024, 4, 1),
        message_id="MSG-1",
        filename="sepa.xml",
        fee_count=1,
        total_cents=10000,
        xml=f"<Nm>Anna {NAME}</Nm>".encode(),
    )
    db.session.add(collection)
    db.session.flush()
    db.session.add(
        CollectionItem(
            collection_id=collection.id, fee_id=old_fee.id, amount_cents=10000, sequence_type="FRST",
            mandate_reference=membership.mandate_reference,
        )
    )  # fmt: skip
    batch = ImportBatch(
        file_name="kontakte.csv", file_kind="csv", file_size=1, file_sha256="0" * 64, headers=["Vorname"]
    )
    db.session.add(batch)
    db.session.flush()
    db.session.add(
        ImportRow(
            batch_id=batch.id,
            row_number=2,
            cells=["Werkzeugbau Nord GmbH", "Anna", NAME, EMAIL],
            data={"contact": {"first_name": "Anna", "last_name": NAME, "email": EMAIL}},
        )
    )
    db.session.flush()
    return {
        "org": org,
        "contact": contact,
        "activity": activity,
        "other": other,
        "membership": membership,
        "fees": (old_fee, fee),
        "collection": collection,
    }


def _erase(person, manager, **kw):
    kw.setdefault("reason", f"Antrag von Frau {NAME} per E-Mail vom 20.11.")
    kw.setdefault("password", DEFAULT_PASSWORD)
    return erasure.erase_contact_person(person["contact"], actor=manager, **kw)


def test_nothing_of_the_person_is_left_outside_retention_records(person, manager):
    assert text_hits(NAME, EMAIL, PHONE)  # the search finds the traces before
    result = _erase(person, manager)
    holds = {(h.entity_type, h.entity_id) for h in db.session.scalars(sa.select(RetentionHold))}
    hits = text_hits(NAME, EMAIL, PHONE, "0511-7654321".replace("-", ""), "0171 99887766", "Anna Quastenberg")
    assert hits <= holds, f"personal data left outside retention records: {hits - holds}"
    assert ("memberships", person["membership"].id) in hits  # the mandate in her name is kept …
    assert ("memberships", person["membership"].id) in holds  # … and restricted
    assert result.anonymised["activities"] == 2 and result.audit_redacted == 1
    update = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "contact_updated")).one()
    assert update.changes["last_name"] == ["[anonymisiert]", "[anonymisiert]"]
    assert update.changes["marketing_blocked"] == [False, True]  # the fact stays, the person does not


def test_own_record_keeps_only_the_links(person, manager):
    _erase(person, manager)
    contact = db.session.get(ContactPerson, person["contact"].id)
    assert contact.full_name == "Anonymisierte Person"
    assert (
        contact.email is None and contact.phone is None and contact.mobile is None and contact.notes is None
    )
    assert contact.erased_at is not None and contact.is_archived
    activity = db.session.get(Activity, person["activity"].id)
    assert [p.full_name for p in activity.participants] == ["Anonymisierte Person"]
    assert "[anonymisiert]" in activity.notes and "Gespräch mit" in activity.notes


def test_retention_records_are_kept_restricted_with_their_date(person, manager):
    _erase(person, manager)
    holds = {(h.entity_type, h.entity_id): h.keep_until for h in db.session.scalars(sa.select(RetentionHold))}
    old_fee, fee = person["fees"]
    assert holds[("fees", old_fee.id)] == date(2032, 12, 31)  # paid 2024 → 8 years after 2024's end
    assert holds[("fees", fee.id)] == date(2034, 12, 31)
    assert holds[("collections", person["collection"].id)] == date(2032, 12, 31)
    assert holds[("memberships", person["membership"].id)] >= date(date.today().year + 8, 12, 31)
    membership = person["membership"]
    db.session.refresh(membership)
    assert membership.account_holder == f"Anna {NAME}" and membership.iban  # kept unchanged


def test_the_erasure_entry_holds_no_personal_data_and_the_block_survives(person, manager):
    _erase(person, manager)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "person_erased")).one()
    assert entry.entity_id == person["contact"].id and entry.actor_id == manager.id
    assert NAME not in str(entry.details) and "[anonymisiert]" in entry.details["reason"]
    assert is_suppressed(EMAIL) and db.session.scalar(sa.select(sa.func.count()).where(sa.text("1=1")).select_from(
        sa.table("suppression_entries", sa.column("email_hash"))
    ).where(sa.column("email_hash") == email_hash(EMAIL))) == 1  # fmt: skip


def test_wrong_password_changes_nothing(person, manager):
    with pytest.raises(ValidationFailed) as error:
        _erase(person, manager, password="falsch")
    assert "password" in error.value.errors
    assert db.session.get(ContactPerson, person["contact"].id).last_name == NAME
    assert not db.session.scalars(sa.select(RetentionHold)).all()


def test_reason_is_required(person, manager):
    with pytest.raises(ValidationFailed) as error:
        _erase(person, manager, reason="  ")
    assert "reason" in error.value.errors


def test_staff_may_not_erase(person, staff):
    with pytest.raises(PermissionDenied):
        erasure.erase_contact_person(
            person["contact"], reason="Antrag", password=DEFAULT_PASSWORD, actor=staff
        )


def test_erasing_twice_is_refused(person, manager):
    _erase(person, manager)
    contact = db.session.get(ContactPerson, person["contact"].id)
    with pytest.raises(DomainError):
        erasure.erase_contact_person(
            contact, reason="nochmal bitte", password=DEFAULT_PASSWORD, actor=manager
        )


def test_door_opener_person_is_erased_and_the_institution_stays(manager):
    door_opener = factories.DoorOpenerFactory(
        institution="IHK Hannover", first_name="Bertram", last_name="Zwiebelfisch", email="bz@ihk.example"
    )
    factories.IntroductionFactory(door_opener=door_opener, notes="Herr Zwiebelfisch stellte uns vor")
    db.session.flush()
    factories.DoorOpenerFactory(  # an older duplicate, merged into this one
        institution="IHK Hannover", first_name="B.", last_name="Zwiebelfisch", merged_into_id=door_opener.id
    )
    db.session.flush()
    erasure.erase_door_opener(
        door_opener, reason="Antrag per Brief", password=DEFAULT_PASSWORD, actor=manager
    )
    assert not text_hits("Zwiebelfisch", "bz@ihk.example")
    door_opener = db.session.get(type(door_opener), door_opener.id)
    assert door_opener.institution == "IHK Hannover" and door_opener.display_name.startswith("Anonymisierte")


def test_sole_trader_is_anonymised_and_its_accounting_kept(manager):
    org = factories.OrganisationFactory(
        name="Malerbetrieb Ottokar Kleinschmidt e.K.",
        email="info@kleinschmidt-maler.example",
        phone="05121 4455",
    )
    factories.ContactPersonFactory(organisation=org, first_name="Ottokar", last_name="Kleinschmidt")
    factories.ActivityFactory(organisation=org, notes="Ottokar Kleinschmidt will Excel-Kurs")
    membership = factories.MembershipFactory(
        organisation=org, sepa=True, account_holder="Ottokar Kleinschmidt", ends_on=date(2025, 12, 31)
    )
    fee = _fee(membership, 2025, paid_on=date(2025, 3, 1))
    db.session.flush()
    erasure.erase_organisation(
        org, reason="Betrieb aufgegeben, Antrag", password=DEFAULT_PASSWORD, actor=manager
    )
    holds = {(h.entity_type, h.entity_id) for h in db.session.scalars(sa.select(RetentionHold))}
    assert {("memberships", membership.id), ("fees", fee.id)} <= holds
    hits = text_hits("Kleinschmidt", "info@kleinschmidt-maler.example", "05121 4455")
    assert hits <= holds and ("memberships", membership.id) in hits
    org = db.session.get(Organisation, org.id)
    assert org.name == f"Anonymisiertes Unternehmen {org.id}" and org.is_archived and org.erased_at


def test_sole_trader_with_running_membership_is_refused(manager):
    membership = factories.MembershipFactory()
    with pytest.raises(DomainError):
        erasure.erase_organisation(
            membership.organisation, reason="Antrag erhalten", password=DEFAULT_PASSWORD, actor=manager
        )


def test_a_bare_last_name_elsewhere_is_left_alone(person, manager):
    """Only text that names the person (full name, Frau/Herr, e-mail, phone) is changed elsewhere."""
    bystander = factories.ActivityFactory(notes=f"Spedition {NAME} & Söhne liefert das Holz")
    linked = person["activity"]
    _erase(person, manager)
    db.session.expire_all()
    assert db.session.get(Activity, bystander.id).notes == f"Spedition {NAME} & Söhne liefert das Holz"
    assert NAME not in db.session.get(Activity, linked.id).outcome  # she took part: bare name goes too

"""Retention review, restricted records and the record of processing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.memberships.models import Membership
from crm.organisations.models import Organisation
from crm.organisations.vocab import Stage
from crm.privacy.models import RetentionHold
from crm.privacy.processing import personal_fields, register, unmarked_columns
from tests import factories
from tests.conftest import post
from tests.factories import DEFAULT_PASSWORD

LONG_AGO = datetime(2019, 5, 1, tzinfo=UTC)


def _stale(name, **kw):
    kw.setdefault("last_contact_at", LONG_AGO)
    return factories.OrganisationFactory(name=name, created_at=LONG_AGO, **kw)


def test_every_column_that_looks_personal_is_marked():
    assert unmarked_columns() == []


def test_marks_reach_the_tables_of_both_person_kinds():
    fields = {(f.table, f.column) for f in personal_fields()}
    for table in ("contact_persons", "door_openers"):
        for column in (
            "first_name",
            "last_name",
            "email",
            "phone",
            "notes",
            "marketing_blocked",
            "legal_basis",
        ):
            assert (table, column) in fields
    assert ("memberships", "iban") in fields and ("audit_entries", "changes") in fields
    assert next(key for key, _text, _fields in register()) == "acquisition"


def test_review_lists_only_companies_without_business_and_contact(manager_client):
    stale = _stale("Alte Spur GmbH")
    _stale("Kunde Alt GmbH", stage=Stage.CUSTOMER)
    member = _stale("Mitglied Alt GmbH")
    db.session.add(
        Membership(organisation_id=member.id, starts_on=date(2018, 1, 1), ends_on=date(2019, 12, 31))
    )
    factories.SponsorshipFactory(organisation=_stale("Sponsor Alt GmbH"), status="paid")
    factories.OrganisationFactory(name="Frischer Kontakt GmbH", last_contact_at=datetime.now(UTC))
    _stale("Archiviert Alt GmbH", is_archived=True)
    db.session.flush()
    page = manager_client.get("/privacy/retention/").get_data(as_text=True)
    assert "Alte Spur GmbH" in page
    for name in ("Kunde Alt", "Mitglied Alt", "Sponsor Alt", "Frischer Kontakt", "Archiviert Alt"):
        assert name not in page, name
    assert f'value="{stale.id}"' in page
    assert "Alte Spur GmbH" not in manager_client.get("/privacy/retention/?years=10").get_data(as_text=True)
    assert manager_client.get("/privacy/retention/?years=0").status_code == 400
    assert manager_client.get("/privacy/retention/?view=alles").status_code == 400


def test_review_query_count_does_not_grow_with_rows(manager_client, count_queries):
    for n in range(3):
        _stale(f"Wenig {n}")
    db.session.flush()
    count_queries.statements.clear()
    manager_client.get("/privacy/retention/")
    few = count_queries.count
    for n in range(30):
        _stale(f"Viel {n}")
    db.session.flush()
    count_queries.statements.clear()
    manager_client.get("/privacy/retention/")
    assert count_queries.count == few


def test_bulk_archive_shows_a_preview_first(manager_client):
    first, second = _stale("Erste Alt GmbH"), _stale("Zweite Alt GmbH")
    db.session.flush()
    preview = post(
        manager_client,
        "/privacy/retention/preview?view=companies",
        {"ids": [first.id, second.id], "action": "archive"},
        form_page="/privacy/retention/",
    )
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 Unternehmen archivieren" in text and "Zweite Alt GmbH" in text
    db.session.expire_all()
    assert not db.session.get(Organisation, first.id).is_archived  # nothing happened yet
    response = post(
        manager_client,
        "/privacy/retention/apply?view=companies",
        {"ids": [first.id], "action": "archive"},
        form_page="/privacy/retention/",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, first.id).is_archived
    assert not db.session.get(Organisation, second.id).is_archived  # unticked in the preview


def test_bulk_erase_needs_password_and_anonymises(manager_client):
    org = _stale("Friedhelm Stoppelkamp e.K.")
    factories.ContactPersonFactory(organisation=org, first_name="Friedhelm", last_name="Stoppelkamp")
    db.session.flush()
    data = {"ids": [org.id], "action": "erase", "reason": "Löschprüfung 2026"}
    wrong = post(
        manager_client,
        "/privacy/retention/apply",
        {**data, "password": "nein"},
        form_page="/privacy/retention/",
    )
    assert "Das Passwort ist nicht richtig" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).erased_at is None
    response = post(
        manager_client,
        "/privacy/retention/apply",
        {**data, "password": DEFAULT_PASSWORD},
        form_page="/privacy/retention/",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).name.startswith("Anonymisiertes Unternehmen")


def test_unknown_action_is_refused(manager_client):
    org = _stale("Aktion Alt GmbH")
    db.session.flush()
    response = post(
        manager_client,
        "/privacy/retention/preview",
        {"ids": [org.id], "action": "drop"},
        form_page="/privacy/retention/",
    )
    assert response.status_code == 400


def test_ended_holds_are_listed_and_released(manager_client, manager):
    membership = factories.MembershipFactory(
        sepa=True, account_holder="Erna Altbestand", starts_on=date(2010, 1, 1), ends_on=date(2016, 12, 31)
    )
    ended = RetentionHold(
        entity_type="memberships",
        entity_id=membership.id,
        keep_until=date(2024, 12, 31),
        erased_type="contact_persons",
        erased_id=1,
    )
    running = RetentionHold(
        entity_type="fees",
        entity_id=999,
        keep_until=date(2099, 12, 31),
        erased_type="contact_persons",
        erased_id=1,
    )
    db.session.add_all([ended, running])
    db.session.flush()
    page = manager_client.get("/privacy/retention/?view=holds").get_data(as_text=True)
    assert f'value="{ended.id}"' in page and f'value="{running.id}"' not in page
    restricted = manager_client.get("/privacy/restricted").get_data(as_text=True)
    assert "31.12.2099" in restricted and "Frist abgelaufen" in restricted
    response = post(
        manager_client,
        "/privacy/retention/apply?view=holds",
        {
            "ids": [ended.id, running.id],
            "action": "release",
            "reason": "Frist abgelaufen",
            "password": DEFAULT_PASSWORD,
        },
        form_page="/privacy/retention/",
    )
    assert response.status_code == 302
    db.session.expire_all()
    membership = db.session.get(Membership, membership.id)
    assert (
        membership.account_holder is None and membership.iban is None and membership.mandate_reference is None
    )
    assert [h.id for h in db.session.scalars(sa.select(RetentionHold))] == [running.id]  # not yet due
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "retention_released")).one()
    assert entry.entity_type == "memberships" and entry.entity_id == membership.id

"""Memberships: create, edit, cancel; bad input writes nothing; stage moves to partner; audit masks bank data."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.memberships.models import Fee, Membership
from crm.memberships.vocab import FeeStatus, PaymentMethod
from crm.organisations.vocab import Stage
from tests.conftest import post
from tests.factories import TEST_BIC, TEST_IBAN, FeeScheduleFactory, MembershipFactory, OrganisationFactory


def _form(**overrides):
    data = {
        "kind": "regular",
        "starts_on": "2026-02-01",
        "ends_on": "",
        "payment_method": "sepa",
        "mandate_reference": "MITGL-2026-001",
        "mandate_signed_on": "2026-01-15",
        "account_holder": "Bäckerei Klapp KG",
        "iban": "DE89 3704 0044 0532 0130 00",
        "bic": "",
        "sepa_scheme": "CORE",
        "last_debit_on": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def _memberships():
    db.session.expire_all()
    return db.session.scalars(sa.select(Membership)).all()


def test_manager_starts_membership_and_company_becomes_partner(manager_client):
    org = OrganisationFactory(stage=Stage.CONTACTED)
    path = f"/organisations/{org.id}/memberships/new"
    response = post(manager_client, path, _form())
    assert response.status_code == 302
    (membership,) = _memberships()
    assert membership.iban == "DE89370400440532013000"
    assert membership.bic == "COBADEFFXXX"  # derived from the IBAN
    assert membership.payment_method == PaymentMethod.SEPA
    db.session.refresh(org)
    assert org.stage == Stage.PARTNER
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "membership_created"))
    assert entry.changes["iban"] == [None, "***3000"]
    assert TEST_IBAN not in str(entry.changes)


def test_stage_further_along_is_kept(manager_client):
    org = OrganisationFactory(stage=Stage.PARTNER)
    post(manager_client, f"/organisations/{org.id}/memberships/new", _form(payment_method="invoice"))
    db.session.refresh(org)
    assert org.stage == Stage.PARTNER
    (membership,) = _memberships()
    assert membership.iban is None and membership.mandate_reference is None  # no bank data without a mandate


@pytest.mark.parametrize("stage", [Stage.DORMANT, Stage.LOST])
def test_membership_brings_a_dormant_or_lost_company_back_as_partner(manager_client, stage):
    """A member is a partner, whatever stage the company was set aside in before."""
    org = OrganisationFactory(stage=stage)
    response = post(
        manager_client, f"/organisations/{org.id}/memberships/new", _form(payment_method="invoice")
    )
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.stage == Stage.PARTNER


def _rejected(client, org, data, field, text):
    response = post(client, f"/organisations/{org.id}/memberships/new", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert text in html, html
    assert f'id="{field}-error"' in html
    assert _memberships() == []


def test_invalid_iban_is_refused(manager_client):
    org = OrganisationFactory()
    _rejected(manager_client, org, _form(iban="DE89370400440532013001"), "iban", "Prüfziffer falsch")


def test_invalid_mandate_reference_is_refused(manager_client):
    org = OrganisationFactory()
    _rejected(
        manager_client, org, _form(mandate_reference="MÜLLER#1"), "mandate_reference", "höchstens 35 Zeichen"
    )


def test_end_before_start_is_refused(manager_client):
    org = OrganisationFactory()
    _rejected(manager_client, org, _form(ends_on="2026-01-31"), "ends_on", "vor dem Beginn")


def test_overlapping_memberships_are_refused(manager_client):
    org = OrganisationFactory()
    MembershipFactory(organisation=org, starts_on=date(2020, 1, 1), ends_on=date(2026, 3, 31))
    response = post(manager_client, f"/organisations/{org.id}/memberships/new", _form(starts_on="2026-03-01"))
    assert "überschneiden sich" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(_memberships()) == 1
    # starting the day after the old one ends is fine
    response = post(manager_client, f"/organisations/{org.id}/memberships/new", _form(starts_on="2026-04-01"))
    assert response.status_code == 302
    assert len(_memberships()) == 2


def test_mandate_reference_must_be_unique(manager_client):
    MembershipFactory(sepa=True, mandate_reference="MITGL-2026-001")
    org = OrganisationFactory()
    _ = post(manager_client, f"/organisations/{org.id}/memberships/new", _form())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1


def test_sepa_needs_the_mandate_fields(manager_client):
    org = OrganisationFactory()
    _rejected(manager_client, org, _form(iban="", account_holder=""), "iban", "Bitte die IBAN angeben.")


def test_edit_moves_open_fees_to_the_new_payment_method(manager_client):
    membership = MembershipFactory(sepa=True)
    fee_open = _fee(membership, 2026, FeeStatus.OPEN)
    fee_paid = _fee(membership, 2025, FeeStatus.PAID)
    path = f"/memberships/{membership.id}/edit"
    data = _form(payment_method="invoice", starts_on="2020-01-01", version=str(membership.version))
    assert post(manager_client, path, data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Fee, fee_open.id).payment_method == PaymentMethod.INVOICE
    assert db.session.get(Fee, fee_paid.id).payment_method == PaymentMethod.SEPA
    assert db.session.get(Membership, membership.id).iban is None


def test_stale_edit_is_a_conflict_with_both_versions(manager_client):
    membership = MembershipFactory()
    data = _form(payment_method="invoice", starts_on="2020-01-01", notes="Meine Notiz", version="99")
    response = post(manager_client, f"/memberships/{membership.id}/edit", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "inzwischen geändert" in page
    assert "Meine Notiz" in page and f'name="version" type="hidden" value="{membership.version}"' in page


def _fee(membership, year, status, amount=10000):
    fee = Fee(
        membership_id=membership.id,
        organisation_id=membership.organisation_id,
        year=year,
        kind=membership.kind,
        size_class=membership.organisation.size_class,
        pro_rata="none",
        months=12,
        full_amount_cents=amount,
        amount_cents=amount,
        payment_method=membership.payment_method,
        due_on=date(year, 3, 31),
        status=status,
    )
    db.session.add(fee)
    db.session.flush()
    return fee


def test_cancellation_sets_the_end_and_cancels_later_open_fees(manager_client):
    FeeScheduleFactory(year=2027)
    membership = MembershipFactory()
    this_year = _fee(membership, 2026, FeeStatus.OPEN)
    next_year = _fee(membership, 2027, FeeStatus.OPEN)
    data = {"received_on": "2026-05-01", "effective_on": "2026-12-31", "reason": "Betriebsaufgabe"}
    assert post(manager_client, f"/memberships/{membership.id}/cancel", data).status_code == 302
    db.session.expire_all()
    membership = db.session.get(Membership, membership.id)
    assert membership.ends_on == date(2026, 12, 31) and membership.cancelled_on == date(2026, 5, 1)
    assert db.session.get(Fee, this_year.id).status == FeeStatus.OPEN
    assert db.session.get(Fee, next_year.id).status == FeeStatus.CANCELLED


def test_cancellation_before_start_is_refused(manager_client):
    membership = MembershipFactory(starts_on=date(2026, 1, 1))
    data = {"received_on": "2026-01-01", "effective_on": "2025-12-31", "reason": ""}
    response = post(manager_client, f"/memberships/{membership.id}/cancel", data)
    assert "vor dem Beginn" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).ends_on is None


def test_membership_list_filters(manager_client):
    MembershipFactory(organisation=OrganisationFactory(name="Aktiv GmbH"))
    MembershipFactory(organisation=OrganisationFactory(name="Ehemalig GmbH"), ends_on=date(2021, 1, 1))
    MembershipFactory(organisation=OrganisationFactory(name="Archiv GmbH", is_archived=True))
    html = manager_client.get("/memberships/").get_data(as_text=True)
    assert "Aktiv GmbH" in html and "Ehemalig GmbH" not in html and "Archiv GmbH" not in html
    html = manager_client.get("/memberships/?status=ended").get_data(as_text=True)
    assert "Ehemalig GmbH" in html and "Aktiv GmbH" not in html
    assert manager_client.get("/memberships/?status=bogus").status_code == 400


def test_company_page_panel_for_manager_shows_mandate(manager_client):
    membership = MembershipFactory(sepa=True, mandate_reference="MANDAT-XYZ")
    html = manager_client.get(f"/organisations/{membership.organisation_id}").get_data(as_text=True)
    assert "MANDAT-XYZ" in html and "Mitgliedschaft" in html
    assert TEST_IBAN not in html and TEST_BIC not in html  # the page never prints bank data


def test_company_page_query_count_does_not_grow(manager_client, count_queries):
    small = MembershipFactory(sepa=True)
    big_org = OrganisationFactory(employees=5, turnover_eur=1)
    for year in range(2000, 2010):
        m = MembershipFactory(organisation=big_org, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31))
        _fee(m, year, FeeStatus.PAID)
    manager_client.get(f"/organisations/{small.organisation_id}")
    before = count_queries.count
    manager_client.get(f"/organisations/{small.organisation_id}")
    one = count_queries.count - before
    before = count_queries.count
    manager_client.get(f"/organisations/{big_org.id}")
    assert count_queries.count - before == one


def test_merge_moves_memberships_fees_and_sponsorships(app, manager):
    from crm.organisations.merge import merge_organisations, merge_preview
    from crm.sponsorships.models import Sponsorship
    from tests.factories import SponsorshipFactory

    survivor = OrganisationFactory(name="Überlebt GmbH")
    duplicate = OrganisationFactory(name="Doppelt GmbH")
    membership = MembershipFactory(organisation=duplicate, sepa=True)
    fee = _fee(membership, 2026, FeeStatus.OPEN)
    SponsorshipFactory(organisation=duplicate)
    with app.test_request_context():
        assert merge_preview(survivor, duplicate) == {"memberships": 1, "fees": 1, "sponsorships": 1}
        merge_organisations(survivor, duplicate, actor=manager)
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).organisation_id == survivor.id
    assert db.session.get(Fee, fee.id).organisation_id == survivor.id
    assert db.session.scalar(sa.select(Sponsorship.organisation_id)) == survivor.id

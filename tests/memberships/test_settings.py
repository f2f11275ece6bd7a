"""Admin pages: fee schedules (complete, one per year, copy last year) and validated creditor data."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.memberships.models import CreditorSettings, FeeSchedule
from crm.memberships.vocab import ProRataRule
from tests.conftest import post
from tests.factories import FeeScheduleFactory

SCHEDULE = {
    "year": "2027",
    "micro_cents": "150",
    "small_cents": "300,00",
    "medium_cents": "1.200,50",
    "large_cents": "2400",
    "supporting_cents": "0",
    "pro_rata": "half_after_june",
    "regular_vat": "y",
    "due_on": "2027-03-31",
    "notes": "",
}


def _schedules():
    db.session.expire_all()
    return db.session.scalars(sa.select(FeeSchedule).order_by(FeeSchedule.year)).all()


def test_admin_creates_a_schedule_with_exact_cents(admin_client):
    response = post(admin_client, "/admin/fee-schedules/new", SCHEDULE)
    assert response.status_code == 302
    (schedule,) = _schedules()
    assert (schedule.micro_cents, schedule.small_cents, schedule.medium_cents, schedule.supporting_cents) == (
        15000,
        30000,
        120050,
        0,
    )
    assert schedule.pro_rata == ProRataRule.HALF_AFTER_JUNE
    assert schedule.regular_vat and not schedule.supporting_vat


def test_schedule_missing_a_size_class_is_refused(admin_client):
    response = post(admin_client, "/admin/fee-schedules/new", {**SCHEDULE, "large_cents": ""})
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and 'id="large_cents-error"' in html
        and "Bitte einen Betrag angeben" in html
    )
    assert _schedules() == []


def test_more_than_two_decimals_is_refused(admin_client):
    response = post(admin_client, "/admin/fee-schedules/new", {**SCHEDULE, "micro_cents": "150,005"})
    assert "zwei Nachkommastellen" in response.get_data(as_text=True)
    assert _schedules() == []


def test_one_schedule_per_year(admin_client):
    FeeScheduleFactory(year=2027)
    response = post(admin_client, "/admin/fee-schedules/new", SCHEDULE)
    assert "schon eine Beitragsordnung" in response.get_data(as_text=True)
    assert len(_schedules()) == 1


def test_new_schedule_is_copied_from_last_year(admin_client):
    FeeScheduleFactory(year=2026, micro_cents=12345, pro_rata="monthly", due_on=date(2026, 2, 28))
    html = admin_client.get("/admin/fee-schedules/new").get_data(as_text=True)
    assert 'value="2027"' in html and 'value="123,45"' in html and 'value="2027-02-28"' in html
    assert '<option selected value="monthly">' in html


def test_edit_schedule_is_audited(admin_client):
    FeeScheduleFactory(year=2027)
    post(admin_client, "/admin/fee-schedules/2027/edit", SCHEDULE)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "fee_schedule_updated"))
    assert entry.changes["micro_cents"] == [10000, 15000]


CREDITOR = {
    "name": "Bildungsnetzwerk e.V.",
    "iban": "DE02 1203 0000 0000 2020 51",
    "bic": "",
    "creditor_id": "DE98ZZZ09999999999",
    "prenotification_days": "14",
}


def test_creditor_settings_are_validated_and_masked_in_the_audit(admin_client):
    response = post(admin_client, "/admin/sepa-settings", CREDITOR)
    assert response.status_code == 302
    db.session.expire_all()
    settings = db.session.scalar(sa.select(CreditorSettings))
    assert (settings.iban, settings.bic) == ("DE02120300000000202051", "BYLADEM1001")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "creditor_settings_updated"))
    assert entry.changes["iban"] == [None, "***2051"]


def test_bad_creditor_data_is_refused(admin_client):
    bad = {
        **CREDITOR,
        "creditor_id": "DE97ZZZ09999999999",
        "iban": "DE02120300000000202052",
        "bic": "COBADEFFXXX",
    }
    html = post(admin_client, "/admin/sepa-settings", bad).get_data(as_text=True)
    assert 'id="creditor_id-error"' in html and 'id="iban-error"' in html
    html = post(admin_client, "/admin/sepa-settings", {**CREDITOR, "bic": "COBADEFFXXX"}).get_data(
        as_text=True
    )
    assert "passt nicht zur Bank" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CreditorSettings)) == 0

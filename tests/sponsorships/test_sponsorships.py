"""Sponsorships: create/edit with validation, list with filters and yearly totals, safe exports."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.sponsorships.models import Sponsorship
from crm.sponsorships.vocab import SponsorshipStatus
from tests.conftest import post
from tests.factories import OrganisationFactory, SponsorshipFactory
from tests.organisations.test_exports import PAYLOADS

FORM = {
    "kind": "sponsoring",
    "purpose": "Fachkräftetag 2026",
    "starts_on": "2026-05-01",
    "ends_on": "2026-05-31",
    "cash_cents": "2.500,50",
    "in_kind_description": "Catering",
    "in_kind_value_cents": "300",
    "counter_performances": "Logo auf Website\n\nNennung in der Pressemitteilung\n",
    "vat_treatment": "taxable",
    "status": "promised",
    "document_number": "",
    "notes": "",
}


def _all():
    db.session.expire_all()
    return db.session.scalars(sa.select(Sponsorship)).all()


def test_manager_records_a_sponsorship(manager_client):
    org = OrganisationFactory()
    response = post(manager_client, f"/sponsorships/new/{org.id}", FORM)
    assert response.status_code == 302
    (s,) = _all()
    assert (s.cash_cents, s.in_kind_value_cents, s.year) == (250050, 30000, 2026)
    assert s.counter_performances == ["Logo auf Website", "Nennung in der Pressemitteilung"]
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "sponsorship_created"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2026-04-30"}, "vor dem Beginn"),
        (
            {"cash_cents": "", "in_kind_description": "", "in_kind_value_cents": ""},
            "Geldbetrag oder eine Sachleistung",
        ),
        ({"in_kind_description": ""}, "Sachleistung beschreiben"),
        ({"vat_treatment": "not_taxable"}, "umsatzsteuerpflichtig"),
        ({"cash_cents": "-5"}, "nicht kleiner"),
    ],
)
def test_bad_input_writes_nothing(manager_client, changes, message):
    org = OrganisationFactory()
    response = post(manager_client, f"/sponsorships/new/{org.id}", {**FORM, **changes})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _all() == []


def test_status_moves_on_and_is_audited(manager_client):
    s = SponsorshipFactory()
    data = {**FORM, "status": "paid", "document_number": "RE-2026-17", "version": str(s.version)}
    assert post(manager_client, f"/sponsorships/{s.id}/edit", data).status_code == 302
    (s,) = _all()
    assert s.status == SponsorshipStatus.PAID and s.document_number == "RE-2026-17"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "sponsorship_updated"))
    assert entry.changes["status"] == ["promised", "paid"]


def test_list_filters_and_yearly_totals(manager_client):
    SponsorshipFactory(
        organisation=OrganisationFactory(name="Alt GmbH"),
        starts_on=date(2025, 3, 1),
        cash_cents=100000,
        status="paid",
    )
    SponsorshipFactory(
        organisation=OrganisationFactory(name="Neu GmbH"),
        cash_cents=50050,
        in_kind_value_cents=20000,
        in_kind_description="Räume",
    )
    SponsorshipFactory(
        organisation=OrganisationFactory(name="Nein GmbH"), cash_cents=999900, status="declined"
    )
    SponsorshipFactory(
        organisation=OrganisationFactory(name="Archiv GmbH", is_archived=True), cash_cents=777700
    )
    html = manager_client.get("/sponsorships/").get_data(as_text=True)
    start = html.index('id="sponsorship-totals"')
    totals = html[start : html.index("</table>", start)]
    assert "1.000,00\xa0€" in totals  # 2025 paid
    assert (
        "500,50\xa0€" in totals and "200,00\xa0€" in totals
    )  # 2026 agreed cash and in kind; declined not counted
    assert "9.999,00" not in totals and "Archiv GmbH" not in html and "7.777,00" not in html
    html = manager_client.get("/sponsorships/?year=2025").get_data(as_text=True)
    assert "Alt GmbH" in html and "Neu GmbH" not in html
    html = manager_client.get("/sponsorships/?status=declined").get_data(as_text=True)
    assert "Nein GmbH" in html and "Neu GmbH" not in html
    assert manager_client.get("/sponsorships/?status=maybe").status_code == 400
    assert manager_client.get("/sponsorships/?year=abc").status_code == 400


def test_exports_add_up_and_are_formula_safe(manager_client):
    for n, payload in enumerate(PAYLOADS):
        SponsorshipFactory(
            organisation=OrganisationFactory(name=payload),
            purpose=payload,
            notes=payload,
            cash_cents=1001 + n,
        )
    expected = sum(1001 + n for n in range(len(PAYLOADS)))
    text = manager_client.get("/sponsorships/export.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    for column in ("Unternehmen", "Zweck / Veranstaltung", "Notizen"):
        assert all(row[header.index(column)].startswith("'") for row in body), column
    assert sum(int(row[header.index("Geldbetrag")].replace(",", "")) for row in body) == expected
    sheet = load_workbook(io.BytesIO(manager_client.get("/sponsorships/export.xlsx").get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    xheader = values[0]
    assert round(values[-1][xheader.index("Geldbetrag")] * 100) == expected
    for row in values[1:-1]:
        for column in ("Unternehmen", "Zweck / Veranstaltung", "Notizen"):
            assert not str(row[xheader.index(column)]).startswith(("=", "+", "-", "@"))


def test_staff_see_sponsorships_read_only(staff_client):
    s = SponsorshipFactory(purpose="Lernfest")
    html = staff_client.get(f"/organisations/{s.organisation_id}").get_data(as_text=True)
    assert "Lernfest" in html and f"/sponsorships/{s.id}/edit" not in html
    assert staff_client.get("/sponsorships/").status_code == 403

"""Door-opener pages: records, introductions, merge, report back, permissions, company filters."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from crm.audit.models import AuditEntry
from crm.dooropeners.models import DoorOpener, Introduction
from crm.extensions import db
from crm.organisations.models import Organisation
from tests.conftest import login, post
from tests.factories import DoorOpenerFactory, IntroductionFactory, OrganisationFactory, UserFactory


def _door_opener_form(**overrides):
    data = {
        "kind": "wirtschaftsfoerderung",
        "institution": "Wirtschaftsförderung Region Hannover",
        "salutation": "frau",
        "title": "",
        "first_name": "Petra",
        "last_name": "Sommer",
        "role": "Unternehmensservice",
        "email": "p.sommer@example.org",
        "phone": "0511 616",
        "mobile": "",
        "region": "Region Hannover",
        "cooperation_agreed_on": "2025-05-01",
        "cooperation_notes": "Gemeinsame Sprechtage",
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


def test_create_door_opener(staff_client, staff):
    response = post(staff_client, "/door-openers/new", _door_opener_form())
    assert response.status_code == 302
    door_opener = db.session.scalar(sa.select(DoorOpener))
    assert door_opener.owner_id == staff.id and door_opener.cooperation_agreed_on == date(2025, 5, 1)
    page = staff_client.get(f"/door-openers/{door_opener.id}").get_data(as_text=True)
    assert "Wirtschaftsförderung Region Hannover" in page and "Petra Sommer" in page


def test_door_opener_validation(staff_client):
    page = post(
        staff_client, "/door-openers/new", _door_opener_form(institution="", kind="", email_consent="y")
    ).get_data(as_text=True)
    assert "Bitte die Institution angeben" in page and "Bitte die Art wählen" in page
    page = post(staff_client, "/door-openers/new", _door_opener_form(email_consent="y")).get_data(
        as_text=True
    )
    assert "Datum der Einwilligung" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DoorOpener)) == 0


def test_list_and_filters(staff_client):
    DoorOpenerFactory(institution="IHK Celle", kind="ihk", region="Celle")
    DoorOpenerFactory(institution="Sparkasse Celle", kind="bank", region="Celle")
    page = staff_client.get("/door-openers/?kind=bank").get_data(as_text=True)
    assert "Sparkasse Celle" in page and "IHK Celle" not in page
    assert staff_client.get("/door-openers/?kind=nope").status_code == 400
    assert staff_client.get("/door-openers/?sort=secret").status_code == 400
    assert "IHK Celle" in staff_client.get("/door-openers/?q=ihk").get_data(as_text=True)


def test_introduction_on_company_page(staff_client):
    org = OrganisationFactory(name="Bäckerei Korn")
    door_opener = DoorOpenerFactory(institution="HWK Hildesheim")
    response = post(
        staff_client,
        f"/organisations/{org.id}/introductions/new",
        {
            "door_opener_id": door_opener.id,
            "introduced_on": "2026-02-01",
            "channel": "event",
            "introduction_notes": "Unternehmerfrühstück",
            "may_be_named": "y",
        },
    )
    assert response.status_code == 302
    page = staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "HWK Hildesheim" in page and "Quelle" in page and "Unternehmerfrühstück" in page
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "introduction_created"))


def test_introduction_bad_dates(staff_client):
    org = OrganisationFactory(founded_on=date(2020, 1, 1))
    door_opener = DoorOpenerFactory()
    path = f"/organisations/{org.id}/introductions/new"
    future = (date.today() + timedelta(days=3)).isoformat()
    page = post(
        staff_client, path, {"door_opener_id": door_opener.id, "introduced_on": future, "channel": "phone"}
    ).get_data(as_text=True)
    assert "Zukunft" in page
    page = post(
        staff_client,
        path,
        {"door_opener_id": door_opener.id, "introduced_on": "2019-12-31", "channel": "phone"},
    ).get_data(as_text=True)
    assert "erst am 01.01.2020 gegründet" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Introduction)) == 0


def test_archived_door_opener_cannot_introduce(staff_client):
    org = OrganisationFactory()
    door_opener = DoorOpenerFactory(is_archived=True)
    response = post(
        staff_client,
        f"/organisations/{org.id}/introductions/new",
        {"door_opener_id": door_opener.id, "introduced_on": "2026-01-05", "channel": "phone"},
    )
    assert response.status_code in (200, 404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Introduction)) == 0


def _company(**overrides):
    data = {
        "name": "Neue Tischlerei GmbH",
        "legal_form": "GmbH",
        "street": "",
        "postcode": "30159",
        "city": "Hannover",
        "region": "",
        "website": "",
        "phone": "",
        "email": "",
        "register_number": "",
        "founded_on": "",
        "wz_section": "",
        "chamber": "",
        "employees": "",
        "turnover_eur": "",
        "balance_sheet_eur": "",
        "figures_year": "",
        "stage": "lead",
        "stage_reason": "",
        "notes": "",
        "introduced_on": "2026-03-02",
        "channel": "personal_referral",
        "introduction_notes": "",
    }
    data.update(overrides)
    return data


def test_introduce_new_company_in_one_step(staff_client):
    door_opener = DoorOpenerFactory(institution="Sparkasse Peine")
    response = post(staff_client, f"/door-openers/{door_opener.id}/introduce", _company())
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Neue Tischlerei GmbH"))
    introduction = db.session.scalar(sa.select(Introduction))
    assert introduction.organisation_id == org.id and introduction.door_opener_id == door_opener.id
    assert "Neue Tischlerei GmbH" in staff_client.get(f"/door-openers/{door_opener.id}").get_data(
        as_text=True
    )


def test_introduce_new_company_checks_duplicates(staff_client):
    existing = OrganisationFactory(name="Tischlerei Span GmbH", postcode="30159")
    door_opener = DoorOpenerFactory()
    page = post(
        staff_client, f"/door-openers/{door_opener.id}/introduce", _company(name="Tischlerei Span")
    ).get_data(as_text=True)
    assert "Gibt es dieses Unternehmen schon?" in page and f"/organisations/{existing.id}" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Introduction)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1


def test_merge_keeps_every_introduction(manager_client):
    survivor = DoorOpenerFactory(institution="IHK Hannover", phone=None)
    duplicate = DoorOpenerFactory(institution="IHK Hannover (alt)", phone="0511 3107")
    for _ in range(3):
        IntroductionFactory(door_opener=duplicate)
    IntroductionFactory(door_opener=survivor)
    response = post(
        manager_client,
        f"/door-openers/{survivor.id}/merge",
        {"other_id": duplicate.id, "confirmed": "1"},
        form_page=f"/door-openers/{survivor.id}/merge",
    )
    assert response.status_code == 302
    db.session.expire_all()
    counts = dict(
        db.session.execute(
            sa.select(Introduction.door_opener_id, sa.func.count()).group_by(Introduction.door_opener_id)
        ).all()
    )
    assert counts == {survivor.id: 4}
    merged = db.session.get(DoorOpener, duplicate.id)
    assert merged.is_archived and merged.merged_into_id == survivor.id
    assert db.session.get(DoorOpener, survivor.id).phone == "0511 3107"


def test_archive_instead_of_delete(manager_client):
    door_opener = DoorOpenerFactory()
    introduction = IntroductionFactory(door_opener=door_opener)
    post(
        manager_client, f"/door-openers/{door_opener.id}/archive", form_page=f"/door-openers/{door_opener.id}"
    )
    db.session.expire_all()
    assert db.session.get(DoorOpener, door_opener.id).is_archived
    assert db.session.get(Introduction, introduction.id) is not None  # nothing orphaned or lost


def test_staff_permissions(staff_client, staff):
    mine = DoorOpenerFactory(owner_id=staff.id)
    theirs = DoorOpenerFactory(owner_id=UserFactory().id)
    assert staff_client.get(f"/door-openers/{mine.id}/edit").status_code == 200
    assert staff_client.get(f"/door-openers/{theirs.id}/edit").status_code == 403
    assert staff_client.get(f"/door-openers/{mine.id}/merge").status_code == 403
    assert staff_client.get(f"/door-openers/{mine.id}/report").status_code == 403
    assert staff_client.get(f"/door-openers/{mine.id}/report.xlsx").status_code == 403
    response = post(staff_client, f"/door-openers/{mine.id}/archive", form_page=f"/door-openers/{mine.id}")
    db.session.expire_all()
    assert not db.session.get(DoorOpener, mine.id).is_archived and response.status_code == 302


def test_edit_conflict(app, staff):
    door_opener = DoorOpenerFactory(owner_id=staff.id)
    first, second = app.test_client(), app.test_client()
    login(first, staff)
    login(second, staff)
    path = f"/door-openers/{door_opener.id}/edit"
    version = str(door_opener.version)
    assert post(first, path, _door_opener_form(role="Neu", version=version)).status_code == 302
    response = post(second, path, _door_opener_form(role="Anders", version=version))
    assert response.status_code == 409
    assert re.search(r'name="version" type="hidden" value="2"', response.get_data(as_text=True))


def test_report_names_only_consenting_companies(manager_client):
    door_opener = DoorOpenerFactory(institution="IHK Lüneburg")
    IntroductionFactory(
        door_opener=door_opener, organisation=OrganisationFactory(name="Offen GmbH"), may_be_named=True
    )
    IntroductionFactory(
        door_opener=door_opener, organisation=OrganisationFactory(name="Geheim GmbH"), may_be_named=False
    )
    IntroductionFactory(
        door_opener=door_opener,
        organisation=OrganisationFactory(name="Archiv GmbH", is_archived=True),
        may_be_named=True,
    )
    page = manager_client.get(
        f"/door-openers/{door_opener.id}/report?since=2026-01-01&until=2026-12-31"
    ).get_data(as_text=True)
    assert "Offen GmbH" in page and "Geheim GmbH" not in page and "Archiv GmbH" not in page
    assert "Weitere 1 Unternehmen" in page
    response = manager_client.get(
        f"/door-openers/{door_opener.id}/report.xlsx?since=2026-01-01&until=2026-12-31"
    )
    cells = [
        c.value for row in load_workbook(io.BytesIO(response.get_data())).active.iter_rows() for c in row
    ]
    assert "Offen GmbH" in cells and "Geheim GmbH" not in cells
    assert manager_client.get(f"/door-openers/{door_opener.id}/report?since=2026-13-01").status_code == 400


def test_company_list_filters_by_door_opener(staff_client):
    bank = DoorOpenerFactory(kind="bank")
    chamber = DoorOpenerFactory(kind="hwk")
    IntroductionFactory(door_opener=bank, organisation=OrganisationFactory(name="Über Bank"))
    IntroductionFactory(door_opener=chamber, organisation=OrganisationFactory(name="Über Kammer"))
    OrganisationFactory(name="Ohne Vermittlung")
    page = staff_client.get(f"/organisations/?introduced_by={bank.id}").get_data(as_text=True)
    assert "Über Bank" in page and "Über Kammer" not in page and "Ohne Vermittlung" not in page
    page = staff_client.get("/organisations/?door_opener_kind=hwk").get_data(as_text=True)
    assert "Über Kammer" in page and "Über Bank" not in page
    assert staff_client.get("/organisations/?door_opener_kind=x").status_code == 400
    assert staff_client.get("/organisations/?introduced_by=abc").status_code == 400


def test_income_and_member_status_on_the_door_opener_page(manager_client):
    from tests.factories import MembershipFactory, SponsorshipFactory

    door_opener = DoorOpenerFactory()
    member = OrganisationFactory(name="Mitglied GmbH")
    IntroductionFactory(door_opener=door_opener, organisation=member, may_be_named=False)
    membership = MembershipFactory(organisation=member, starts_on=date(2024, 1, 1))
    SponsorshipFactory(organisation=member, cash_cents=250_000, status="paid")
    from crm.memberships.models import Fee

    db.session.add(
        Fee(
            membership_id=membership.id,
            organisation_id=member.id,
            year=2026,
            kind="regular",
            size_class="micro",
            pro_rata="none",
            months=12,
            full_amount_cents=12000,
            amount_cents=12000,
            is_vat=False,
            payment_method="invoice",
            status="paid",
            due_on=date(2026, 3, 31),
            paid_on=date(2026, 4, 1),
        )
    )
    db.session.flush()
    page = manager_client.get(f"/door-openers/{door_opener.id}").get_data(as_text=True)
    assert "Mitglied seit 01.01.2024" in page
    assert "120,00" in page and "2.500,00" in page
    # Members may be named in the report even without explicit consent.
    report = manager_client.get(
        f"/door-openers/{door_opener.id}/report?since=2026-01-01&until=2026-12-31"
    ).get_data(as_text=True)
    assert "Mitglied GmbH" in report

"""Offers: create, status transitions and their effect on the company stage, list, export, conflicts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm.activities.dates import local_today
from crm.audit.models import AuditEntry
from crm.core.errors import ValidationFailed
from crm.extensions import db
from crm.offers import services
from crm.offers.models import Offer
from crm.offers.vocab import OfferStatus
from crm.organisations.models import StageChange
from crm.organisations.vocab import Stage
from tests.conftest import post
from tests.factories import CompanyGroupFactory, OfferFactory, OrganisationFactory


def _data(**overrides):
    data = {
        "title": "Inhouse-Schulung Excel",
        "product": "Excel",
        "value_cents": 480000,
        "probability": None,
        "expected_close_on": local_today() + timedelta(days=40),
        "status": "open",
        "lost_reason": None,
        "lost_note": None,
        "owner_id": None,
        "notes": None,
    }
    data.update(overrides)
    return data


def test_new_offer_gets_the_default_probability_of_its_status(app, staff):
    org = OrganisationFactory(stage=Stage.NEEDS_ANALYSIS)
    offer = services.create_offer(_data(), actor=staff, organisation=org)
    assert offer.probability == 20
    sent = services.create_offer(_data(status="sent"), actor=staff, organisation=org)
    assert sent.probability == 50
    assert sent.sent_on == local_today()
    assert org.stage == Stage.OFFER  # a sent offer moves the company on


def test_won_offer_moves_company_to_customer_in_the_timeline(app, staff):
    org = OrganisationFactory(stage=Stage.OFFER)
    offer = OfferFactory(organisation=org, status="sent", probability=50)
    services.change_status(offer, "won", actor=staff, expected_version=offer.version)
    assert org.stage == Stage.CUSTOMER
    assert offer.probability == 100 and offer.closed_on == local_today()
    change = db.session.scalars(
        sa.select(StageChange).where(
            StageChange.organisation_id == org.id, StageChange.to_stage == Stage.CUSTOMER
        )
    ).one()
    assert change.is_automatic and "gewonnen" in change.reason


@pytest.mark.parametrize("stage", [Stage.PARTNER, Stage.CUSTOMER])
def test_won_offer_never_moves_a_company_backwards(app, staff, stage):
    org = OrganisationFactory(stage=stage)
    offer = OfferFactory(organisation=org)
    services.change_status(offer, "won", actor=staff, expected_version=offer.version)
    assert org.stage == stage
    assert not db.session.scalars(sa.select(StageChange).where(StageChange.organisation_id == org.id)).all()


def test_won_offer_brings_a_dormant_company_back(app, staff):
    org = OrganisationFactory(stage=Stage.DORMANT)
    offer = OfferFactory(organisation=org)
    services.change_status(offer, "won", actor=staff, expected_version=offer.version)
    assert org.stage == Stage.CUSTOMER


def test_lost_offer_needs_a_reason_and_keeps_the_stage(app, staff):
    org = OrganisationFactory(stage=Stage.OFFER)
    offer = OfferFactory(organisation=org, status="sent")
    with pytest.raises(ValidationFailed) as error:
        services.change_status(offer, "lost", actor=staff, expected_version=offer.version)
    assert "lost_reason" in error.value.errors
    with pytest.raises(ValidationFailed) as error:
        services.change_status(
            offer, "lost", actor=staff, expected_version=offer.version, lost_reason="other"
        )
    assert "lost_note" in error.value.errors  # "Sonstiges" needs the free text
    services.change_status(
        offer, "lost", actor=staff, expected_version=offer.version, lost_reason="price", lost_note="zu teuer"
    )
    assert offer.status == OfferStatus.LOST and offer.probability == 0
    assert org.stage == Stage.OFFER


def test_a_closed_offer_cannot_be_reopened(app, staff):
    offer = OfferFactory(status="won", probability=100)
    with pytest.raises(ValidationFailed):
        services.change_status(offer, "open", actor=staff, expected_version=offer.version)


def test_group_offer_won_moves_every_active_member(app, staff):
    from crm.offers.groups import add_member

    group = CompanyGroupFactory()
    active, archived = OrganisationFactory(stage=Stage.LEAD), OrganisationFactory(stage=Stage.LEAD)
    add_member(group, active, actor=staff)
    add_member(group, archived, actor=staff)
    archived.is_archived = True
    offer = services.create_offer(_data(), actor=staff, group=group)
    services.change_status(offer, "won", actor=staff, expected_version=offer.version)
    assert active.stage == Stage.CUSTOMER and archived.stage == Stage.LEAD


def test_create_through_the_form_and_the_company_page_shows_it(staff_client, staff):
    org = OrganisationFactory(owner=staff)
    path = f"/offers/new/{org.id}"
    response = post(
        staff_client,
        path,
        {
            "title": "Führungskräfte-Workshop",
            "value_cents": "3.500,00",
            "probability": "",
            "expected_close_on": (local_today() + timedelta(days=10)).isoformat(),
            "status": "open",
            "owner_id": str(staff.id),
        },
    )
    assert response.status_code == 302
    offer = db.session.scalars(sa.select(Offer).where(Offer.organisation_id == org.id)).one()
    assert offer.value_cents == 350000 and offer.probability == 20
    page = staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Führungskräfte-Workshop" in page and "3.500,00" in page
    assert "offer-entry" in page  # in the timeline too
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "offer_created"))


def test_lost_without_reason_is_shown_on_the_form(staff_client, staff):
    offer = OfferFactory(owner=staff)
    path = f"/offers/{offer.id}/edit"
    response = post(
        staff_client,
        path,
        {
            "title": offer.title,
            "value_cents": "5000",
            "expected_close_on": offer.expected_close_on.isoformat(),
            "status": "lost",
            "lost_reason": "",
            "owner_id": str(staff.id),
            "version": str(offer.version),
        },
    )
    assert response.status_code == 200
    assert "Bitte einen Grund für die Absage auswählen." in response.get_data(as_text=True)
    db.session.refresh(offer)
    assert offer.status == OfferStatus.OPEN


def test_concurrent_edit_is_a_409_with_both_versions(staff_client, staff):
    offer = OfferFactory(owner=staff, title="Alt")
    form_page = f"/offers/{offer.id}/edit"
    page = staff_client.get(form_page).get_data(as_text=True)
    assert "Alt" in page
    original_version = offer.version
    offer.title = "Von jemand anderem"
    db.session.flush()
    db.session.commit()
    response = post(
        staff_client,
        form_page,
        {
            "title": "Meine Änderung",
            "value_cents": "5000",
            "expected_close_on": offer.expected_close_on.isoformat(),
            "status": "open",
            "owner_id": str(staff.id),
            "version": str(original_version),
            "original": '{"title": "Alt"}',
        },
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Von jemand anderem" in body and "Meine Änderung" in body


def test_staff_cannot_edit_someone_elses_offer(staff_client, manager):
    offer = OfferFactory(owner=manager, created_by_id=manager.id)
    assert staff_client.get(f"/offers/{offer.id}/edit").status_code == 403


def test_list_filters_sort_and_bad_values(staff_client, staff):
    today = local_today()
    OfferFactory(title="Früh", owner=staff, expected_close_on=today + timedelta(days=5))
    OfferFactory(title="Spät", owner=staff, expected_close_on=today + timedelta(days=90), status="sent")
    OfferFactory(title="Gewonnen", status="won", probability=100)
    body = staff_client.get("/offers/?status=active&owner=me&sort=-close").get_data(as_text=True)
    assert body.index("Spät") < body.index("Früh") and "Gewonnen" not in body
    upto = (today + timedelta(days=30)).isoformat()
    body = staff_client.get(f"/offers/?close_to={upto}&status=open").get_data(as_text=True)
    assert "Früh" in body and "Spät" not in body
    for bad in ("status=maybe", "sort=colour", "close_from=gestern", "owner=x", "company=abc", "page=0"):
        assert staff_client.get(f"/offers/?{bad}").status_code == 400, bad


def test_archived_companies_offers_are_excluded(staff_client):
    hidden = OfferFactory(title="Archiviertes Angebot", organisation=OrganisationFactory(is_archived=True))
    OfferFactory(title="Sichtbares Angebot")
    body = staff_client.get("/offers/").get_data(as_text=True)
    assert "Sichtbares Angebot" in body and "Archiviertes Angebot" not in body
    assert staff_client.get(f"/offers/{hidden.id}/edit").status_code == 404


def test_csv_export_is_for_managers_and_formula_safe(staff_client, app):
    OfferFactory(title="=HYPERLINK(1)", value_cents=123456)
    assert staff_client.get("/offers/export.csv").status_code == 403


def test_csv_export(manager_client):
    OfferFactory(title="=HYPERLINK(1)", value_cents=123456)
    OfferFactory(title="Archiviert", organisation=OrganisationFactory(is_archived=True))
    response = manager_client.get("/offers/export.csv")
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "1234,56" in text.replace(".", "")
    assert "Archiviert" not in text


def test_list_query_count_is_constant(staff_client, staff, count_queries):
    for _ in range(3):
        OfferFactory(owner=staff)
    staff_client.get("/offers/")
    count_queries.statements.clear()
    staff_client.get("/offers/")
    few = count_queries.count
    for _ in range(12):
        OfferFactory(owner=staff, organisation=OrganisationFactory(owner=staff))
    count_queries.statements.clear()
    staff_client.get("/offers/")
    assert count_queries.count == few


def test_company_page_query_count_does_not_grow_with_offers(staff_client, staff, count_queries):
    org = OrganisationFactory(owner=staff)
    OfferFactory(organisation=org, owner=staff)
    staff_client.get(f"/organisations/{org.id}")
    count_queries.statements.clear()
    staff_client.get(f"/organisations/{org.id}")
    few = count_queries.count
    for _ in range(8):
        OfferFactory(organisation=org, owner=staff)
    count_queries.statements.clear()
    staff_client.get(f"/organisations/{org.id}")
    assert count_queries.count == few


def test_quick_status_button_marks_won(staff_client, staff):
    org = OrganisationFactory(owner=staff, stage=Stage.OFFER)
    offer = OfferFactory(organisation=org, owner=staff, status="sent")
    response = post(
        staff_client,
        f"/offers/{offer.id}/status",
        {"status": "won", "version": str(offer.version)},
        form_page=f"/organisations/{org.id}",
    )
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.stage == Stage.CUSTOMER


def test_start_page_shows_my_open_offers(staff_client, staff):
    OfferFactory(owner=staff, title="Mein Angebot", value_cents=250000)
    OfferFactory(title="Fremdes Angebot")
    OfferFactory(owner=staff, title="Schon gewonnen", status="won", probability=100)
    body = staff_client.get("/").get_data(as_text=True)
    assert "Meine offenen Angebote" in body and "Mein Angebot" in body
    assert "Fremdes Angebot" not in body and "Schon gewonnen" not in body


def test_company_filter_names_the_company_and_hides_archived_ones(staff_client):
    org = OrganisationFactory(name="Filterfirma GmbH")
    OfferFactory(organisation=org, title="Passt")
    OfferFactory(title="Passt nicht")
    body = staff_client.get(f"/offers/?company={org.id}").get_data(as_text=True)
    assert "Filterfirma GmbH" in body and "Passt" in body and "Passt nicht" not in body
    archived = OrganisationFactory(is_archived=True)
    assert staff_client.get(f"/offers/?company={archived.id}").status_code == 404


def test_quick_lost_button_leads_to_the_form_with_the_reason(staff_client, staff):
    offer = OfferFactory(owner=staff, status="sent")
    response = post(
        staff_client,
        f"/offers/{offer.id}/status",
        {"status": "lost", "version": str(offer.version)},
        form_page="/offers/",
    )
    assert response.status_code == 302 and response.location.endswith(f"/offers/{offer.id}/edit?status=lost")
    form = staff_client.get(f"/offers/{offer.id}/edit?status=lost").get_data(as_text=True)
    assert '<option selected value="lost">' in form
    db.session.refresh(offer)
    assert offer.status == OfferStatus.SENT

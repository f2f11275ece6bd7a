"""The acquisition board: counts and offer values per column, one-action stage change, audit."""

from __future__ import annotations

import sqlalchemy as sa

from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.organisations.models import StageChange
from crm.organisations.vocab import Stage
from tests.conftest import post
from tests.factories import OfferFactory, OrganisationFactory


def _column(body: str, stage: str) -> str:
    start = body.index(f'id="stage-{stage}"')
    end = body.find("</section>", start)
    return body[start:end]


def test_columns_show_counts_and_open_offer_values(staff_client):
    for _ in range(3):
        OrganisationFactory(stage=Stage.LEAD)
    offer_org = OrganisationFactory(stage=Stage.OFFER, name="Angebotsfirma")
    OfferFactory(organisation=offer_org, value_cents=100000, probability=50, status="sent")
    OfferFactory(organisation=offer_org, value_cents=900000, status="won", probability=100)
    OrganisationFactory(stage=Stage.LEAD, is_archived=True, name="Archivfirma")
    body = staff_client.get("/offers/board").get_data(as_text=True)
    assert '<span class="board-count">3</span>' in _column(body, "lead")
    offer_column = _column(body, "offer")
    assert '<span class="board-count">1</span>' in offer_column
    assert "1.000,00" in offer_column and "500,00" in offer_column  # open value and weighted
    assert "9.000,00" not in offer_column  # won offers are not open
    assert "Archivfirma" not in body


def test_column_is_limited_and_links_to_the_full_list(staff_client):
    for _ in range(5):
        OrganisationFactory(stage=Stage.CONTACTED)
    body = staff_client.get("/offers/board?limit=2").get_data(as_text=True)
    column = _column(body, "contacted")
    assert column.count('class="card board-card"') == 2
    assert "/organisations/?stage=contacted" in column
    assert staff_client.get("/offers/board?limit=0").status_code == 400
    assert staff_client.get("/offers/board?owner=nobody").status_code == 400


def test_stage_change_from_the_board_is_audited_and_in_the_timeline(staff_client, staff):
    org = OrganisationFactory(stage=Stage.LEAD, owner=staff)
    response = post(
        staff_client,
        "/offers/board/move",
        {"organisation_id": str(org.id), "stage": "contacted", "version": str(org.version)},
        form_page="/offers/board",
    )
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.stage == Stage.CONTACTED
    change = db.session.scalars(
        sa.select(StageChange).where(
            StageChange.organisation_id == org.id, StageChange.to_stage == Stage.CONTACTED
        )
    ).one()
    assert change.changed_by_id == staff.id and not change.is_automatic
    entry = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == "organisation_stage_changed", AuditEntry.entity_id == org.id
        )
    ).one()
    assert entry.changes == {"stage": ["lead", "contacted"]} and entry.actor_id == staff.id
    timeline = staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "stage-change-entry" in timeline


def test_lost_needs_a_reason_and_stale_cards_are_refused(staff_client, staff):
    org = OrganisationFactory(stage=Stage.OFFER, owner=staff)
    data = {"organisation_id": str(org.id), "stage": "lost", "version": str(org.version)}
    post(staff_client, "/offers/board/move", data, form_page="/offers/board")
    db.session.refresh(org)
    assert org.stage == Stage.OFFER
    data = {"organisation_id": str(org.id), "stage": "customer", "version": str(org.version - 1 or 99)}
    post(staff_client, "/offers/board/move", data, form_page="/offers/board")
    db.session.refresh(org)
    assert org.stage == Stage.OFFER
    data = {
        "organisation_id": str(org.id),
        "stage": "lost",
        "reason": "Insolvenz",
        "version": str(org.version),
    }
    post(staff_client, "/offers/board/move", data, form_page="/offers/board")
    db.session.refresh(org)
    assert org.stage == Stage.LOST and org.stage_reason == "Insolvenz"


def test_staff_cannot_move_someone_elses_company_or_an_archived_one(staff_client, manager):
    org = OrganisationFactory(stage=Stage.LEAD, owner=manager)
    archived = OrganisationFactory(stage=Stage.LEAD, is_archived=True)
    post(
        staff_client,
        "/offers/board/move",
        {"organisation_id": str(org.id), "stage": "contacted"},
        form_page="/offers/board",
    )
    db.session.refresh(org)
    assert org.stage == Stage.LEAD
    response = post(
        staff_client,
        "/offers/board/move",
        {"organisation_id": str(archived.id), "stage": "contacted"},
        form_page="/offers/board",
    )
    assert response.status_code == 404
    assert not db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "organisation_stage_changed")
    )


def test_board_query_count_is_constant(staff_client, staff, count_queries):
    OrganisationFactory(stage=Stage.LEAD)
    staff_client.get("/offers/board")
    count_queries.statements.clear()
    staff_client.get("/offers/board")
    one = count_queries.count
    for stage in (
        Stage.LEAD,
        Stage.CONTACTED,
        Stage.NEEDS_ANALYSIS,
        Stage.OFFER,
        Stage.CUSTOMER,
        Stage.PARTNER,
    ):
        for _ in range(3):
            OfferFactory(organisation=OrganisationFactory(stage=stage, owner=staff))
    count_queries.statements.clear()
    staff_client.get("/offers/board")
    assert count_queries.count == one


def test_board_works_without_javascript(staff_client, staff):
    org = OrganisationFactory(stage=Stage.LEAD, owner=staff)
    body = staff_client.get("/offers/board").get_data(as_text=True)
    card = body[body.index(f'id="card-{org.id}"') :]
    assert 'action="/offers/board/move"' in card[:2000] and 'name="csrf_token"' in card[:2000]
    assert "js/board.js" in body

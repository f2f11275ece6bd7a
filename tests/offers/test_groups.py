"""Company groups: coordinator must be a member, members' stages and offers, joint offers, merges."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm.activities.dates import local_today
from crm.core.errors import ValidationFailed
from crm.extensions import db
from crm.offers import groups, keyaccounts
from crm.offers.models import CompanyGroup, CompanyGroupMember, KeyAccount, Offer
from crm.organisations.merge import merge_organisations
from crm.organisations.vocab import Stage
from tests.conftest import post
from tests.factories import CompanyGroupFactory, OfferFactory, OrganisationFactory


def test_coordinator_must_be_a_member(app, staff):
    member, outsider = OrganisationFactory(), OrganisationFactory()
    group = groups.create_group(
        {"name": "Verbund", "kind": "training_cluster"}, actor=staff, members=[member]
    )
    with pytest.raises(ValidationFailed) as error:
        groups.update_group(
            group,
            {"name": "Verbund", "coordinator_id": outsider.id},
            expected_version=group.version,
            actor=staff,
        )
    assert "coordinator_id" in error.value.errors
    groups.update_group(
        group, {"name": "Verbund", "coordinator_id": member.id}, expected_version=group.version, actor=staff
    )
    groups.remove_member(group, member, actor=staff)
    assert group.coordinator_id is None


def test_create_from_company_page_and_group_page_shows_stages_and_offers(staff_client, staff):
    org = OrganisationFactory(name="Bäckerei Korn", stage=Stage.CUSTOMER)
    response = post(
        staff_client,
        f"/groups/new?company={org.id}",
        {"name": "Verbund Backhandwerk", "kind": "training_cluster", "coordinator_id": str(org.id)},
    )
    assert response.status_code == 302
    group = db.session.scalars(sa.select(CompanyGroup)).one()
    assert group.coordinator_id == org.id
    other = OrganisationFactory(name="Konditorei Zucker", stage=Stage.LEAD)
    post(
        staff_client,
        f"/groups/{group.id}/members",
        {"organisation_id": str(other.id)},
        form_page=f"/groups/{group.id}",
    )
    archived = OrganisationFactory(name="Alte Mühle", is_archived=True)
    db.session.add(CompanyGroupMember(group_id=group.id, organisation_id=archived.id))
    OfferFactory(organisation=other, title="Hygieneschulung", status="sent")
    response = post(
        staff_client,
        f"/offers/new/group/{group.id}",
        {
            "title": "Gemeinsame Azubi-Akademie",
            "value_cents": "12.000",
            "expected_close_on": (local_today() + timedelta(days=60)).isoformat(),
            "status": "open",
        },
    )
    assert response.status_code == 302
    joint = db.session.scalars(sa.select(Offer).where(Offer.group_id == group.id)).one()
    assert joint.organisation_id is None
    body = staff_client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Bäckerei Korn" in body and "Konditorei Zucker" in body and "Alte Mühle" not in body
    assert "stage-customer" in body and "stage-lead" in body
    assert "Gemeinsame Azubi-Akademie" in body and "Hygieneschulung" in body
    company_page = staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Verbund Backhandwerk" in company_page and "Gemeinsame Azubi-Akademie" in company_page
    listing = staff_client.get("/groups/").get_data(as_text=True)
    assert "Verbund Backhandwerk" in listing and "12.000,00" in listing
    offers = staff_client.get("/offers/").get_data(as_text=True)
    assert "Gemeinsame Azubi-Akademie" in offers


def test_group_list_query_count_is_constant(staff_client, count_queries):
    CompanyGroupFactory()
    staff_client.get("/groups/")
    count_queries.statements.clear()
    staff_client.get("/groups/")
    few = count_queries.count
    for _ in range(5):
        group = CompanyGroupFactory()
        db.session.add(CompanyGroupMember(group_id=group.id, organisation_id=OrganisationFactory().id))
        OfferFactory(organisation=None, group=group)
    db.session.flush()
    count_queries.statements.clear()
    staff_client.get("/groups/")
    assert count_queries.count == few


def test_merge_moves_memberships_and_key_account_without_clashes(app, manager):
    survivor, duplicate = OrganisationFactory(), OrganisationFactory()
    shared, only_duplicate = CompanyGroupFactory(), CompanyGroupFactory()
    for group, org in ((shared, survivor), (shared, duplicate), (only_duplicate, duplicate)):
        db.session.add(CompanyGroupMember(group_id=group.id, organisation_id=org.id))
    plan = keyaccounts.PlanInput(2026, None, 100, None, {})
    keyaccounts.save_key_account(duplicate, plan, actor=manager)
    OfferFactory(organisation=duplicate)
    db.session.flush()
    merge_organisations(survivor, duplicate, actor=manager)
    members = db.session.scalars(
        sa.select(CompanyGroupMember.group_id).where(CompanyGroupMember.organisation_id == survivor.id)
    ).all()
    assert sorted(members) == sorted([shared.id, only_duplicate.id])
    assert db.session.get(KeyAccount, survivor.id) is not None
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Offer).where(Offer.organisation_id == survivor.id)
        )
        == 1
    )


def test_pages_render_with_empty_states(staff_client, staff):
    org = OrganisationFactory(owner=staff)
    group = CompanyGroupFactory()
    for path in (
        "/groups/",
        f"/groups/{group.id}",
        f"/groups/{group.id}/edit",
        f"/groups/join/{org.id}",
        f"/offers/new/group/{group.id}",
        "/offers/board",
        "/offers/",
    ):
        assert staff_client.get(path).status_code == 200, path
    assert staff_client.get("/groups/999999").status_code == 404
    assert staff_client.get("/groups/?page=x").status_code == 400

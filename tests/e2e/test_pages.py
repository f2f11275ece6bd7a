"""Every page a person can open, checked with axe (and for sideways scrolling on a phone).

The journeys cover the paths people take; this sweep covers the pages no journey visits yet.
Features add their pages to ``pages()``.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from crm.dooropeners.models import DoorOpener, Event
from crm.memberships.models import Fee, Membership
from crm.memberships.vocab import PaymentMethod
from crm.offers.models import CompanyGroup, KeyAccount, Offer
from crm.organisations.models import ContactPerson, Organisation
from crm.sponsorships.models import Sponsorship
from tests.e2e.helpers import assert_fits_phone, check_a11y

pytestmark = pytest.mark.e2e


def pages(server) -> list[str]:
    """Paths to check: one of each page type, filled with demo data where it has a list."""
    with server.session() as session:
        org_id, contact_id = session.execute(
            sa.select(Organisation.id, ContactPerson.id)
            .join(ContactPerson, ContactPerson.organisation_id == Organisation.id)
            .where(Organisation.is_archived.is_(False))
            .order_by(Organisation.id)
            .limit(1)
        ).one()
        other_id = session.scalar(
            sa.select(Organisation.id).where(Organisation.id != org_id).order_by(Organisation.id).limit(1)
        )
        user_id = server.user(session, "staff").id
        door_opener_id = session.scalar(sa.select(DoorOpener.id).order_by(DoorOpener.id).limit(1))
        event_id = session.scalar(sa.select(Event.id).order_by(Event.id).limit(1))
        year = date.today().year  # the demo data has fees, SEPA mandates and a schedule for it
        member_id, membership_id = session.execute(
            sa.select(Organisation.id, Membership.id)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Organisation.is_archived.is_(False), Membership.payment_method == PaymentMethod.SEPA)
            .order_by(Membership.id)
            .limit(1)
        ).one()
        fee_id = session.scalar(
            sa.select(Fee.id)
            .join(Organisation, Organisation.id == Fee.organisation_id)
            .where(Fee.year == year, Organisation.is_archived.is_(False))
            .order_by(Fee.id)
            .limit(1)
        )
        sponsorship_id = session.scalar(
            sa.select(Sponsorship.id)
            .join(Organisation, Organisation.id == Sponsorship.organisation_id)
            .where(Organisation.is_archived.is_(False))
            .order_by(Sponsorship.id)
            .limit(1)
        )
        offer_id = session.scalar(
            sa.select(Offer.id)
            .join(Organisation, Organisation.id == Offer.organisation_id)
            .where(Organisation.is_archived.is_(False))
            .order_by(Offer.id)
            .limit(1)
        )
        key_account_id = session.scalar(sa.select(KeyAccount.organisation_id).limit(1))
        group_id = session.scalar(sa.select(CompanyGroup.id).order_by(CompanyGroup.id).limit(1))
    return [
        "/",
        "/organisations/",
        "/organisations/?stage=customer&sort=-last_contact",
        "/organisations/new",
        f"/organisations/{org_id}",
        f"/organisations/{org_id}/edit",
        f"/organisations/{org_id}/contacts/new",
        f"/organisations/{org_id}/contacts/{contact_id}/edit",
        f"/organisations/{org_id}/merge",
        f"/organisations/{org_id}/merge?other={other_id}",
        "/account/",
        "/account/password",
        "/admin/users/",
        "/admin/users/new",
        "/admin/audit/",
        f"/admin/users/{user_id}/edit",
        "/door-openers/",
        "/door-openers/new",
        f"/door-openers/{door_opener_id}",
        f"/door-openers/{door_opener_id}/edit",
        f"/door-openers/{door_opener_id}/introduce",
        f"/door-openers/{door_opener_id}/report",
        f"/organisations/{org_id}/introductions/new",
        f"/door-openers/{door_opener_id}/contacts/new",
        f"/door-openers/{door_opener_id}/contacts/",
        "/events/",
        "/events/new",
        f"/events/{event_id}",
        f"/events/{event_id}/edit",
        f"/events/{event_id}/attendees/new?q=a",
        f"/events/{event_id}/attendees/new?organisation_id={org_id}",
        f"/events/{event_id}/attendees/new-company",
        "/memberships/",
        "/memberships/?status=ended&method=sepa",
        f"/organisations/{member_id}",  # with the membership and sponsorship panels
        f"/organisations/{org_id}/memberships/new",
        f"/memberships/{membership_id}/edit",
        f"/memberships/{membership_id}/cancel",
        "/fees/",
        f"/fees/{year}/?status=open&method=sepa",
        f"/fees/{year}/{fee_id}",
        f"/fees/{year}/run",
        "/fees/2099/run",  # no fee schedule: the error state
        f"/fees/{year}/sepa",
        f"/fees/{year}/sepa?scheme=B2B",
        "/sponsorships/",
        f"/sponsorships/?year={year}&kind=sponsoring",
        f"/sponsorships/new/{org_id}",
        f"/sponsorships/{sponsorship_id}/edit",
        "/admin/fee-schedules/",
        "/admin/fee-schedules/new",
        f"/admin/fee-schedules/{year}/edit",
        "/admin/sepa-settings",
        "/privacy/",
        "/privacy/?q=a",
        f"/privacy/contacts/{contact_id}/access",
        f"/privacy/contacts/{contact_id}/erase",
        f"/privacy/door-openers/{door_opener_id}/access",
        f"/privacy/door-openers/{door_opener_id}/erase",
        f"/privacy/organisations/{org_id}/erase",
        "/privacy/retention/",
        "/privacy/retention/?view=holds",
        "/privacy/restricted",
        "/admin/privacy/processing",
        "/offers/",
        "/offers/?status=active&sort=-value",
        f"/offers/new/{org_id}",
        f"/offers/{offer_id}/edit",
        f"/offers/{offer_id}/edit?status=lost",
        "/offers/board",
        "/offers/board?owner=me&limit=3",
        "/key-accounts/",
        f"/key-accounts/{key_account_id}/edit",
        f"/organisations/{key_account_id}",  # with the key-account panel
        "/organisations/?key_account=yes",
        "/groups/",
        "/groups/new",
        f"/groups/{group_id}",
        f"/groups/{group_id}/edit",
        f"/groups/join/{org_id}",
        f"/offers/new/group/{group_id}",
        "/dashboard/",
        "/dashboard/?period=ytd&region=&door_opener_kind=ihk",
        f"/dashboard/?owner={user_id}",
        "/activities/",
        f"/activities/?user={user_id}&kind=visit",
        "/organisations/999999999",  # the error page
    ]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_every_page_is_accessible(server, open_page, phone):
    """No serious or critical axe findings on any page (and no sideways scrolling on a phone)."""
    page = open_page("admin", phone=phone)
    problems = []
    for path in pages(server):
        page.goto(path)
        try:
            check_a11y(page)
            if phone:
                assert_fits_phone(page)
        except AssertionError as error:
            problems.append(str(error))
    assert not problems, "\n\n".join(problems)

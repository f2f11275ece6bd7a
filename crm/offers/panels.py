"""The company page's offers, key-account and group sections, and offers in the company timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from crm.activities.dates import local_today
from crm.activities.registries import TimelineSource
from crm.auth import permissions
from crm.extensions import db
from crm.offers import keyaccounts
from crm.offers.models import CompanyGroup, CompanyGroupMember, DecisionMapEntry, KeyAccount, Offer
from crm.organisations.models import ContactPerson

_IDS = sa.bindparam("ids", expanding=True)
_OFFERS = sa.select(Offer).where(Offer.id.in_(_IDS))


def _load_offers(ids: list[int]) -> Mapping[int, Offer]:
    return {o.id: o for o in db.session.scalars(_OFFERS, {"ids": ids})}


def load_panel(organisation: Any, user: Any) -> dict[str, Any]:
    """The company's offers, its groups and their joint offers: three queries."""
    offers = list(
        db.session.scalars(
            sa.select(Offer)
            .where(Offer.organisation_id == organisation.id)
            .options(joinedload(Offer.owner))
            .order_by(Offer.expected_close_on.desc(), Offer.id.desc())
        )
    )
    groups = list(
        db.session.scalars(
            sa.select(CompanyGroup)
            .join(CompanyGroupMember, CompanyGroupMember.group_id == CompanyGroup.id)
            .where(CompanyGroupMember.organisation_id == organisation.id)
            .order_by(CompanyGroup.name, CompanyGroup.id)
        )
    )
    group_offers = []
    if groups:
        group_offers = db.session.execute(
            sa.select(Offer, CompanyGroup.name)
            .join(CompanyGroup, CompanyGroup.id == Offer.group_id)
            .where(Offer.group_id.in_([g.id for g in groups]))
            .order_by(Offer.expected_close_on.desc(), Offer.id.desc())
        ).all()
    return {
        "offers": offers,
        "groups": groups,
        "group_offers": group_offers,
        "can_add": permissions.can_manage_offers(user, organisation),
    }


def load_key_account_panel(organisation: Any, user: Any) -> dict[str, Any] | None:
    """The key-account mark with this year's plan and the decision map (hidden for staff if unmarked)."""
    account = db.session.get(KeyAccount, organisation.id)
    can_mark = permissions.can_mark_key_account(user)
    if account is None and not can_mark:
        return None
    year = local_today().year
    plan = roles = None
    if account is not None:
        plan = keyaccounts.plan_for(organisation.id, year)
        roles = db.session.execute(
            sa.select(DecisionMapEntry, ContactPerson)
            .join(ContactPerson, ContactPerson.id == DecisionMapEntry.contact_person_id)
            .where(DecisionMapEntry.organisation_id == organisation.id, ContactPerson.is_archived.is_(False))
            .order_by(DecisionMapEntry.role, ContactPerson.last_name, ContactPerson.id)
        ).all()
    return {"account": account, "plan": plan, "roles": roles, "year": year, "can_mark": can_mark}


OFFERS = TimelineSource(
    key="offer",
    kinds={"offer": _l("Angebote")},
    kind=None,
    at=Offer.created_at,
    id=Offer.id,
    organisation_id=Offer.organisation_id,
    load=_load_offers,
    template="offers/_tl_offer.html",
)

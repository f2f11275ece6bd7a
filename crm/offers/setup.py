"""Plugs offers, key accounts and company groups into the company page, list, timeline and merge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from crm.activities import timeline
from crm.activities.dates import local_today
from crm.auth import permissions
from crm.core.i18n import resolved
from crm.extensions import db
from crm.offers import keyaccounts
from crm.offers.models import CompanyGroup, CompanyGroupMember, DecisionMapEntry, KeyAccount, Offer
from crm.offers.vocab import (
    DECISION_ROLE_LABELS,
    GROUP_KIND_LABELS,
    LOST_REASON_LABELS,
    STATUS_LABELS,
)
from crm.organisations import templating
from crm.organisations.models import ContactPerson
from crm.organisations.panels import Panel, register_panel
from crm.organisations.vocab import label

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


def register_sources() -> None:
    timeline.register_source(
        timeline.TimelineSource(
            key="offer",
            kinds={"offer": _l("Angebote")},
            kind=None,
            at=Offer.created_at,
            id=Offer.id,
            organisation_id=Offer.organisation_id,
            load=_load_offers,
            template="offers/_tl_offer.html",
            order=50,
        )
    )


def init_app(app: Flask) -> None:
    """Register panels, timeline source, list filter, merge handling and template helpers."""
    from crm.core import views as core_views
    from crm.offers import merging, queries

    register_sources()
    register_panel(Panel("key_account", 25, "offers/_key_account_panel.html", load_key_account_panel))
    register_panel(Panel("offers", 30, "offers/panel.html", load_panel))
    keyaccounts.init()
    if not any(t == "offers/_home.html" for t, _load in core_views.HOME_SECTIONS):
        core_views.HOME_SECTIONS.append(("offers/_home.html", queries.home_context))
    merging.init()
    templating.MERGE_TABLE_LABELS.update(
        {
            "offers": _l("Angebote"),
            "company_group_members": _l("Mitgliedschaften in Firmenverbünden"),
            "company_groups": _l("Koordination von Firmenverbünden"),
            "key_accounts": _l("Key-Account-Kennzeichen"),
            "account_plans": _l("Account-Pläne"),
            "decision_map_entries": _l("Entscheiderlandkarte"),
        }
    )
    app.jinja_env.globals.update(
        offer_status_label=lambda v: label(STATUS_LABELS, v),
        offer_status_labels=lambda: resolved(STATUS_LABELS),
        lost_reason_label=lambda v: label(LOST_REASON_LABELS, v),
        group_kind_label=lambda v: label(GROUP_KIND_LABELS, v),
        group_kind_labels=lambda: resolved(GROUP_KIND_LABELS),
        decision_role_label=lambda v: label(DECISION_ROLE_LABELS, v),
        decision_role_labels=lambda: resolved(DECISION_ROLE_LABELS),
    )

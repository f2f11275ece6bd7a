"""Key accounts (Großkundenmanagement): the mark, the yearly account plan, the decision-maker map,
the agreed review (a follow-up for the company's owner) and plan vs actual for a year.

``plan_vs_actual(year, user)`` is the figure the dashboard reuses: plan = the year's revenue
potential, actual = won offer value (closed in the year) + membership fees paid in the year, both
from aggregate SQL over the companies ``user`` may see (archived companies excluded).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.activities.followups import FollowUpRequest, create_follow_up, due_date_problem
from crm.activities.models import FollowUp
from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.db import utcnow
from crm.core.errors import Conflict, PermissionDenied, ValidationFailed
from crm.core.params import choice_arg
from crm.extensions import db
from crm.memberships.models import Fee
from crm.memberships.vocab import FeeStatus
from crm.offers.models import AccountPlan, DecisionMapEntry, KeyAccount, Offer
from crm.offers.vocab import DecisionRole, OfferStatus
from crm.organisations.models import ContactPerson, Organisation
from crm.organisations.registries import ExtraFilter
from crm.organisations.visibility import organisation_visibility

MAX_POTENTIAL_CENTS = 100_000_000_00


def is_key_account(organisation_id: int) -> bool:
    """Whether the company is marked as key account."""
    return db.session.get(KeyAccount, organisation_id) is not None


def plan_for(organisation_id: int, year: int) -> AccountPlan | None:
    """The account plan of a company for a year, if any."""
    return db.session.scalar(
        sa.select(AccountPlan).where(AccountPlan.organisation_id == organisation_id, AccountPlan.year == year)
    )


def _review_text(org: Organisation) -> str:
    return _("Key-Account-Review mit %(name)s: Account-Plan besprechen", name=org.name)[:300]


def _schedule_review(org: Organisation, account: KeyAccount, due_on: date | None, *, actor: User) -> None:
    """Create or move the review follow-up of the company's owner (or the manager if it has none)."""
    current = db.session.get(FollowUp, account.follow_up_id) if account.follow_up_id else None
    if current is not None and current.is_done:
        current = None
    if due_on is None:
        return
    assignee_id = org.owner_id or actor.id
    if current is None:
        follow_up = create_follow_up(
            org, FollowUpRequest(what=_review_text(org), due_on=due_on, assignee_id=assignee_id), actor=actor
        )
        account.follow_up_id = follow_up.id
        return
    before = {"due_on": current.due_on, "assignee_id": current.assignee_id}
    current.due_on, current.assignee_id = due_on, assignee_id
    changes = diff(before, {"due_on": current.due_on, "assignee_id": current.assignee_id})
    if changes:
        record("follow_up_updated", entity=current, actor=actor, changes=changes)


@dataclass
class PlanInput:
    year: int
    goals: str | None
    revenue_potential_cents: int
    next_review_on: date | None
    roles: Mapping[int, tuple[str | None, str | None]]  # contact id -> (role or None, note)


def save_key_account(
    org: Organisation, data: PlanInput, *, actor: User, expected_version: int | None = None
) -> KeyAccount:
    """Mark ``org`` as key account (or update it): plan for the year, decision map, review follow-up."""
    if not permissions.can_mark_key_account(actor):
        raise PermissionDenied(_("Nur die Leitung kann Key Accounts festlegen."))
    if org.is_archived:
        raise ValidationFailed(_("Archivierte Unternehmen können kein Key Account sein."))
    errors: dict[str, list[str]] = {}
    if not 2000 <= data.year <= 2100:
        errors["year"] = [_("Bitte ein Jahr zwischen 2000 und 2100 angeben.")]
    if not 0 <= data.revenue_potential_cents <= MAX_POTENTIAL_CENTS:
        errors["revenue_potential_cents"] = [_("Der Wert liegt außerhalb des zulässigen Bereichs.")]
    account = db.session.get(KeyAccount, org.id)
    if data.next_review_on is not None and (account is None or account.next_review_on != data.next_review_on):
        problem = due_date_problem(data.next_review_on)
        if problem:
            errors["next_review_on"] = [problem]
    contact_ids = set(
        db.session.scalars(
            sa.select(ContactPerson.id).where(
                ContactPerson.organisation_id == org.id, ContactPerson.is_archived.is_(False)
            )
        )
    )
    if set(data.roles) - contact_ids:
        errors["decision_map"] = [_("Die Entscheiderlandkarte enthält fremde Ansprechpartner/innen.")]
    for role, _note in data.roles.values():
        if role and role not in {r.value for r in DecisionRole}:
            errors["decision_map"] = [_("Unbekannte Rolle in der Entscheiderlandkarte.")]
    if errors:
        raise ValidationFailed(errors)
    if account is not None and expected_version is not None and account.version != expected_version:
        raise Conflict(_("Der Account-Plan wurde inzwischen von jemand anderem geändert."))

    created = account is None
    if account is None:
        account = KeyAccount(organisation_id=org.id, marked_by_id=actor.id)
        db.session.add(account)
    before_review = account.next_review_on
    account.next_review_on = data.next_review_on
    plan = plan_for(org.id, data.year)
    before_plan = (
        {"goals": plan.goals, "revenue_potential_cents": plan.revenue_potential_cents} if plan else {}
    )
    if plan is None:
        plan = AccountPlan(organisation_id=org.id, year=data.year)
        db.session.add(plan)
    plan.goals, plan.revenue_potential_cents = data.goals, data.revenue_potential_cents
    _save_roles(org, data.roles)
    # The plans and the map carry no version of their own: every save moves the account's on,
    # so that a form opened before this save gets the conflict page instead of overwriting it.
    account.updated_at = utcnow()
    db.session.flush()
    _schedule_review(org, account, data.next_review_on, actor=actor)
    changes = diff(
        {**before_plan, "next_review_on": before_review},
        {
            "goals": plan.goals,
            "revenue_potential_cents": plan.revenue_potential_cents,
            "next_review_on": account.next_review_on,
        },
    )
    record(
        "key_account_marked" if created else "key_account_updated",
        entity=org,
        actor=actor,
        changes=changes,
        details={"year": data.year},
    )
    db.session.flush()
    return account


def _save_roles(org: Organisation, roles: Mapping[int, tuple[str | None, str | None]]) -> None:
    existing = {
        e.contact_person_id: e
        for e in db.session.scalars(
            sa.select(DecisionMapEntry).where(DecisionMapEntry.organisation_id == org.id)
        )
    }
    for contact_id, (role, note) in roles.items():
        entry = existing.get(contact_id)
        if not role:
            if entry is not None:
                db.session.delete(entry)
            continue
        if entry is None:
            entry = DecisionMapEntry(contact_person_id=contact_id, organisation_id=org.id)
            db.session.add(entry)
        entry.role, entry.note = DecisionRole(role), (note or "").strip()[:300] or None


def remove_key_account(org: Organisation, *, actor: User) -> None:
    """Take the key-account mark away; plans stay for the record, the open review follow-up goes."""
    if not permissions.can_mark_key_account(actor):
        raise PermissionDenied(_("Nur die Leitung kann Key Accounts festlegen."))
    account = db.session.get(KeyAccount, org.id)
    if account is None:
        return
    if account.follow_up_id:
        follow_up = db.session.get(FollowUp, account.follow_up_id)
        if follow_up is not None and not follow_up.is_done:
            db.session.delete(follow_up)
    db.session.delete(account)
    record("key_account_removed", entity=org, actor=actor)
    db.session.flush()


def decision_map(org_id: int) -> dict[int, DecisionMapEntry]:
    """The decision-maker map of a company, by contact person id."""
    return {
        e.contact_person_id: e
        for e in db.session.scalars(
            sa.select(DecisionMapEntry).where(DecisionMapEntry.organisation_id == org_id)
        )
    }


# --- plan vs actual -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanActual:
    organisation_id: int
    name: str
    owner_name: str | None
    next_review_on: date | None
    plan_cents: int
    won_cents: int
    fees_cents: int

    @property
    def actual_cents(self) -> int:
        return self.won_cents + self.fees_cents

    @property
    def share(self) -> int | None:
        """Actual as a percentage of plan (None without a plan)."""
        return round(100 * self.actual_cents / self.plan_cents) if self.plan_cents else None


def plan_vs_actual(year: int, user: Any, *, owner_id: int | None = None) -> list[PlanActual]:
    """Per key account visible to ``user``: the year's plan, won offers and fees paid (3 aggregates)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    plans = (
        sa.select(AccountPlan.organisation_id, AccountPlan.revenue_potential_cents.label("plan"))
        .where(AccountPlan.year == year)
        .subquery()
    )
    won = (
        sa.select(Offer.organisation_id, sa.func.sum(Offer.value_cents).label("won"))
        .where(Offer.status == OfferStatus.WON, Offer.closed_on.between(start, end))
        .where(Offer.organisation_id.in_(sa.select(KeyAccount.organisation_id)))
        .group_by(Offer.organisation_id)
        .subquery()
    )
    fees = (
        sa.select(Fee.organisation_id, sa.func.sum(Fee.amount_cents).label("fees"))
        .where(Fee.status == FeeStatus.PAID, Fee.paid_on.between(start, end))
        .where(Fee.organisation_id.in_(sa.select(KeyAccount.organisation_id)))
        .group_by(Fee.organisation_id)
        .subquery()
    )
    stmt = (
        sa.select(
            Organisation.id,
            Organisation.name,
            User.name,
            KeyAccount.next_review_on,
            sa.func.coalesce(plans.c.plan, 0),
            sa.func.coalesce(won.c.won, 0),
            sa.func.coalesce(fees.c.fees, 0),
        )
        .select_from(KeyAccount)
        .join(Organisation, Organisation.id == KeyAccount.organisation_id)
        .outerjoin(User, User.id == Organisation.owner_id)
        .outerjoin(plans, plans.c.organisation_id == Organisation.id)
        .outerjoin(won, won.c.organisation_id == Organisation.id)
        .outerjoin(fees, fees.c.organisation_id == Organisation.id)
        .where(organisation_visibility(user))
        .order_by(Organisation.name_sort, Organisation.id)
    )
    if owner_id is not None:
        stmt = stmt.where(Organisation.owner_id == owner_id)
    return [
        PlanActual(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), int(r[6])) for r in db.session.execute(stmt)
    ]


def totals(rows: Sequence[PlanActual]) -> dict[str, int]:
    """Sums of plan, won offers, fees and actual over ``rows``."""
    return {
        "plan_cents": sum(r.plan_cents for r in rows),
        "won_cents": sum(r.won_cents for r in rows),
        "fees_cents": sum(r.fees_cents for r in rows),
        "actual_cents": sum(r.actual_cents for r in rows),
    }


# --- company-list filter --------------------------------------------------------------------


def _parse_filter() -> str | None:
    return choice_arg("key_account", ("yes", "no"))


def _apply_filter(stmt: sa.Select[Any], value: str) -> sa.Select[Any]:
    exists = sa.exists().where(KeyAccount.organisation_id == Organisation.id)
    return stmt.where(exists if value == "yes" else ~exists)


FILTER = ExtraFilter("key_account", _parse_filter, _apply_filter)

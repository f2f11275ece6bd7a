"""Company groups (Firmenverbund): a training cluster of small firms or the branches of one firm.

The coordinator must be a member; a member that leaves stops being coordinator. Services flush
and audit; views commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import Conflict, PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.offers.models import CompanyGroup, CompanyGroupMember, Offer
from crm.offers.vocab import OPEN_STATUSES, GroupKind
from crm.organisations.models import Organisation
from crm.organisations.visibility import organisation_visibility

FIELDS = ("name", "kind", "coordinator_id", "notes")
MAX_MEMBERS = 500


def snapshot(group: CompanyGroup) -> dict[str, Any]:
    """The editable state of a group (for diffs)."""
    return {name: getattr(group, name) for name in FIELDS}


def member_ids(group_id: int) -> set[int]:
    """Ids of all member companies (archived ones included)."""
    return set(
        db.session.scalars(
            sa.select(CompanyGroupMember.organisation_id).where(CompanyGroupMember.group_id == group_id)
        )
    )


def _require(actor: User) -> None:
    if not permissions.can_manage_groups(actor):
        raise PermissionDenied(_("Sie dürfen keine Firmenverbünde bearbeiten."))


def _clean(data: Mapping[str, Any], members: set[int]) -> dict[str, Any]:
    values = {name: data.get(name) for name in FIELDS}
    values["name"] = (values["name"] or "").strip()[:200]
    values["notes"] = (values["notes"] or "").strip() or None
    values["kind"] = GroupKind(values["kind"] or GroupKind.TRAINING_CLUSTER)
    coordinator = values["coordinator_id"]
    values["coordinator_id"] = int(coordinator) if coordinator not in (None, "") else None
    errors: dict[str, list[str]] = {}
    if not values["name"]:
        errors["name"] = [_("Bitte einen Namen angeben.")]
    if values["coordinator_id"] is not None and values["coordinator_id"] not in members:
        errors["coordinator_id"] = [_("Das koordinierende Unternehmen muss Mitglied des Verbunds sein.")]
    if errors:
        raise ValidationFailed(errors)
    return values


def create_group(
    data: Mapping[str, Any], *, actor: User, members: Sequence[Organisation] = ()
) -> CompanyGroup:
    """A new group, optionally with its first members (e.g. the company it was started from)."""
    _require(actor)
    values = _clean(data, {m.id for m in members})
    group = CompanyGroup(**values)
    db.session.add(group)
    db.session.flush()
    for org in members:
        _add(group, org)
    record("company_group_created", entity=group, actor=actor, changes=diff({}, snapshot(group)))
    db.session.flush()
    return group


def update_group(
    group: CompanyGroup, data: Mapping[str, Any], *, expected_version: int, actor: User
) -> dict[str, list[Any]]:
    """Rename, change kind, coordinator (a member) or notes of a group loaded at ``expected_version``."""
    _require(actor)
    if group.version != expected_version:
        raise Conflict(_("Der Verbund wurde inzwischen von jemand anderem geändert."))
    before = snapshot(group)
    values = _clean(data, member_ids(group.id))
    for name, value in values.items():
        setattr(group, name, value)
    changes = diff(before, snapshot(group))
    if changes:
        record("company_group_updated", entity=group, actor=actor, changes=changes)
    db.session.flush()
    return changes


def _add(group: CompanyGroup, org: Organisation) -> bool:
    if db.session.get(CompanyGroupMember, (group.id, org.id)) is not None:
        return False
    db.session.add(CompanyGroupMember(group_id=group.id, organisation_id=org.id))
    return True


def add_member(group: CompanyGroup, org: Organisation, *, actor: User) -> bool:
    """Add a company to the group (no-op when it is a member already)."""
    _require(actor)
    if org.is_archived:
        raise ValidationFailed(
            {"organisation_id": [_("Archivierte Unternehmen können nicht Mitglied werden.")]}
        )
    if len(member_ids(group.id)) >= MAX_MEMBERS:
        raise ValidationFailed({"organisation_id": [_("Der Verbund hat die Höchstzahl an Mitgliedern.")]})
    added = _add(group, org)
    if added:
        record("company_group_member_added", entity=group, actor=actor, details={"organisation_id": org.id})
        db.session.flush()
    return added


def remove_member(group: CompanyGroup, org: Organisation, *, actor: User) -> None:
    """Take a company out of the group; a leaving coordinator leaves the group without one."""
    _require(actor)
    member = db.session.get(CompanyGroupMember, (group.id, org.id))
    if member is None:
        return
    db.session.delete(member)
    if group.coordinator_id == org.id:
        group.coordinator_id = None
    record("company_group_member_removed", entity=group, actor=actor, details={"organisation_id": org.id})
    db.session.flush()


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    id: int
    name: str
    kind: GroupKind
    coordinator_name: str | None
    members: int
    open_offer_cents: int


def list_statement(user: Any) -> sa.Select[Any]:
    """Groups with visible member count and open joint-offer value (aggregates, no per-row queries)."""
    coordinator = sa.orm.aliased(Organisation)
    members = (
        sa.select(CompanyGroupMember.group_id, sa.func.count().label("n"))
        .join(Organisation, Organisation.id == CompanyGroupMember.organisation_id)
        .where(organisation_visibility(user))
        .group_by(CompanyGroupMember.group_id)
        .subquery()
    )
    offers = (
        sa.select(Offer.group_id, sa.func.sum(Offer.value_cents).label("value"))
        .where(Offer.group_id.is_not(None), Offer.status.in_(OPEN_STATUSES))
        .group_by(Offer.group_id)
        .subquery()
    )
    return (
        sa.select(
            CompanyGroup.id,
            CompanyGroup.name,
            CompanyGroup.kind,
            sa.case((organisation_visibility(user, entity=coordinator), coordinator.name), else_=None).label(
                "coordinator_name"
            ),
            sa.func.coalesce(members.c.n, 0).label("members"),
            sa.func.coalesce(offers.c.value, 0).label("open_offer_cents"),
        )
        .outerjoin(coordinator, coordinator.id == CompanyGroup.coordinator_id)
        .outerjoin(members, members.c.group_id == CompanyGroup.id)
        .outerjoin(offers, offers.c.group_id == CompanyGroup.id)
        .order_by(CompanyGroup.name, CompanyGroup.id)
    )


def visible_members(group_id: int, user: Any) -> list[Organisation]:
    """The group's member companies that ``user`` may see, with their stages (one query)."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(CompanyGroupMember, CompanyGroupMember.organisation_id == Organisation.id)
            .where(CompanyGroupMember.group_id == group_id, organisation_visibility(user))
            .order_by(Organisation.name_sort, Organisation.id)
        )
    )


def group_offers(group_id: int) -> list[Offer]:
    """The joint offers of a group, newest close date first (one query)."""
    return list(
        db.session.scalars(
            sa.select(Offer)
            .where(Offer.group_id == group_id)
            .options(sa.orm.joinedload(Offer.owner))
            .order_by(Offer.expected_close_on.desc(), Offer.id.desc())
        )
    )


def member_offers(group_id: int, user: Any) -> list[Any]:
    """The members' own offers (open and sent), for the group page: one query."""
    return db.session.execute(
        sa.select(Offer, Organisation.name)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .join(CompanyGroupMember, CompanyGroupMember.organisation_id == Organisation.id)
        .where(
            CompanyGroupMember.group_id == group_id,
            organisation_visibility(user),
            Offer.status.in_(OPEN_STATUSES),
        )
        .order_by(Offer.expected_close_on, Offer.id)
        .limit(100)
    ).all()

"""Door-opener workflows: records, introductions, merging. Services flush and audit; views commit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.db import utcnow
from crm.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from crm.dooropeners import results
from crm.dooropeners.models import DoorOpener, DoorOpenerContact, Introduction, event_hosts
from crm.dooropeners.vocab import Channel, DoorOpenerKind
from crm.extensions import db
from crm.organisations.dataprotection import (
    DATA_PROTECTION_FIELDS,
    ENUMS,
    FLAGS,
    apply_marketing_block,
    data_protection_errors,
)
from crm.organisations.models import Organisation
from crm.organisations.services import create_organisation
from crm.organisations.vocab import Salutation
from crm.privacy.suppression import block_if_listed, suppress

FIELDS = (
    "kind",
    "institution",
    "salutation",
    "title",
    "first_name",
    "last_name",
    "role",
    "email",
    "phone",
    "mobile",
    "region",
    "cooperation_agreed_on",
    "cooperation_notes",
    "notes",
    *DATA_PROTECTION_FIELDS,
)
MANAGER_FIELDS = ("owner_id",)
_ENUMS = {**ENUMS, "kind": DoorOpenerKind, "salutation": Salutation}


def snapshot(door_opener: DoorOpener) -> dict[str, Any]:
    return {name: getattr(door_opener, name) for name in (*FIELDS, *MANAGER_FIELDS)}


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in (*FIELDS, *MANAGER_FIELDS):
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, str):
            value = value.strip() or None
        if key in _ENUMS and value is not None:
            value = _ENUMS[key](value)
        if key in FLAGS:
            value = bool(value)
        if key == "email" and value:
            value = value.lower()
        values[key] = value
    return values


def _validate(values: Mapping[str, Any]) -> None:
    errors = data_protection_errors(values)
    if not values.get("institution"):
        errors["institution"] = [_("Bitte die Institution angeben (z. B. „IHK Hannover“).")]
    if not values.get("kind"):
        errors["kind"] = [_("Bitte die Art des Türöffners wählen.")]
    agreed = values.get("cooperation_agreed_on")
    if agreed and agreed > date.today():
        errors["cooperation_agreed_on"] = [_("Das Datum liegt in der Zukunft.")]
    if errors:
        raise ValidationFailed(errors)


def create_door_opener(data: Mapping[str, Any], *, actor: User) -> DoorOpener:
    """Record a door-opener; staff become its relationship owner."""
    values = _clean(data)
    if not permissions.is_manager(actor) or values.get("owner_id") is None:
        values["owner_id"] = actor.id
    block_if_listed(values)
    apply_marketing_block(values)
    _validate(values)
    door_opener = DoorOpener(**values)
    db.session.add(door_opener)
    db.session.flush()
    if door_opener.marketing_blocked and door_opener.email:
        suppress(door_opener.email, "Werbesperre bei Türöffner")
    record(
        "door_opener_created",
        entity=door_opener,
        actor=actor,
        details={"institution": door_opener.institution},
    )
    return door_opener


def update_door_opener(
    door_opener: DoorOpener, data: Mapping[str, Any], *, expected_version: int, actor: User
) -> dict[str, list[Any]]:
    """Edit a door-opener made on version ``expected_version`` (409 on a newer one)."""
    if not permissions.can_edit_door_opener(actor, door_opener):
        raise PermissionDenied(_("Sie dürfen diesen Türöffner nicht bearbeiten."))
    before = snapshot(door_opener)
    values = _clean(data)
    if door_opener.version != expected_version:
        raise Conflict(_("Der Türöffner wurde inzwischen geändert."), current=before, submitted=values)
    if (
        "owner_id" in values
        and values["owner_id"] != before["owner_id"]
        and not permissions.is_manager(actor)
    ):
        raise PermissionDenied(_("Nur die Leitung kann Betreuer/innen zuweisen."))
    apply_marketing_block(values, before)
    _validate({**before, **values})
    for key, value in values.items():
        setattr(door_opener, key, value)
    if door_opener.marketing_blocked and door_opener.email:
        suppress(door_opener.email, "Werbesperre bei Türöffner")
    changes = diff(before, snapshot(door_opener))
    if changes:
        record("door_opener_updated", entity=door_opener, actor=actor, changes=changes)
    db.session.flush()
    return changes


def archive_door_opener(door_opener: DoorOpener, *, actor: User) -> None:
    """Door-openers are never deleted: their introductions must keep their source."""
    if not permissions.is_manager(actor):
        raise PermissionDenied(_("Nur die Leitung kann Türöffner archivieren."))
    door_opener.is_archived, door_opener.archived_at = True, utcnow()
    record("door_opener_archived", entity=door_opener, actor=actor)


def restore_door_opener(door_opener: DoorOpener, *, actor: User) -> None:
    if not permissions.is_manager(actor) or door_opener.merged_into_id is not None:
        raise PermissionDenied(_("Dieser Türöffner kann nicht wiederhergestellt werden."))
    door_opener.is_archived, door_opener.archived_at = False, None
    record("door_opener_restored", entity=door_opener, actor=actor)


def _check_introduction(org: Organisation, door_opener: DoorOpener, introduced_on: date | None) -> None:
    errors: dict[str, list[str]] = {}
    if org.is_archived:
        raise DomainError(_("Für archivierte Unternehmen können keine Vermittlungen erfasst werden."))
    if door_opener.is_archived:
        errors["door_opener_id"] = [_("Dieser Türöffner ist archiviert.")]
    if introduced_on is None:
        errors["introduced_on"] = [_("Bitte das Datum der Vermittlung angeben.")]
    elif introduced_on > date.today():
        errors["introduced_on"] = [_("Eine Vermittlung kann nicht in der Zukunft liegen.")]
    elif org.founded_on and introduced_on < org.founded_on:
        errors["introduced_on"] = [
            _("Das Unternehmen wurde erst am %(date)s gegründet.", date=org.founded_on.strftime("%d.%m.%Y"))
        ]
    if errors:
        raise ValidationFailed(errors)


def add_introduction(
    org: Organisation,
    door_opener: DoorOpener,
    *,
    introduced_on: date | None,
    channel: Channel | str,
    notes: str | None = None,
    may_be_named: bool = False,
    actor: User,
) -> Introduction:
    """Record that ``door_opener`` introduced ``org``."""
    _check_introduction(org, door_opener, introduced_on)
    introduction = Introduction(
        organisation_id=org.id,
        door_opener_id=door_opener.id,
        introduced_on=introduced_on,
        channel=Channel(channel),
        notes=(notes or "").strip() or None,
        may_be_named=bool(may_be_named),
        created_by_id=actor.id,
    )
    db.session.add(introduction)
    db.session.flush()
    results.refresh([door_opener.id])
    record(
        "introduction_created",
        entity=introduction,
        actor=actor,
        details={"organisation_id": org.id, "door_opener_id": door_opener.id},
    )
    return introduction


def introduce_new_company(
    door_opener: DoorOpener,
    company: Mapping[str, Any],
    *,
    introduced_on: date | None,
    channel: Channel | str,
    notes: str | None,
    may_be_named: bool,
    actor: User,
    confirmed_duplicates: bool = False,
) -> tuple[Organisation, Introduction]:
    """Create a company and its introduction in one step (with the duplicate check)."""
    if door_opener.is_archived:
        raise ValidationFailed({"door_opener_id": [_("Dieser Türöffner ist archiviert.")]})
    if introduced_on is None or introduced_on > date.today():
        raise ValidationFailed({"introduced_on": [_("Bitte ein Datum bis heute angeben.")]})
    org = create_organisation(company, actor=actor, confirmed_duplicates=confirmed_duplicates)
    introduction = add_introduction(
        org,
        door_opener,
        introduced_on=introduced_on,
        channel=channel,
        notes=notes,
        may_be_named=may_be_named,
        actor=actor,
    )
    return org, introduction


def remove_introduction(introduction: Introduction, *, actor: User) -> None:
    """Delete a wrongly recorded introduction (managers)."""
    if not permissions.is_manager(actor):
        raise PermissionDenied(_("Nur die Leitung kann Vermittlungen löschen."))
    record(
        "introduction_deleted",
        entity=introduction,
        actor=actor,
        details={
            "organisation_id": introduction.organisation_id,
            "door_opener_id": introduction.door_opener_id,
        },
    )
    db.session.delete(introduction)
    db.session.flush()
    results.refresh([introduction.door_opener_id])


def source_of(org_id: int) -> Introduction | None:
    """The company's first introduction: who brought it in."""
    return db.session.scalar(
        sa.select(Introduction)
        .where(Introduction.organisation_id == org_id)
        .order_by(Introduction.introduced_on, Introduction.id)
        .limit(1)
    )


def merge_door_openers(survivor: DoorOpener, duplicate: DoorOpener, *, actor: User) -> dict[str, int]:
    """Move every introduction, event host role and contact of ``duplicate`` to ``survivor``."""
    if not permissions.is_manager(actor):
        raise PermissionDenied(_("Nur die Leitung kann Türöffner zusammenführen."))
    if survivor.id == duplicate.id or survivor.is_archived or duplicate.is_archived:
        raise DomainError(_("Bitte zwei verschiedene, aktive Türöffner wählen."))
    moved = {}
    moved["introductions"] = db.session.execute(
        sa.update(Introduction)
        .where(Introduction.door_opener_id == duplicate.id)
        .values(door_opener_id=survivor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    hosted = set(
        db.session.scalars(
            sa.select(event_hosts.c.event_id).where(event_hosts.c.door_opener_id == survivor.id)
        )
    )
    moved["events"] = db.session.execute(
        sa.update(event_hosts)
        .where(event_hosts.c.door_opener_id == duplicate.id, event_hosts.c.event_id.not_in(hosted or {0}))
        .values(door_opener_id=survivor.id)
    ).rowcount
    db.session.execute(sa.delete(event_hosts).where(event_hosts.c.door_opener_id == duplicate.id))
    moved["contacts"] = db.session.execute(
        sa.update(DoorOpenerContact)
        .where(DoorOpenerContact.door_opener_id == duplicate.id)
        .values(door_opener_id=survivor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    for name in FIELDS:
        if getattr(survivor, name) in (None, "") and getattr(duplicate, name) not in (None, ""):
            setattr(survivor, name, getattr(duplicate, name))
    duplicate.is_archived, duplicate.archived_at, duplicate.merged_into_id = True, utcnow(), survivor.id
    db.session.flush()
    results.refresh([survivor.id, duplicate.id])
    db.session.expire_all()
    record(
        "door_opener_merged",
        entity=survivor,
        actor=actor,
        details={"merged_id": duplicate.id, "moved": moved},
    )
    return moved

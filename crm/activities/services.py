"""Logging, editing and deleting contacts; keeps the company's last-contact date and stage in step.

Services validate everything before they write (nothing is half-saved), flush and audit — the
caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from crm.activities import dates, summary
from crm.activities.followups import FollowUpRequest, complete_follow_up, create_follow_up
from crm.activities.models import Activity, FollowUp
from crm.activities.vocab import ActivityKind
from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import Conflict, PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.organisations.models import ContactPerson, Organisation
from crm.organisations.services import advance_stage
from crm.organisations.signals import send_results_changed
from crm.organisations.vocab import Stage

FIELDS = (
    "kind",
    "occurred_at",
    "subject",
    "notes",
    "outcome",
    "next_step",
    "report_participants",
    "report_topics",
    "report_impressions",
)
REPORT_FIELDS = ("report_participants", "report_topics", "report_impressions")
MAX_YEARS_BACK = 10


def snapshot(activity: Activity) -> dict[str, Any]:
    """The editable state of ``activity`` (for diffs, the audit log and the conflict page)."""
    state = {name: getattr(activity, name) for name in FIELDS}
    state["contact_person_ids"] = sorted(p.id for p in activity.participants)
    return state


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in FIELDS:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, str):
            value = value.strip() or None
        values[key] = value
    if values.get("kind") is not None:
        values["kind"] = ActivityKind(values["kind"])
    if isinstance(values.get("occurred_at"), datetime):
        values["occurred_at"] = dates.from_local(values["occurred_at"])
    if values.get("kind") not in (None, ActivityKind.VISIT):
        for key in REPORT_FIELDS:  # only a visit carries a visit report
            values[key] = None
    return values


def validate_values(values: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    if not values.get("kind"):
        errors["kind"] = [_("Bitte die Art des Kontakts wählen.")]
    if not values.get("subject"):
        errors["subject"] = [_("Bitte einen Betreff angeben.")]
    occurred = values.get("occurred_at")
    if occurred is not None:
        today = dates.local_today()
        if occurred > dates.end_of_local_day(today):
            errors["occurred_at"] = [
                _("Der Kontakt liegt in der Zukunft. Geplantes bitte als Wiedervorlage erfassen.")
            ]
        elif occurred < dates.now() - timedelta(days=365 * MAX_YEARS_BACK):
            errors["occurred_at"] = [
                _("Das Datum liegt mehr als %(n)s Jahre zurück. Bitte prüfen.", n=MAX_YEARS_BACK)
            ]


def _participants(
    org: Organisation, ids: list[int], errors: dict[str, list[str]], *, keep: list[ContactPerson] = ()
) -> list[ContactPerson]:
    """The contact persons ``ids``; each must belong to ``org`` (removed ones only if already linked)."""
    wanted = {int(i) for i in ids}
    if not wanted:
        return []
    found = list(db.session.scalars(sa.select(ContactPerson).where(ContactPerson.id.in_(wanted))))
    kept = {p.id for p in keep}
    valid = [p for p in found if p.organisation_id == org.id and (not p.is_archived or p.id in kept)]
    if len(valid) != len(wanted):
        errors["contact_person_ids"] = [_("Diese Ansprechperson gehört nicht zu diesem Unternehmen.")]
    return sorted(valid, key=lambda p: (p.last_name, p.id))


def _check_organisation(org: Organisation, actor: User) -> None:
    if org.is_archived:
        raise ValidationFailed(
            {
                "organisation_id": [
                    _(
                        "%(name)s ist archiviert: Kontakte lassen sich nur bei aktiven Unternehmen erfassen.",
                        name=org.name,
                    )
                ]
            }
        )
    if not permissions.can_log_activity(actor, org):
        raise PermissionDenied(_("Sie dürfen keine Kontakte erfassen."))


def touch_last_contact(org: Organisation, occurred_at: datetime) -> None:
    """Widen the company's stored first/last-contact dates to include ``occurred_at``.

    A plain UPDATE, not an ORM change: logging a call must not bump the company's version (an
    open edit form would then report a false conflict) nor its "last edited" time.
    """
    table = Organisation.__table__
    if org.last_contact_at is None or org.last_contact_at < occurred_at:
        db.session.execute(
            sa.update(table)
            .where(
                table.c.id == org.id,
                sa.or_(table.c.last_contact_at.is_(None), table.c.last_contact_at < occurred_at),
            )
            .values(last_contact_at=occurred_at, updated_at=table.c.updated_at)
        )
        set_committed_value(org, "last_contact_at", occurred_at)
    if org.first_contact_at is None or org.first_contact_at > occurred_at:
        db.session.execute(
            sa.update(table)
            .where(
                table.c.id == org.id,
                sa.or_(table.c.first_contact_at.is_(None), table.c.first_contact_at > occurred_at),
            )
            .values(first_contact_at=occurred_at, updated_at=table.c.updated_at)
        )
        set_committed_value(org, "first_contact_at", occurred_at)
        send_results_changed([org.id])  # door-opener figures count days to the first contact


def refresh_last_contact(org: Organisation) -> None:
    """Recompute the company's first/last-contact dates from its contacts (after an edit or delete)."""
    db.session.flush()
    first, newest = db.session.execute(
        sa.select(sa.func.min(Activity.occurred_at), sa.func.max(Activity.occurred_at)).where(
            Activity.organisation_id == org.id
        )
    ).one()
    table = Organisation.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.id == org.id)
        .values(last_contact_at=newest, first_contact_at=first, updated_at=table.c.updated_at)
    )
    changed = org.first_contact_at != first
    set_committed_value(org, "last_contact_at", newest)
    set_committed_value(org, "first_contact_at", first)
    if changed:
        send_results_changed([org.id])


def log_activity(
    org: Organisation,
    data: Mapping[str, Any],
    *,
    actor: User,
    follow_up: FollowUpRequest | None = None,
    completes: FollowUp | None = None,
) -> Activity:
    """Log a contact; optionally schedule a follow-up and/or mark the one it answers as done.

    The first contact with a company at stage ``lead`` moves it to ``contacted``.
    """
    _check_organisation(org, actor)
    values = _clean(data)
    values.setdefault("occurred_at", None)
    if values["occurred_at"] is None:
        values["occurred_at"] = dates.now()
    errors: dict[str, list[str]] = {}
    validate_values(values, errors)
    participants = _participants(org, list(data.get("contact_person_ids") or []), errors)
    if follow_up is not None:
        follow_up.validate(errors, actor=actor)
    if completes is not None and (
        completes.organisation_id != org.id or not permissions.can_manage_follow_up(actor, completes)
    ):
        errors.setdefault("", []).append(_("Diese Wiedervorlage gehört nicht zu diesem Unternehmen."))
    if errors:
        raise ValidationFailed(errors)

    activity = Activity(organisation_id=org.id, user_id=actor.id, **values)
    activity.participants = participants
    db.session.add(activity)
    db.session.flush()
    summary.added(activity)
    touch_last_contact(org, activity.occurred_at)
    if org.stage == Stage.LEAD:
        advance_stage(org, Stage.CONTACTED, actor=actor, reason=_("Erster Kontakt erfasst"))
    record(
        "activity_created",
        entity=activity,
        actor=actor,
        details={"organisation_id": org.id, "kind": activity.kind, "subject": activity.subject},
    )
    if follow_up is not None:
        create_follow_up(org, follow_up, actor=actor, activity=activity)
    if completes is not None:
        complete_follow_up(completes, actor=actor, activity=activity)
    db.session.flush()
    return activity


def update_activity(
    activity: Activity, data: Mapping[str, Any], *, expected_version: int, actor: User
) -> dict[str, list[Any]]:
    """Edit a logged contact (own ones within the edit window; managers always)."""
    if not permissions.can_edit_activity(actor, activity):
        raise PermissionDenied(_("Sie dürfen diesen Kontakt nicht mehr ändern."))
    before = snapshot(activity)
    values = _clean(data)
    if activity.version != expected_version:
        raise Conflict(
            _("Dieser Kontakt wurde inzwischen von jemand anderem geändert."),
            current=before,
            submitted=values,
        )
    if values.get("occurred_at") is None:
        values["occurred_at"] = activity.occurred_at
    errors: dict[str, list[str]] = {}
    validate_values({**before, **values}, errors)
    participants = _participants(
        activity.organisation,
        list(data.get("contact_person_ids") or []),
        errors,
        keep=activity.participants,
    )
    if errors:
        raise ValidationFailed(errors)
    for key, value in values.items():
        setattr(activity, key, value)
    activity.participants = participants
    changes = diff(before, snapshot(activity))
    if changes:
        if "occurred_at" in changes or "kind" in changes:
            summary.changed(activity, before)
        record("activity_updated", entity=activity, actor=actor, changes=changes)
        if "occurred_at" in changes:
            refresh_last_contact(activity.organisation)
    db.session.flush()
    return changes


def delete_activity(activity: Activity, *, actor: User) -> None:
    """Delete a logged contact; the audit log keeps what it said."""
    if not permissions.can_edit_activity(actor, activity):
        raise PermissionDenied(_("Sie dürfen diesen Kontakt nicht löschen."))
    org = activity.organisation
    record(
        "activity_deleted",
        entity=activity,
        actor=actor,
        details={"organisation_id": org.id, **snapshot(activity)},
    )
    summary.removed(activity)
    db.session.delete(activity)
    refresh_last_contact(org)

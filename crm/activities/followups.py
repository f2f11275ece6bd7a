"""Follow-up (Wiedervorlage) workflows: schedule, mark done, postpone, reword, reassign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _

from crm.activities import dates
from crm.activities.models import Activity, FollowUp
from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.organisations.models import Organisation

MAX_YEARS_AHEAD = 5


def due_date_problem(due_on: date | None, *, today: date | None = None) -> str | None:
    """Why ``due_on`` cannot be a follow-up's due date, or ``None``."""
    today = today or dates.local_today()
    if due_on is None:
        return _("Bitte ein Fälligkeitsdatum für die Wiedervorlage angeben.")
    if due_on < today:
        return _("Das Fälligkeitsdatum liegt in der Vergangenheit.")
    if due_on > today + timedelta(days=365 * MAX_YEARS_AHEAD):
        return _("Das Fälligkeitsdatum liegt mehr als %(n)s Jahre in der Zukunft.", n=MAX_YEARS_AHEAD)
    return None


def _assignee_problem(assignee_id: int | None) -> str | None:
    if assignee_id is None:
        return None
    user = db.session.get(User, assignee_id)
    if user is None or not user.is_active:
        return _("Diese Person kann keine Wiedervorlagen übernehmen.")
    return None


@dataclass
class FollowUpRequest:
    """A follow-up to schedule together with a contact (fields of the contact form)."""

    what: str | None
    due_on: date | None
    assignee_id: int | None
    prefix: str = "follow_up_"

    @classmethod
    def from_form(cls, data: dict[str, Any], *, default_what: str | None = None) -> FollowUpRequest | None:
        """The follow-up the form asks for, or ``None`` when both its fields are empty."""
        what = (data.get("follow_up_what") or "").strip() or None
        due_on = data.get("follow_up_due_on")
        if what is None and due_on is None:
            return None
        assignee = data.get("follow_up_assignee_id") or None
        return cls(what=what or default_what, due_on=due_on, assignee_id=assignee)

    def validate(self, errors: dict[str, list[str]], *, actor: User) -> None:
        """Add this request's problems to ``errors`` (keyed by the form's field names)."""
        problem = due_date_problem(self.due_on)
        if problem:
            errors[self.prefix + "due_on"] = [problem]
        if not self.what:
            errors[self.prefix + "what"] = [_("Bitte angeben, was zu tun ist.")]
        elif len(self.what) > 300:
            errors[self.prefix + "what"] = [_("Bitte höchstens 300 Zeichen.")]
        problem = _assignee_problem(self.assignee_id)
        if problem:
            errors[self.prefix + "assignee_id"] = [problem]


def create_follow_up(
    org: Organisation, request: FollowUpRequest, *, actor: User, activity: Activity | None = None
) -> FollowUp:
    """Schedule a follow-up (validated by the caller via ``request.validate``)."""
    follow_up = FollowUp(
        organisation_id=org.id,
        activity_id=activity.id if activity else None,
        assignee_id=request.assignee_id or actor.id,
        due_on=request.due_on,
        what=request.what,
        created_by_id=actor.id,
    )
    db.session.add(follow_up)
    db.session.flush()
    record(
        "follow_up_created",
        entity=follow_up,
        actor=actor,
        details={"organisation_id": org.id, "due_on": follow_up.due_on, "assignee_id": follow_up.assignee_id},
    )
    return follow_up


def _require(actor: User, follow_up: FollowUp) -> None:
    if not permissions.can_manage_follow_up(actor, follow_up):
        raise PermissionDenied(_("Das ist nicht Ihre Wiedervorlage."))
    if follow_up.organisation.is_archived:
        raise DomainError(_("Das Unternehmen ist archiviert."))


def complete_follow_up(follow_up: FollowUp, *, actor: User, activity: Activity | None = None) -> None:
    """Mark done, optionally naming the contact that did it."""
    _require(actor, follow_up)
    if follow_up.is_done:
        raise DomainError(_("Diese Wiedervorlage ist bereits erledigt."))
    follow_up.done_at = dates.now()
    follow_up.done_by_id = actor.id
    follow_up.done_activity_id = activity.id if activity else None
    record(
        "follow_up_done",
        entity=follow_up,
        actor=actor,
        details={"activity_id": activity.id if activity else None},
    )
    db.session.flush()


def postpone_follow_up(follow_up: FollowUp, due_on: date | None, *, actor: User) -> None:
    """Move the due date (counts how often a follow-up was put off)."""
    _require(actor, follow_up)
    if follow_up.is_done:
        raise DomainError(_("Diese Wiedervorlage ist bereits erledigt."))
    problem = due_date_problem(due_on)
    if problem:
        raise ValidationFailed({"due_on": [problem]})
    assert due_on is not None
    if due_on == follow_up.due_on:
        return
    before = follow_up.due_on
    if due_on > before:
        follow_up.postponed_count += 1
    follow_up.due_on = due_on
    record(
        "follow_up_postponed",
        entity=follow_up,
        actor=actor,
        changes=diff({"due_on": before}, {"due_on": due_on}),
    )
    db.session.flush()


def update_follow_up(
    follow_up: FollowUp, data: dict[str, Any], *, expected_version: int, actor: User
) -> dict[str, list[Any]]:
    """Reword, reschedule and (managers) reassign an open follow-up."""
    _require(actor, follow_up)
    if follow_up.is_done:
        raise DomainError(_("Diese Wiedervorlage ist bereits erledigt."))
    if follow_up.version != expected_version:
        raise Conflict(_("Diese Wiedervorlage wurde inzwischen von jemand anderem geändert."))
    before = {"what": follow_up.what, "due_on": follow_up.due_on, "assignee_id": follow_up.assignee_id}
    request = FollowUpRequest(
        what=(data.get("what") or "").strip() or None,
        due_on=data.get("due_on"),
        assignee_id=data.get("assignee_id") or follow_up.assignee_id,
        prefix="",
    )
    if request.assignee_id != follow_up.assignee_id and not permissions.can_reassign_follow_up(actor):
        raise PermissionDenied(_("Nur die Leitung kann Wiedervorlagen neu zuweisen."))
    errors: dict[str, list[str]] = {}
    request.validate(errors, actor=actor)
    if request.due_on is not None and request.due_on == follow_up.due_on:
        errors.pop("due_on", None)  # an unchanged, perhaps overdue, date stays allowed
    if errors:
        raise ValidationFailed(errors)
    if request.due_on and request.due_on > follow_up.due_on:
        follow_up.postponed_count += 1
    follow_up.what, follow_up.due_on = request.what or follow_up.what, request.due_on or follow_up.due_on
    follow_up.assignee_id = request.assignee_id or follow_up.assignee_id
    changes = diff(
        before, {"what": follow_up.what, "due_on": follow_up.due_on, "assignee_id": follow_up.assignee_id}
    )
    if changes:
        action = "follow_up_reassigned" if "assignee_id" in changes else "follow_up_updated"
        record(action, entity=follow_up, actor=actor, changes=changes)
    db.session.flush()
    return changes

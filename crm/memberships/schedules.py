"""Fee schedules (Beitragsordnung): one per year, edited by admins, copied from the year before."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.memberships.models import FeeSchedule
from crm.memberships.vocab import ProRataRule
from crm.organisations.vocab import SizeClass

AMOUNT_FIELDS = (*(f"{s.value}_cents" for s in SizeClass), "supporting_cents")
FIELDS = ("year", *AMOUNT_FIELDS, "pro_rata", "regular_vat", "supporting_vat", "due_on", "notes")
MAX_CENTS = 100_000_000  # one million euros: anything above is a typo


def snapshot(schedule: FeeSchedule) -> dict[str, Any]:
    return {name: getattr(schedule, name) for name in FIELDS}


def schedule_for(year: int) -> FeeSchedule | None:
    return db.session.scalar(sa.select(FeeSchedule).where(FeeSchedule.year == year))


def _validate(values: dict[str, Any], schedule_id: int | None) -> None:
    errors: dict[str, list[str]] = {}
    year = values.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = [_("Bitte ein Jahr zwischen 2000 und 2100 angeben.")]
    else:
        existing = schedule_for(year)
        if existing is not None and existing.id != schedule_id:
            errors["year"] = [_("Für %(year)s gibt es schon eine Beitragsordnung.", year=year)]
    for name in AMOUNT_FIELDS:
        cents = values.get(name)
        if cents is None:
            errors[name] = [_("Bitte einen Betrag angeben (0 € ist erlaubt).")]
        elif not 0 <= cents <= MAX_CENTS:
            errors[name] = [_("Der Betrag muss zwischen 0 € und 1.000.000 € liegen.")]
    due = values.get("due_on")
    if due is None:
        errors["due_on"] = [_("Bitte das Fälligkeitsdatum angeben.")]
    elif isinstance(year, int) and due.year not in (year - 1, year):
        errors["due_on"] = [_("Die Fälligkeit muss im Beitragsjahr (oder kurz davor) liegen.")]
    if errors:
        raise ValidationFailed(errors)


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in FIELDS}
    values["pro_rata"] = ProRataRule(values.get("pro_rata") or ProRataRule.NONE)
    values["regular_vat"] = bool(values.get("regular_vat"))
    values["supporting_vat"] = bool(values.get("supporting_vat"))
    if isinstance(values.get("notes"), str):
        values["notes"] = values["notes"].strip() or None
    return values


def _require_admin(actor: User) -> None:
    if not permissions.can_manage_fee_settings(actor):
        raise PermissionDenied(_("Nur die Administration bearbeitet Beitragsordnungen."))


def save_schedule(
    data: Mapping[str, Any], *, actor: User, schedule: FeeSchedule | None = None
) -> FeeSchedule:
    """Create or change a year's schedule; every size class and the supporting fee need an amount.

    Fees already issued keep their amounts (they are snapshots).
    """
    _require_admin(actor)
    values = _clean(data)
    _validate(values, schedule.id if schedule else None)
    before = snapshot(schedule) if schedule else {}
    if schedule is None:
        schedule = FeeSchedule(**values)
        db.session.add(schedule)
    else:
        for name, value in values.items():
            setattr(schedule, name, value)
    db.session.flush()
    changes = diff(before, snapshot(schedule))
    if changes:
        action = "fee_schedule_updated" if before else "fee_schedule_created"
        record(action, entity=schedule, actor=actor, changes=changes)
    return schedule


def copy_values(source: FeeSchedule, year: int) -> dict[str, Any]:
    """Form values for ``year`` taken from ``source`` (due date moved by the difference in years)."""
    values = snapshot(source)
    shift = year - source.year
    due = source.due_on
    try:
        values["due_on"] = due.replace(year=due.year + shift)
    except ValueError:  # 29 February
        values["due_on"] = date(due.year + shift, 2, 28)
    values["year"] = year
    return values


def latest_schedule() -> FeeSchedule | None:
    return db.session.scalar(sa.select(FeeSchedule).order_by(FeeSchedule.year.desc()).limit(1))


def all_schedules() -> list[FeeSchedule]:
    return list(db.session.scalars(sa.select(FeeSchedule).order_by(FeeSchedule.year.desc())))

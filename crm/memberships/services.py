"""Membership workflows: create, edit, cancel. Services validate, change, flush and audit; callers commit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import Conflict, PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.memberships.banking import (
    BankDataError,
    clean_bic,
    clean_iban,
    clean_mandate_reference,
    derive_bic,
)
from crm.memberships.models import Fee, Membership
from crm.memberships.vocab import FeeStatus, MembershipKind, PaymentMethod, SepaScheme
from crm.organisations.models import Organisation
from crm.organisations.services import advance_stage
from crm.organisations.vocab import Stage

FIELDS = ("kind", "starts_on", "ends_on", "payment_method", "notes")
MANDATE_FIELDS = (
    "mandate_reference",
    "mandate_signed_on",
    "account_holder",
    "iban",
    "bic",
    "sepa_scheme",
    "last_debit_on",
)
BANK_FIELDS = ("iban", "bic", "account_holder")  # masked in the audit log


def snapshot(membership: Membership) -> dict[str, Any]:
    return {name: getattr(membership, name) for name in (*FIELDS, *MANDATE_FIELDS)}


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in (*FIELDS, *MANDATE_FIELDS):
        if key in data:
            value = data[key]
            if isinstance(value, str):
                value = value.strip() or None
            values[key] = value
    values["kind"] = MembershipKind(values.get("kind") or MembershipKind.REGULAR)
    values["payment_method"] = PaymentMethod(values.get("payment_method") or PaymentMethod.INVOICE)
    if values.get("sepa_scheme"):
        values["sepa_scheme"] = SepaScheme(values["sepa_scheme"])
    return values


def _validate(values: dict[str, Any], organisation_id: int, membership_id: int | None) -> None:
    """Check dates, overlap and the mandate; normalises IBAN/BIC in ``values``."""
    errors: dict[str, list[str]] = {}
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts is None:
        errors["starts_on"] = [_("Bitte den Beginn der Mitgliedschaft angeben.")]
    elif ends is not None and ends < starts:
        errors["ends_on"] = [_("Das Ende liegt vor dem Beginn der Mitgliedschaft.")]
    elif _overlapping(organisation_id, starts, ends, membership_id):
        errors["starts_on"] = [
            _(
                "Dieses Unternehmen hat in diesem Zeitraum schon eine Mitgliedschaft "
                "(die Zeiträume überschneiden sich)."
            )
        ]
    if values["payment_method"] == PaymentMethod.SEPA:
        errors.update(_validate_mandate(values, membership_id))
    else:
        for name in MANDATE_FIELDS:
            values[name] = None  # no bank data kept without a mandate
    if errors:
        raise ValidationFailed(errors)


def _validate_mandate(values: dict[str, Any], membership_id: int | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    required = {
        "mandate_reference": _("Bitte die Mandatsreferenz angeben."),
        "mandate_signed_on": _("Bitte das Datum der Unterschrift angeben."),
        "account_holder": _("Bitte den Kontoinhaber angeben."),
        "iban": _("Bitte die IBAN angeben."),
        "sepa_scheme": _("Bitte das Lastschriftverfahren wählen."),
    }
    for name, message in required.items():
        if not values.get(name):
            errors[name] = [message]
    for name, cleaner in (("mandate_reference", clean_mandate_reference), ("iban", clean_iban)):
        if values.get(name):
            try:
                values[name] = cleaner(values[name])
            except BankDataError as error:
                errors[name] = [str(error)]
    if values.get("bic"):
        try:
            values["bic"] = clean_bic(values["bic"])
        except BankDataError as error:
            errors["bic"] = [str(error)]
    elif values.get("iban") and "iban" not in errors:
        values["bic"] = derive_bic(values["iban"])
    signed = values.get("mandate_signed_on")
    if signed and signed > date.today():
        errors["mandate_signed_on"] = [_("Das Unterschriftsdatum liegt in der Zukunft.")]
    reference = values.get("mandate_reference")
    if reference and "mandate_reference" not in errors:
        taken = sa.select(Membership.id).where(Membership.mandate_reference == reference)
        if membership_id is not None:
            taken = taken.where(Membership.id != membership_id)
        if db.session.scalar(taken.limit(1)) is not None:
            errors["mandate_reference"] = [_("Diese Mandatsreferenz ist schon vergeben.")]
    return errors


def _overlapping(organisation_id: int, starts: date, ends: date | None, membership_id: int | None) -> bool:
    stmt = sa.select(Membership.id).where(
        Membership.organisation_id == organisation_id,
        sa.or_(Membership.ends_on.is_(None), Membership.ends_on >= starts),
    )
    if ends is not None:
        stmt = stmt.where(Membership.starts_on <= ends)
    if membership_id is not None:
        stmt = stmt.where(Membership.id != membership_id)
    return db.session.scalar(stmt.limit(1)) is not None


def _require_manager(actor: User) -> None:
    if not permissions.can_manage_memberships(actor):
        raise PermissionDenied(_("Nur die Leitung verwaltet Mitgliedschaften."))


def create_membership(organisation: Organisation, data: Mapping[str, Any], *, actor: User) -> Membership:
    """Start a membership; the company moves to the stage "partner" unless it is there already."""
    _require_manager(actor)
    if organisation.is_archived:
        raise ValidationFailed(_("Archivierte Unternehmen können keine Mitgliedschaft beginnen."))
    values = _clean(data)
    _validate(values, organisation.id, None)
    membership = Membership(organisation_id=organisation.id, **values)
    db.session.add(membership)
    db.session.flush()
    # A member is a partner by definition, also when the company was dormant or lost before.
    advance_stage(organisation, Stage.PARTNER, actor=actor, reason=_("Mitgliedschaft begonnen"), reopen=True)
    record(
        "membership_created",
        entity=membership,
        actor=actor,
        changes=diff({}, snapshot(membership), masked=BANK_FIELDS),
        details={"organisation_id": organisation.id},
    )
    db.session.flush()
    return membership


def update_membership(
    membership: Membership, data: Mapping[str, Any], *, expected_version: int, actor: User
) -> dict[str, list[Any]]:
    """Edit a membership made on ``expected_version``; open fees follow a new payment method."""
    _require_manager(actor)
    if membership.version != expected_version:
        raise Conflict(_("Die Mitgliedschaft wurde inzwischen von jemand anderem geändert."))
    before = snapshot(membership)
    values = _clean({**before, **data})
    _validate(values, membership.organisation_id, membership.id)
    for name, value in values.items():
        setattr(membership, name, value)
    changes = diff(before, snapshot(membership), masked=BANK_FIELDS)
    if "payment_method" in changes:
        db.session.execute(
            sa.update(Fee)
            .where(Fee.membership_id == membership.id, Fee.status == FeeStatus.OPEN)
            .values(payment_method=membership.payment_method)
        )
    if changes:
        record("membership_updated", entity=membership, actor=actor, changes=changes)
    db.session.flush()
    return changes


def cancel_membership(
    membership: Membership, *, received_on: date, effective_on: date, reason: str | None, actor: User
) -> int:
    """Record a cancellation; open fees of years after the end are cancelled. Returns their count."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    if effective_on < membership.starts_on:
        errors["effective_on"] = [_("Das Ende liegt vor dem Beginn der Mitgliedschaft.")]
    if received_on > date.today():
        errors["received_on"] = [_("Das Eingangsdatum liegt in der Zukunft.")]
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(membership) | {"cancelled_on": membership.cancelled_on}
    membership.cancelled_on, membership.ends_on = received_on, effective_on
    membership.cancellation_reason = (reason or "").strip() or None
    result = db.session.execute(
        sa.update(Fee)
        .where(
            Fee.membership_id == membership.id,
            Fee.status == FeeStatus.OPEN,
            Fee.year > effective_on.year,
        )
        .values(status=FeeStatus.CANCELLED)
    )
    cancelled = result.rowcount or 0
    after = snapshot(membership) | {"cancelled_on": membership.cancelled_on}
    record(
        "membership_cancelled",
        entity=membership,
        actor=actor,
        changes=diff(before, after, masked=BANK_FIELDS),
        details={"reason": membership.cancellation_reason, "fees_cancelled": cancelled},
    )
    db.session.flush()
    return cancelled


def current_membership(memberships: list[Membership], today: date | None = None) -> Membership | None:
    """The membership active today, else the next one to start."""
    today = today or date.today()
    active = [m for m in memberships if m.is_active_on(today)]
    if active:
        return active[0]
    upcoming = sorted((m for m in memberships if m.starts_on > today), key=lambda m: m.starts_on)
    return upcoming[0] if upcoming else None

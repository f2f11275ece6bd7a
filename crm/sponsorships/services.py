"""Sponsorship workflows: create and edit (managers); services flush and audit, callers commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import Conflict, PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.sponsorships.models import Sponsorship
from crm.sponsorships.vocab import SponsorshipKind, SponsorshipStatus, VatTreatment

FIELDS = (
    "kind",
    "purpose",
    "starts_on",
    "ends_on",
    "cash_cents",
    "in_kind_description",
    "in_kind_value_cents",
    "counter_performances",
    "vat_treatment",
    "status",
    "document_number",
    "notes",
)


def snapshot(sponsorship: Sponsorship) -> dict[str, Any]:
    return {name: getattr(sponsorship, name) for name in FIELDS}


def parse_counter_performances(text: str | list[str] | None) -> list[str]:
    """One counter-performance per line (logo, link, naming …), blanks dropped."""
    lines = text if isinstance(text, list) else (text or "").splitlines()
    return [line.strip()[:200] for line in lines if line.strip()][:30]


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = data.get(name)
        if isinstance(value, str) and name != "counter_performances":
            value = value.strip() or None
        values[name] = value
    values["kind"] = SponsorshipKind(values["kind"] or SponsorshipKind.SPONSORING)
    values["status"] = SponsorshipStatus(values["status"] or SponsorshipStatus.ASKED)
    values["vat_treatment"] = VatTreatment(values["vat_treatment"] or VatTreatment.UNCLEAR)
    values["cash_cents"] = values["cash_cents"] or 0
    values["in_kind_value_cents"] = values["in_kind_value_cents"] or 0
    values["counter_performances"] = parse_counter_performances(values["counter_performances"])
    return values


def _validate(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not values.get("purpose"):
        errors["purpose"] = [_("Bitte Zweck oder Veranstaltung angeben.")]
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts is None:
        errors["starts_on"] = [_("Bitte den Beginn angeben.")]
    elif ends is not None and ends < starts:
        errors["ends_on"] = [_("Das Ende liegt vor dem Beginn.")]
    if (
        values["cash_cents"] == 0
        and values["in_kind_value_cents"] == 0
        and not values.get("in_kind_description")
    ):
        errors["cash_cents"] = [_("Bitte einen Geldbetrag oder eine Sachleistung angeben.")]
    if values["in_kind_value_cents"] and not values.get("in_kind_description"):
        errors["in_kind_description"] = [_("Bitte die Sachleistung beschreiben.")]
    if (
        values["kind"] == SponsorshipKind.SPONSORING
        and values["vat_treatment"] == VatTreatment.NOT_TAXABLE
        and values["counter_performances"]
    ):
        errors["vat_treatment"] = [
            _("Sponsoring mit Gegenleistung ist in der Regel umsatzsteuerpflichtig – bitte prüfen.")
        ]
    if errors:
        raise ValidationFailed(errors)


def _require_manager(actor: User) -> None:
    if not permissions.can_manage_sponsorships(actor):
        raise PermissionDenied(_("Nur die Leitung verwaltet Sponsoring."))


def create_sponsorship(organisation: Organisation, data: Mapping[str, Any], *, actor: User) -> Sponsorship:
    """Record a sponsorship or donation of a company."""
    _require_manager(actor)
    if organisation.is_archived:
        raise ValidationFailed(_("Archivierte Unternehmen können kein Sponsoring erhalten."))
    values = _clean(data)
    _validate(values)
    sponsorship = Sponsorship(organisation_id=organisation.id, year=values["starts_on"].year, **values)
    db.session.add(sponsorship)
    db.session.flush()
    record(
        "sponsorship_created",
        entity=sponsorship,
        actor=actor,
        changes=diff({}, snapshot(sponsorship)),
        details={"organisation_id": organisation.id},
    )
    return sponsorship


def update_sponsorship(
    sponsorship: Sponsorship, data: Mapping[str, Any], *, expected_version: int, actor: User
) -> dict[str, list[Any]]:
    """Edit a sponsorship made on ``expected_version``."""
    _require_manager(actor)
    if sponsorship.version != expected_version:
        raise Conflict(_("Das Sponsoring wurde inzwischen von jemand anderem geändert."))
    before = snapshot(sponsorship)
    values = _clean(data)
    _validate(values)
    for name, value in values.items():
        setattr(sponsorship, name, value)
    sponsorship.year = values["starts_on"].year
    changes = diff(before, snapshot(sponsorship))
    if changes:
        record("sponsorship_updated", entity=sponsorship, actor=actor, changes=changes)
    db.session.flush()
    return changes

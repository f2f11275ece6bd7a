"""Rules for the data-protection fields every person record carries (see ``PersonalDataMixin``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _

from crm.organisations.vocab import ConsentMethod, LegalBasis

DATA_PROTECTION_FIELDS = (
    "legal_basis",
    "data_source",
    "informed_on",
    "email_consent",
    "email_consent_on",
    "email_consent_method",
    "email_consent_wording",
    "marketing_blocked",
    "marketing_blocked_on",
)
ENUMS = {"legal_basis": LegalBasis, "email_consent_method": ConsentMethod}
FLAGS = {"email_consent", "marketing_blocked"}


def data_protection_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """German messages for contradictory or incomplete data-protection facts."""
    errors: dict[str, list[str]] = {}
    today = date.today()
    for name in ("informed_on", "email_consent_on", "marketing_blocked_on"):
        if values.get(name) and values[name] > today:
            errors[name] = [_("Das Datum liegt in der Zukunft.")]
    if values.get("email_consent"):
        if not values.get("email"):
            errors["email"] = [_("Eine E-Mail-Einwilligung braucht eine E-Mail-Adresse.")]
        if not values.get("email_consent_on"):
            errors["email_consent_on"] = [_("Bitte das Datum der Einwilligung angeben.")]
        if not values.get("email_consent_method"):
            errors["email_consent_method"] = [_("Bitte angeben, wie die Einwilligung erteilt wurde.")]
    if values.get("legal_basis") == LegalBasis.CONSENT and not values.get("email_consent"):
        errors.setdefault("legal_basis", []).append(
            _("Rechtsgrundlage Einwilligung: bitte die Einwilligung mit Datum und Art erfassen.")
        )
    return errors


def apply_marketing_block(values: dict[str, Any], before: Mapping[str, Any] | None = None) -> None:
    """A marketing block wins over consent and is dated; it is never silently undone."""
    if values.get("marketing_blocked"):
        values["email_consent"] = False
        if not values.get("marketing_blocked_on"):
            values["marketing_blocked_on"] = (before or {}).get("marketing_blocked_on") or date.today()
    else:
        values["marketing_blocked_on"] = None

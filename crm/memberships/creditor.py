"""The creditor's SEPA data (admin settings) and the bank calendar for collection dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.memberships.banking import (
    BankDataError,
    bic_matches_iban,
    clean_bic,
    clean_creditor_id,
    clean_iban,
    derive_bic,
)
from crm.memberships.models import CreditorSettings

SETTINGS_FIELDS = ("name", "iban", "bic", "creditor_id", "prenotification_days")


def get_settings() -> CreditorSettings | None:
    return db.session.scalar(sa.select(CreditorSettings).order_by(CreditorSettings.id).limit(1))


def save_settings(data: Mapping[str, Any], *, actor: User) -> CreditorSettings:
    """Validate and store the creditor's name, account and identifier (admins)."""
    if not permissions.can_manage_fee_settings(actor):
        raise PermissionDenied(_("Nur die Administration bearbeitet die Gläubigerdaten."))
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Bitte den Namen des Zahlungsempfängers angeben.")]
    values["name"] = name[:70]
    for key, cleaner in (("iban", clean_iban), ("creditor_id", clean_creditor_id)):
        try:
            values[key] = cleaner(data.get(key) or "")
        except BankDataError as error:
            errors[key] = [str(error)]
    if data.get("bic"):
        try:
            values["bic"] = clean_bic(data["bic"])
        except BankDataError as error:
            errors["bic"] = [str(error)]
        else:
            if "iban" in values and not bic_matches_iban(values["iban"], values["bic"]):
                errors["bic"] = [_("Der BIC passt nicht zur Bank der IBAN.")]
    else:
        values["bic"] = derive_bic(values["iban"]) if "iban" in values else None
    days = data.get("prenotification_days")
    if not isinstance(days, int) or not 1 <= days <= 60:
        errors["prenotification_days"] = [_("Bitte eine Vorlaufzeit zwischen 1 und 60 Tagen angeben.")]
    values["prenotification_days"] = days
    if errors:
        raise ValidationFailed(errors)
    settings = get_settings()
    before = {k: getattr(settings, k) for k in SETTINGS_FIELDS} if settings else {}
    if settings is None:
        settings = CreditorSettings(**values)
        db.session.add(settings)
    else:
        for key, value in values.items():
            setattr(settings, key, value)
    settings.updated_by_id = actor.id
    db.session.flush()
    changes = diff(before, {k: getattr(settings, k) for k in SETTINGS_FIELDS}, masked=("iban", "bic"))
    if changes:
        record("creditor_settings_updated", entity=settings, actor=actor, changes=changes)
    return settings


def _easter(year: int) -> date:
    """Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


@lru_cache(maxsize=64)
def _target_holidays(year: int) -> frozenset[date]:
    easter = _easter(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            date(year, 5, 1),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def is_business_day(day: date) -> bool:
    """A TARGET2 business day: no weekend, no TARGET holiday."""
    return day.weekday() < 5 and day not in _target_holidays(day.year)


def earliest_collection_date(settings: CreditorSettings, today: date | None = None) -> date:
    """The first business day after the pre-notification period."""
    day = (today or date.today()) + timedelta(days=max(settings.prenotification_days, 1))
    while not is_business_day(day):
        day += timedelta(days=1)
    return day

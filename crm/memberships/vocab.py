"""Enumerations and German labels of memberships, fees and SEPA."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class MembershipKind(enum.StrEnum):
    REGULAR = "regular"
    SUPPORTING = "supporting"


KIND_LABELS = {
    MembershipKind.REGULAR: _l("Mitgliedschaft"),
    MembershipKind.SUPPORTING: _l("Fördermitgliedschaft"),
}


class PaymentMethod(enum.StrEnum):
    INVOICE = "invoice"
    SEPA = "sepa"


PAYMENT_METHOD_LABELS = {
    PaymentMethod.INVOICE: _l("Rechnung"),
    PaymentMethod.SEPA: _l("SEPA-Lastschrift"),
}


class SepaScheme(enum.StrEnum):
    """CORE (Basislastschrift) and B2B (Firmenlastschrift) go in separate files."""

    CORE = "CORE"
    B2B = "B2B"


SCHEME_LABELS = {
    SepaScheme.CORE: _l("Basislastschrift (CORE)"),
    SepaScheme.B2B: _l("Firmenlastschrift (B2B)"),
}


class ProRataRule(enum.StrEnum):
    """How members joining during the year pay for their first year."""

    NONE = "none"
    MONTHLY = "monthly"  # 1/12 for every month from the joining month on
    HALF_AFTER_JUNE = "half_after_june"  # half the fee when joining after 30 June


PRO_RATA_LABELS = {
    ProRataRule.NONE: _l("keine – voller Jahresbeitrag"),
    ProRataRule.MONTHLY: _l("anteilig je angefangenem Monat"),
    ProRataRule.HALF_AFTER_JUNE: _l("halber Beitrag bei Eintritt nach dem 30. Juni"),
}


class FeeStatus(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"  # in a SEPA file handed to the bank
    PAID = "paid"
    WAIVED = "waived"
    CANCELLED = "cancelled"


FEE_STATUS_LABELS = {
    FeeStatus.OPEN: _l("offen"),
    FeeStatus.SUBMITTED: _l("eingereicht"),
    FeeStatus.PAID: _l("bezahlt"),
    FeeStatus.WAIVED: _l("erlassen"),
    FeeStatus.CANCELLED: _l("storniert"),
}
# Statuses that count towards "due": waived and cancelled fees are not owed.
OWED = (FeeStatus.OPEN, FeeStatus.SUBMITTED, FeeStatus.PAID)
UNPAID = (FeeStatus.OPEN, FeeStatus.SUBMITTED)

DUNNING_LABELS = {
    0: _l("keine"),
    1: _l("Zahlungserinnerung"),
    2: _l("1. Mahnung"),
    3: _l("2. Mahnung"),
}
MAX_DUNNING = 3

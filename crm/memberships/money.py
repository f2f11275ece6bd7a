"""Money arithmetic: integer cents in the database, ``Decimal`` in between, one rounding rule.

Every amount that is not a whole number of cents (pro-rata shares) is rounded half up to the
cent (``ROUND_HALF_UP``), the rule German accounting uses; floats are never involved.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from crm.memberships.vocab import ProRataRule

CENT = Decimal("0.01")


def to_cents(euros: Decimal) -> int:
    """Euros as Decimal → whole cents, rounded half up."""
    return int((euros / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_euros(cents: int) -> Decimal:
    """Cents → exact Decimal euros (two places)."""
    return (Decimal(cents) / 100).quantize(CENT)


def share(cents: int, numerator: int, denominator: int) -> int:
    """``cents × numerator / denominator``, rounded half up to the cent."""
    exact = Decimal(cents) * numerator / Decimal(denominator)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def charged_months(rule: ProRataRule, starts_on: date, year: int) -> int:
    """How many twelfths of the yearly fee a member pays in ``year`` (12 = the full fee).

    Only joiners pay less: a membership that began before ``year`` pays the full fee, and so
    does one that ends during the year (it was a member when the fee fell due).
    MONTHLY: every started month counts, so joining on 1 or 31 March pays 10/12.
    HALF_AFTER_JUNE: joining on 30 June pays in full, from 1 July on half (6/12).
    """
    rule = ProRataRule(rule)
    if rule == ProRataRule.NONE or starts_on.year < year:
        return 12
    if starts_on.year > year:
        raise ValueError("membership starts after the fee year")
    if rule == ProRataRule.MONTHLY:
        return 13 - starts_on.month
    return 6 if starts_on.month > 6 else 12


def prorated(full_cents: int, rule: ProRataRule, starts_on: date, year: int) -> tuple[int, int]:
    """(amount in cents, months charged) for a member who starts on ``starts_on``."""
    months = charged_months(rule, starts_on, year)
    return (full_cents if months == 12 else share(full_cents, months, 12)), months

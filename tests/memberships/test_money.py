"""Pro-rata rules at month boundaries and exact cent arithmetic (Decimal, half up)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from crm.memberships.money import charged_months, prorated, share, to_cents, to_euros
from crm.memberships.vocab import ProRataRule

YEAR = 2026


@pytest.mark.parametrize(
    ("starts_on", "months"),
    [
        (date(2025, 12, 31), 12),  # joined the year before: full fee
        (date(2026, 1, 1), 12),
        (date(2026, 1, 31), 12),
        (date(2026, 2, 1), 11),
        (date(2026, 2, 28), 11),
        (date(2026, 3, 1), 10),
        (date(2026, 6, 30), 7),
        (date(2026, 7, 1), 6),
        (date(2026, 11, 30), 2),
        (date(2026, 12, 1), 1),
        (date(2026, 12, 31), 1),
    ],
)
def test_monthly_rule_counts_every_started_month(starts_on, months):
    assert charged_months(ProRataRule.MONTHLY, starts_on, YEAR) == months


@pytest.mark.parametrize(
    ("starts_on", "months"),
    [
        (date(2026, 1, 1), 12),
        (date(2026, 6, 29), 12),
        (date(2026, 6, 30), 12),  # "after 30 June": the 30th still pays in full
        (date(2026, 7, 1), 6),
        (date(2026, 12, 31), 6),
        (date(2025, 8, 1), 12),  # joined last year: full fee this year
    ],
)
def test_half_after_june(starts_on, months):
    assert charged_months(ProRataRule.HALF_AFTER_JUNE, starts_on, YEAR) == months


@pytest.mark.parametrize(
    "starts_on", [date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 1), date(2026, 12, 31)]
)
def test_no_pro_rata_always_full(starts_on):
    assert prorated(12345, ProRataRule.NONE, starts_on, YEAR) == (12345, 12)


def test_starting_after_the_year_is_refused():
    with pytest.raises(ValueError):
        charged_months(ProRataRule.MONTHLY, date(2027, 1, 1), YEAR)


def test_monthly_amounts_round_half_up_to_the_cent():
    # 100.00 € × 11/12 = 91.666… → 91.67 €; 100.00 € × 1/12 = 8.333… → 8.33 €
    assert prorated(10000, ProRataRule.MONTHLY, date(2026, 2, 1), YEAR) == (9167, 11)
    assert prorated(10000, ProRataRule.MONTHLY, date(2026, 12, 1), YEAR) == (833, 1)
    # 150.00 € × 7/12 = 87.50 € exactly
    assert prorated(15000, ProRataRule.MONTHLY, date(2026, 6, 30), YEAR) == (8750, 7)


def test_half_rounds_half_cents_up():
    # 100.01 € / 2 = 50.005 € → 50.01 € (half up, never banker's rounding to 50.00)
    assert prorated(10001, ProRataRule.HALF_AFTER_JUNE, date(2026, 7, 1), YEAR) == (5001, 6)
    assert share(1, 1, 2) == 1
    assert share(3, 1, 2) == 2


def test_decimal_helpers_are_exact():
    assert to_cents(Decimal("0.1") + Decimal("0.2")) == 30
    assert to_cents(Decimal("19.995")) == 2000
    assert to_euros(1) == Decimal("0.01")
    assert to_euros(123456789) == Decimal("1234567.89")
    # Sum of twelve monthly shares of 100 € differs from 100 € only by rounding, never by float noise
    assert sum(share(10000, 1, 12) for _ in range(12)) == 9996

"""EU SME size class (Recommendation 2003/361/EC, Art. 2 of its annex)."""

from __future__ import annotations

from typing import NamedTuple

from crm.organisations.vocab import SizeClass


class Limit(NamedTuple):
    size_class: SizeClass
    staff_below: float  # headcount in annual work units must be below this
    turnover_max: int  # euros, inclusive
    balance_max: int  # euros, inclusive


LIMITS = [
    Limit(SizeClass.MICRO, 10, 2_000_000, 2_000_000),
    Limit(SizeClass.SMALL, 50, 10_000_000, 10_000_000),
    Limit(SizeClass.MEDIUM, 250, 50_000_000, 43_000_000),
]


def derive_size_class(
    employees: float | None, turnover_eur: int | None, balance_sheet_eur: int | None
) -> tuple[SizeClass | None, bool]:
    """The size class and whether it is provisional.

    A class applies when the staff test passes and the turnover *or* the balance-sheet test
    passes. A missing figure could still pass, so when the known figures do not decide, the
    company is put in the smallest class its headcount allows and the result is provisional.
    Without a headcount there is no class.
    """
    if employees is None:
        return None, False
    missing = turnover_eur is None or balance_sheet_eur is None
    for limit in LIMITS:
        if employees >= limit.staff_below:
            continue
        turnover_ok = turnover_eur is not None and turnover_eur <= limit.turnover_max
        balance_ok = balance_sheet_eur is not None and balance_sheet_eur <= limit.balance_max
        if turnover_ok or balance_ok:
            return limit.size_class, False
        if missing:
            return limit.size_class, True
    return SizeClass.LARGE, False

"""Where other features plug into door-opener pages and reports (memberships, sponsorships, privacy).

Each contribution takes the ids of the companies a door-opener introduced and answers with one
query, so pages stay at a constant number of queries however many companies are listed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from crm.core.registry import ExtensionPoint


@dataclass(frozen=True)
class IncomeSource:
    """A kind of income to total per door-opener, e.g. membership fees paid."""

    label: Any
    total_cents: Callable[[sa.Select[Any]], int]  # given a SELECT of organisation ids


@dataclass(frozen=True)
class StatusColumn:
    """An extra column on the door-opener page's company list, e.g. "Mitglied seit 2024"."""

    header: Any
    values: Callable[[Sequence[int]], dict[int, str]]  # organisation id -> text


# Companies that may be named in a report without their explicit consent (e.g. members).
NamingRule = Callable[[Sequence[int]], set[int]]

INCOME_SOURCES: ExtensionPoint[IncomeSource] = ExtensionPoint("dooropeners.income_sources")
STATUS_COLUMNS: ExtensionPoint[StatusColumn] = ExtensionPoint("dooropeners.status_columns")
NAMING_RULES: ExtensionPoint[NamingRule] = ExtensionPoint("dooropeners.naming_rules")
# Templates included in the action bar of the door-opener page.
PAGE_ACTIONS: ExtensionPoint[str] = ExtensionPoint("dooropeners.page_actions")

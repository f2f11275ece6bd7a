"""What features contribute to the app as a whole: start page, menu, summary tables, demo data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crm.core.nav import NavItem
from crm.core.registry import ExtensionPoint

if TYPE_CHECKING:
    from crm.core.demo import DemoContext


@dataclass(frozen=True)
class HomeSection:
    """A section of the personal start page."""

    template: str
    load: Callable[[Any], dict[str, Any] | None]  # (user) -> its context, or None to hide it


@dataclass(frozen=True)
class Summary:
    """A summary table kept in step with the writes it sums up (see ``crm.core.summaries``)."""

    name: str
    rebuild: Callable[[], int]  # returns the number of summary rows written
    differences: Callable[[], list[str]]  # human-readable mismatches against the live aggregate


@dataclass(frozen=True)
class DemoSeeder:
    """A feature's part of ``flask crm seed-demo``; seeders run in ascending order.

    ``fills``: a model whose rows show that the database is already in use; ``--if-empty`` leaves
    such a database alone (the users' seeder names the user accounts).
    """

    label: str
    run: Callable[[DemoContext], None]
    fills: Any = None


HOME_SECTIONS: ExtensionPoint[HomeSection] = ExtensionPoint("core.home_sections")
NAVIGATION: ExtensionPoint[NavItem] = ExtensionPoint("core.navigation")
SUMMARIES: ExtensionPoint[Summary] = ExtensionPoint("core.summaries")
DEMO_SEEDERS: ExtensionPoint[DemoSeeder] = ExtensionPoint("core.demo_seeders")

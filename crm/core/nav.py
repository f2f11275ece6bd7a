"""The main navigation: one list, filtered per user, so no entry points at a missing page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app, request


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy translation
    visible: Callable[[Any], bool]
    section: str = "main"  # "main", "action" (the button) or "admin" (the Verwaltung menu)
    group: Any = None  # main entries with the same group label share one drop-down menu

    @property
    def is_current(self) -> bool:
        blueprint = self.endpoint.split(".")[0]
        return request.blueprint == blueprint


def items_for(user: Any, registry: Iterable[NavItem]) -> list[NavItem]:
    """The entries ``user`` may open, skipping endpoints the app does not (yet) have."""
    return [item for item in registry if item.endpoint in current_app.view_functions and item.visible(user)]


@dataclass(frozen=True)
class NavGroup:
    """Consecutive main entries with the same ``group``: shown as one drop-down menu."""

    label: Any
    items: list[NavItem]

    @property
    def is_current(self) -> bool:
        return any(item.is_current for item in self.items)


def main_entries(items: list[NavItem]) -> list[NavItem | NavGroup]:
    """The main section with grouped entries folded into drop-down menus (at their first position)."""
    entries: list[NavItem | NavGroup] = []
    groups: dict[str, NavGroup] = {}
    for item in items:
        if item.section != "main":
            continue
        if item.group is None:
            entries.append(item)
            continue
        key = str(item.group)
        if key not in groups:
            groups[key] = NavGroup(item.group, [])
            entries.append(groups[key])
        groups[key].items.append(item)
    return [g.items[0] if isinstance(g, NavGroup) and len(g.items) == 1 else g for g in entries]


def signed_in(user: Any) -> bool:
    """Visibility of entries every logged-in user sees."""
    return bool(user.is_authenticated)

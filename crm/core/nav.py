"""The main navigation: one list, filtered per user, so no entry points at a missing page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, request


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy translation
    visible: Callable[[Any], bool]
    section: str = "main"  # "main" or "admin"

    @property
    def is_current(self) -> bool:
        blueprint = self.endpoint.split(".")[0]
        return request.blueprint == blueprint


def items_for(user: Any, registry: list[NavItem]) -> list[NavItem]:
    """The entries ``user`` may open, skipping endpoints the app does not (yet) have."""
    return [item for item in registry if item.endpoint in current_app.view_functions and item.visible(user)]

"""Sections of the company page that other features contribute (timeline, memberships, …).

A panel's loader runs a fixed number of queries for one company, so the page's query count does
not grow with the data shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    template: str
    load: Callable[[Any, Any], dict[str, Any] | None]  # (organisation, user) -> context or None to hide


PANELS: list[Panel] = []


def register_panel(panel: Panel) -> None:
    """Add (or replace) a panel; panels render in ascending ``order``."""
    PANELS[:] = [p for p in PANELS if p.key != panel.key]
    PANELS.append(panel)
    PANELS.sort(key=lambda p: p.order)


def load_panels(organisation: Any, user: Any) -> list[tuple[Panel, dict[str, Any]]]:
    loaded = []
    for panel in PANELS:
        context = panel.load(organisation, user)
        if context is not None:
            loaded.append((panel, context))
    return loaded

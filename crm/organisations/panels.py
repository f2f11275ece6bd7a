"""Loading the sections other features contribute to the company page (``PANELS``)."""

from __future__ import annotations

from typing import Any

from crm.organisations.registries import PANELS, Panel


def load_panels(organisation: Any, user: Any) -> list[tuple[Panel, dict[str, Any]]]:
    """Every visible panel with its context, in page order."""
    loaded = []
    for panel in PANELS.of():
        context = panel.load(organisation, user)
        if context is not None:
            loaded.append((panel, context))
    return loaded

"""Wiring of the data-protection feature: routes, and buttons on the person and company pages."""

from __future__ import annotations

from flask import Flask

from crm.audit.labels import ENTITY_LABELS
from crm.dooropeners import integration
from crm.organisations import templating
from crm.privacy import marketing, review_views, views


def _append_once(registry: list[str], entry: str) -> None:
    if entry not in registry:
        registry.append(entry)


def init_app(app: Flask) -> None:
    """Register the blueprint (its routes live in three modules) and the page buttons."""
    assert review_views.bp is views.bp and marketing.bp is views.bp
    app.register_blueprint(views.bp)
    _append_once(integration.DOOR_OPENER_ACTIONS, "privacy/_door_opener_actions.html")
    _append_once(templating.ORGANISATION_ACTIONS, "privacy/_org_actions.html")
    app.jinja_env.globals["entity_label"] = lambda name: str(ENTITY_LABELS.get(name, name))

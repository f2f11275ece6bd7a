"""Wiring of data protection: access exports, erasure, objection list, retention review."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.audit.labels import ENTITY_LABELS
from crm.auth import permissions as p
from crm.core.nav import NavItem
from crm.core.registries import DEMO_SEEDERS, NAVIGATION, DemoSeeder
from crm.dooropeners.registries import PAGE_ACTIONS as DOOR_OPENER_ACTIONS
from crm.organisations.registries import PAGE_ACTIONS as ORGANISATION_ACTIONS
from crm.privacy import demo, marketing, review_views, views  # noqa: F401  (routes on views.bp)


def init_app(app: Flask) -> None:
    """Register the blueprint (its routes live in three modules), menu entries and page buttons."""
    app.register_blueprint(views.bp)
    nav = NAVIGATION.of(app)
    nav.add(
        "privacy.index",
        NavItem("privacy.index", _l("Datenschutz"), p.can_handle_data_requests, section="admin"),
        order=190,
    )
    nav.add(
        "privacy.processing_record",
        NavItem(
            "privacy.processing_record",
            _l("Verarbeitungsverzeichnis"),
            p.can_view_processing_record,
            section="admin",
        ),
        order=200,
    )
    DEMO_SEEDERS.of(app).add(
        "privacy", DemoSeeder("Werbesperren (Sperrliste)", demo.seed_block_list), order=95
    )
    ORGANISATION_ACTIONS.of(app).add("privacy", "privacy/_org_actions.html", order=20)
    DOOR_OPENER_ACTIONS.of(app).add("privacy", "privacy/_door_opener_actions.html", order=20)
    app.jinja_env.globals["entity_label"] = lambda name: str(ENTITY_LABELS.get(name, name))

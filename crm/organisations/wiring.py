"""Wiring of the organisations feature: companies and their contact persons."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.core.i18n import resolved
from crm.core.nav import NavItem, signed_in
from crm.core.registries import DEMO_SEEDERS, NAVIGATION, DemoSeeder
from crm.organisations import contact_views, demo, views  # noqa: F401  (contact_views: routes on views.bp)
from crm.organisations.registries import MERGE_HANDLERS, MERGE_TABLE_LABELS, MergeHandler
from crm.organisations.vocab import (
    CHAMBER_LABELS,
    SIZE_CLASS_LABELS,
    STAGE_LABELS,
    WZ_SECTIONS,
    label,
)


def init_app(app: Flask) -> None:
    """Register the blueprint, menu entry, demo data, merge rules and template helpers."""
    app.register_blueprint(views.bp)
    NAVIGATION.of(app).add(
        "organisations.index",
        NavItem("organisations.index", _l("Unternehmen"), signed_in),
        order=20,
    )
    DEMO_SEEDERS.of(app).add(
        "organisations",
        DemoSeeder("Unternehmen und Ansprechpartner/innen", demo.seed_organisations),
        order=10,
    )
    MERGE_HANDLERS.of(app).add("organisation_search_tokens", MergeHandler(None))  # rebuilt instead
    labels = MERGE_TABLE_LABELS.of(app)
    labels.add("contact_persons", _l("Ansprechpartner/innen"))
    labels.add("stage_changes", _l("Phasenwechsel"))
    labels.add("organisations", _l("früher zusammengeführte Unternehmen"))
    app.jinja_env.globals.update(
        stage_label=lambda v: label(STAGE_LABELS, v),
        stage_labels=lambda: resolved(STAGE_LABELS),
        size_labels=lambda: resolved(SIZE_CLASS_LABELS),
        size_label=lambda v: label(SIZE_CLASS_LABELS, v),
        chamber_label=lambda v: label(CHAMBER_LABELS, v),
        wz_label=lambda v: str(WZ_SECTIONS[v]) if v in WZ_SECTIONS else "",
        stage_choices=[(s.value, text) for s, text in STAGE_LABELS.items()],
        size_choices=[
            *((s.value, text) for s, text in SIZE_CLASS_LABELS.items()),
            ("unknown", _l("unbekannt")),
        ],
        wz_choices=list(WZ_SECTIONS.items()),
        chamber_choices=[(c.value, text) for c, text in CHAMBER_LABELS.items()],
    )

"""Wiring of door-openers (Türöffner), their introductions and events (Veranstaltungen)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.core.nav import NavItem, signed_in
from crm.core.registries import DEMO_SEEDERS, NAVIGATION, SUMMARIES, DemoSeeder, Summary
from crm.dooropeners import (  # noqa: F401  (report: routes on views.bp)
    demo,
    event_views,
    list_filters,
    panels,
    report,
    results,
    views,
)
from crm.dooropeners.vocab import CHANNEL_LABELS, KIND_LABELS
from crm.organisations import signals as organisation_signals
from crm.organisations.registries import (
    LIST_FILTER_TEMPLATES,
    LIST_FILTERS,
    MERGE_TABLE_LABELS,
    PANELS,
    Panel,
)
from crm.organisations.vocab import LEGAL_BASIS_LABELS, label


def init_app(app: Flask) -> None:
    """Register blueprints, menu entries, demo data, the results summary and the company-page parts."""
    app.register_blueprint(views.bp)
    app.register_blueprint(event_views.bp)
    nav = NAVIGATION.of(app)
    network = _l("Netzwerk")
    nav.add(
        "dooropeners.index",
        NavItem("dooropeners.index", _l("Türöffner"), signed_in, group=network),
        order=40,
    )
    nav.add(
        "events.index",
        NavItem("events.index", _l("Veranstaltungen"), signed_in, group=network),
        order=50,
    )
    seeders = DEMO_SEEDERS.of(app)
    seeders.add("dooropeners", DemoSeeder("Türöffner und Vermittlungen", demo.seed_door_openers), order=30)
    seeders.add("dooropeners.events", DemoSeeder("Veranstaltungen", demo.seed_events), order=31)
    SUMMARIES.of(app).add(
        "door_opener_results", Summary("door_opener_results", results.rebuild, results.differences), order=10
    )
    organisation_signals.results_changed.connect(results.on_results_changed, sender=app)

    PANELS.of(app).add(
        "introductions", Panel("dooropeners/_panel_introductions.html", panels.load_introductions), order=10
    )
    filters = LIST_FILTERS.of(app)
    for extra in list_filters.FILTERS:
        filters.add(extra.name, extra, order=10)
    LIST_FILTER_TEMPLATES.of(app).add("dooropeners", "dooropeners/_filter.html", order=10)
    labels = MERGE_TABLE_LABELS.of(app)
    labels.add("introductions", _l("Vermittlungen"))
    labels.add("event_attendances", _l("Veranstaltungsbesuche"))

    app.jinja_env.globals.update(
        channel_label=lambda v: label(CHANNEL_LABELS, v),
        door_opener_kind_label=lambda v: label(KIND_LABELS, v),
        door_opener_kind_choices=[(k.value, t) for k, t in KIND_LABELS.items()],
        legal_basis_label=lambda v: label(LEGAL_BASIS_LABELS, v),
        door_opener_name=list_filters.door_opener_name,
        event_title=list_filters.event_title,
    )

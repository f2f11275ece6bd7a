"""Wiring of the contact history: contacts, follow-ups (Wiedervorlagen) and needs analyses."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.activities import (  # noqa: F401  (list_views, needs_views: routes on views.bp)
    demo,
    filters,
    followup_views,
    list_views,
    needs_views,
    panels,
    summary,
    topic_views,
    views,
)
from crm.activities.home import home_context
from crm.activities.registries import TIMELINE_SOURCES
from crm.activities.vocab import ACTIVITY_KIND_LABELS, TRAINING_FORMAT_LABELS
from crm.auth import permissions as p
from crm.core.nav import NavItem, signed_in
from crm.core.registries import (
    DEMO_SEEDERS,
    HOME_SECTIONS,
    NAVIGATION,
    SUMMARIES,
    DemoSeeder,
    HomeSection,
    Summary,
)
from crm.organisations import signals as organisation_signals
from crm.organisations.registries import MERGE_TABLE_LABELS, PAGE_ACTIONS, PANELS, Panel
from crm.organisations.vocab import label


def init_app(app: Flask) -> None:
    """Register blueprints, menu entries, demo data, the contact summary, the timeline and its panel."""
    for blueprint in (views.bp, followup_views.bp, topic_views.bp):
        app.register_blueprint(blueprint)
    nav = NAVIGATION.of(app)
    nav.add(
        "follow_ups.index",
        NavItem("follow_ups.index", _l("Wiedervorlagen"), signed_in),
        order=30,
    )
    nav.add(
        "activities.quick_log",
        NavItem("activities.quick_log", _l("Kontakt erfassen"), p.can_log_activity, section="action"),
        order=170,
    )
    nav.add(
        "needs_topics.index",
        NavItem("needs_topics.index", _l("Bedarfsthemen"), p.can_manage_needs_topics, section="admin"),
        order=180,
    )
    seeders = DEMO_SEEDERS.of(app)
    seeders.add("activities.staff", DemoSeeder("Mitarbeitende", demo.seed_staff), order=5)
    seeders.add(
        "activities",
        DemoSeeder("Kontakte, Wiedervorlagen und Bedarfsanalysen", demo.seed_activities),
        order=20,
    )
    seeders.add(
        "activities.counts",
        DemoSeeder("Kennzahlen der Kontakte (Zusammenfassung)", demo.seed_activity_counts),
        order=90,
    )
    SUMMARIES.of(app).add(
        "activity_counts", Summary("activity_counts", summary.rebuild, summary.differences), order=20
    )
    organisation_signals.scope_changed.connect(summary.on_scope_changed, sender=app)

    sources = TIMELINE_SOURCES.of(app)
    sources.add("activity", panels.ACTIVITIES, order=10)
    sources.add("needs_analysis", panels.NEEDS_ANALYSES, order=20)
    sources.add("stage_change", panels.STAGE_CHANGES, order=90)
    PANELS.of(app).add("timeline", Panel("activities/_timeline_panel.html", panels.load_panel), order=20)
    PAGE_ACTIONS.of(app).add("activities", "activities/_org_actions.html", order=10)
    HOME_SECTIONS.of(app).add("activities", HomeSection("activities/_home.html", home_context), order=10)
    labels = MERGE_TABLE_LABELS.of(app)
    labels.add("activities", _l("Kontakte"))
    labels.add("follow_ups", _l("Wiedervorlagen"))
    labels.add("needs_analyses", _l("Bedarfsanalysen"))

    app.jinja_env.globals["timeline_url"] = panels.timeline_url
    app.jinja_env.filters["local_datetime"] = filters.local_datetime
    app.jinja_env.filters["weekday_date"] = filters.weekday_date
    app.jinja_env.globals["activity_kind_label"] = lambda v: label(ACTIVITY_KIND_LABELS, v)
    app.jinja_env.filters["training_format_label"] = lambda v: label(TRAINING_FORMAT_LABELS, v)

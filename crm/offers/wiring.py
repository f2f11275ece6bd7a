"""Wiring of offers and the acquisition board, key accounts and company groups."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.activities.registries import TIMELINE_SOURCES
from crm.auth import permissions as p
from crm.core.i18n import resolved
from crm.core.nav import NavItem, signed_in
from crm.core.registries import DEMO_SEEDERS, HOME_SECTIONS, NAVIGATION, DemoSeeder, HomeSection
from crm.offers import (  # noqa: F401  (board_views: routes on views.bp)
    board_views,
    demo,
    group_views,
    keyaccount_views,
    keyaccounts,
    merging,
    panels,
    queries,
    views,
)
from crm.offers.vocab import DECISION_ROLE_LABELS, GROUP_KIND_LABELS, LOST_REASON_LABELS, STATUS_LABELS
from crm.organisations.registries import (
    LIST_FILTER_TEMPLATES,
    LIST_FILTERS,
    MERGE_HANDLERS,
    MERGE_TABLE_LABELS,
    PANELS,
    Panel,
)
from crm.organisations.vocab import label


def init_app(app: Flask) -> None:
    """Register blueprints, menu entries, demo data, panels, timeline source, list filter and merging."""
    for blueprint in (views.bp, keyaccount_views.bp, group_views.bp):
        app.register_blueprint(blueprint)
    nav = NAVIGATION.of(app)
    sales = _l("Vertrieb")
    nav.add("offers.index", NavItem("offers.index", _l("Angebote"), signed_in, group=sales), order=60)
    nav.add("offers.board", NavItem("offers.board", _l("Akquise-Board"), signed_in, group=sales), order=70)
    nav.add(
        "keyaccounts.index",
        NavItem("keyaccounts.index", _l("Key Accounts"), p.is_manager, group=sales),
        order=80,
    )
    nav.add("groups.index", NavItem("groups.index", _l("Firmenverbünde"), signed_in, group=sales), order=90)
    DEMO_SEEDERS.of(app).add(
        "offers", DemoSeeder("Angebote, Key Accounts und Firmenverbünde", demo.seed_offers), order=50
    )
    HOME_SECTIONS.of(app).add("offers", HomeSection("offers/_home.html", queries.home_context), order=30)

    TIMELINE_SOURCES.of(app).add("offer", panels.OFFERS, order=50)
    company_panels = PANELS.of(app)
    company_panels.add(
        "key_account", Panel("offers/_key_account_panel.html", panels.load_key_account_panel), order=25
    )
    company_panels.add("offers", Panel("offers/panel.html", panels.load_panel), order=35)
    LIST_FILTERS.of(app).add("key_account", keyaccounts.FILTER, order=30)
    LIST_FILTER_TEMPLATES.of(app).add("offers", "offers/_key_account_filter.html", order=30)
    handlers = MERGE_HANDLERS.of(app)
    for table, handler in merging.HANDLERS.items():
        handlers.add(table, handler)
    labels = MERGE_TABLE_LABELS.of(app)
    labels.add("offers", _l("Angebote"))
    labels.add("company_group_members", _l("Mitgliedschaften in Firmenverbünden"))
    labels.add("company_groups", _l("Koordination von Firmenverbünden"))
    labels.add("key_accounts", _l("Key-Account-Kennzeichen"))
    labels.add("account_plans", _l("Account-Pläne"))
    labels.add("decision_map_entries", _l("Entscheiderlandkarte"))

    app.jinja_env.globals.update(
        offer_status_label=lambda v: label(STATUS_LABELS, v),
        offer_status_labels=lambda: resolved(STATUS_LABELS),
        lost_reason_label=lambda v: label(LOST_REASON_LABELS, v),
        group_kind_label=lambda v: label(GROUP_KIND_LABELS, v),
        group_kind_labels=lambda: resolved(GROUP_KIND_LABELS),
        decision_role_label=lambda v: label(DECISION_ROLE_LABELS, v),
        decision_role_labels=lambda: resolved(DECISION_ROLE_LABELS),
    )

"""Wiring of memberships, fee schedules, fee runs, fee lists and SEPA direct debits."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.auth import permissions as p
from crm.core.i18n import resolved
from crm.core.nav import NavItem
from crm.core.registries import DEMO_SEEDERS, NAVIGATION, DemoSeeder
from crm.dooropeners.registries import (
    INCOME_SOURCES,
    NAMING_RULES,
    STATUS_COLUMNS,
    IncomeSource,
    StatusColumn,
)
from crm.memberships import (  # noqa: F401  (sepa_views: routes on fee_views.bp)
    admin_views,
    demo,
    dooropener_figures,
    fee_views,
    formatting,
    panels,
    sepa_views,
    views,
)
from crm.memberships.vocab import (
    DUNNING_LABELS,
    FEE_STATUS_LABELS,
    KIND_LABELS,
    PAYMENT_METHOD_LABELS,
    PRO_RATA_LABELS,
    SCHEME_LABELS,
)
from crm.organisations.registries import MERGE_TABLE_LABELS, PANELS, Panel
from crm.organisations.vocab import label


def init_app(app: Flask) -> None:
    """Register blueprints, menu entries, demo data, the company panel and the door-opener figures."""
    for blueprint in (views.bp, fee_views.bp, admin_views.bp):
        app.register_blueprint(blueprint)
    nav = NAVIGATION.of(app)
    finances = _l("Finanzen")
    nav.add(
        "memberships.index",
        NavItem("memberships.index", _l("Mitgliedschaften"), p.can_manage_memberships, group=finances),
        order=120,
    )
    nav.add(
        "fees.fee_index",
        NavItem("fees.fee_index", _l("Beiträge"), p.can_manage_memberships, group=finances),
        order=130,
    )
    nav.add(
        "fee_settings.schedule_list",
        NavItem(
            "fee_settings.schedule_list", _l("Beiträge & SEPA"), p.can_manage_fee_settings, section="admin"
        ),
        order=150,
    )
    DEMO_SEEDERS.of(app).add(
        "memberships",
        DemoSeeder("Mitgliedschaften, Beiträge und Sponsoring", demo.seed_memberships),
        order=40,
    )
    PANELS.of(app).add("memberships", Panel("memberships/panel.html", panels.load), order=30)
    labels = MERGE_TABLE_LABELS.of(app)
    labels.add("memberships", _l("Mitgliedschaften"))
    labels.add("fees", _l("Beiträge"))
    INCOME_SOURCES.of(app).add(
        "fees", IncomeSource(_l("Mitgliedsbeiträge bezahlt"), dooropener_figures.fees_paid), order=10
    )
    STATUS_COLUMNS.of(app).add(
        "membership", StatusColumn(_l("Mitgliedschaft"), dooropener_figures.membership_status), order=10
    )
    NAMING_RULES.of(app).add("members", dooropener_figures.members)

    app.jinja_env.filters.update(fast_cents=formatting.fast_cents, fast_date=formatting.fast_date)
    app.jinja_env.globals.update(
        membership_kind_label=lambda v: label(KIND_LABELS, v),
        payment_method_label=lambda v: label(PAYMENT_METHOD_LABELS, v),
        scheme_label=lambda v: label(SCHEME_LABELS, v),
        fee_status_label=lambda v: label(FEE_STATUS_LABELS, v),
        pro_rata_label=lambda v: label(PRO_RATA_LABELS, v),
        dunning_label=lambda v: label(DUNNING_LABELS, v),
        fee_status_labels=lambda: resolved(FEE_STATUS_LABELS),
        payment_method_labels=lambda: resolved(PAYMENT_METHOD_LABELS),
        membership_kind_labels=lambda: resolved(KIND_LABELS),
    )

"""Wiring of sponsorships (Sponsoring and donations)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.auth import permissions as p
from crm.core.i18n import resolved
from crm.core.nav import NavItem
from crm.core.registries import NAVIGATION
from crm.dooropeners.registries import INCOME_SOURCES, STATUS_COLUMNS, IncomeSource, StatusColumn
from crm.organisations.registries import MERGE_TABLE_LABELS, PANELS, Panel
from crm.organisations.vocab import label
from crm.sponsorships import dooropener_figures, panels, views
from crm.sponsorships.vocab import KIND_LABELS, STATUS_LABELS, VAT_LABELS


def init_app(app: Flask) -> None:
    """Register the blueprint, menu entry, the company panel and the door-opener figures.

    Demo sponsorships come with the memberships' demo data."""
    app.register_blueprint(views.bp)
    NAVIGATION.of(app).add(
        "sponsorships.index",
        NavItem("sponsorships.index", _l("Sponsoring"), p.can_manage_sponsorships, group=_l("Finanzen")),
        order=140,
    )
    PANELS.of(app).add("sponsorships", Panel("sponsorships/panel.html", panels.load), order=40)
    MERGE_TABLE_LABELS.of(app).add("sponsorships", _l("Sponsoring"))
    INCOME_SOURCES.of(app).add(
        "sponsorships",
        IncomeSource(_l("Sponsoring bezahlt (Geld)"), dooropener_figures.sponsorships_paid),
        order=20,
    )
    STATUS_COLUMNS.of(app).add(
        "sponsorship", StatusColumn(_l("Sponsoring"), dooropener_figures.sponsorship_status), order=20
    )
    app.jinja_env.globals.update(
        sponsorship_kind_label=lambda v: label(KIND_LABELS, v),
        sponsorship_status_label=lambda v: label(STATUS_LABELS, v),
        vat_label=lambda v: label(VAT_LABELS, v),
        sponsorship_kind_labels=lambda: resolved(KIND_LABELS),
        sponsorship_status_labels=lambda: resolved(STATUS_LABELS),
    )

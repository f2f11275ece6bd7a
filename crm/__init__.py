"""CRM for education providers: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

import config as app_config
from crm.core.db import configure_engine_events
from crm.core.i18n import init_i18n
from crm.core.nav import NavItem, items_for, main_entries
from crm.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def _navigation() -> list[NavItem]:
    """Every entry of the main menu, in order; pages that do not exist yet are skipped."""
    from crm.auth import permissions as p

    return [
        NavItem("dashboard.index", _l("Dashboard"), p.can_view_dashboard),
        NavItem("organisations.index", _l("Unternehmen"), lambda u: u.is_authenticated),
        NavItem("follow_ups.index", _l("Wiedervorlagen"), lambda u: u.is_authenticated),
        NavItem("dooropeners.index", _l("Türöffner"), lambda u: u.is_authenticated, group=_l("Netzwerk")),
        NavItem("events.index", _l("Veranstaltungen"), lambda u: u.is_authenticated, group=_l("Netzwerk")),
        NavItem("offers.index", _l("Angebote"), lambda u: u.is_authenticated, group=_l("Vertrieb")),
        NavItem("offers.board", _l("Akquise-Board"), lambda u: u.is_authenticated, group=_l("Vertrieb")),
        NavItem("keyaccounts.index", _l("Key Accounts"), p.is_manager, group=_l("Vertrieb")),
        NavItem("groups.index", _l("Firmenverbünde"), lambda u: u.is_authenticated, group=_l("Vertrieb")),
        NavItem("admin_users.index", _l("Benutzer"), p.can_manage_users, section="admin"),
        NavItem("admin_audit.index", _l("Protokoll"), p.is_manager, section="admin"),
        NavItem("memberships.index", _l("Mitgliedschaften"), p.can_manage_memberships, group=_l("Finanzen")),
        NavItem("fees.fee_index", _l("Beiträge"), p.can_manage_memberships, group=_l("Finanzen")),
        NavItem("sponsorships.index", _l("Sponsoring"), p.can_manage_sponsorships, group=_l("Finanzen")),
        NavItem(
            "fee_settings.schedule_list", _l("Beiträge & SEPA"), p.can_manage_fee_settings, section="admin"
        ),
        NavItem("imports.index", _l("Import"), p.can_import, section="admin"),
        NavItem("activities.quick_log", _l("Kontakt erfassen"), p.can_log_activity, section="action"),
        NavItem("needs_topics.index", _l("Bedarfsthemen"), p.can_manage_needs_topics, section="admin"),
        NavItem("privacy.index", _l("Datenschutz"), p.can_handle_data_requests, section="admin"),
        NavItem(
            "privacy.processing_record",
            _l("Verarbeitungsverzeichnis"),
            p.can_view_processing_record,
            section="admin",
        ),
    ]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI and error pages. No I/O beyond config."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(app_config.instance_dir()),
    )
    app.config.update(app_config.from_environment(config))
    if app.config.get("TRUSTED_PROXIES"):
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)

    from crm.core.errorpages import init_error_pages
    from crm.core.security import init_security

    init_error_pages(app)
    _connect_signals(app)
    init_security(app)
    _init_templates(app)
    return app


def _connect_signals(app: Flask) -> None:
    """Features answer the core's signals (sent by this app only)."""
    from crm.audit.services import record_denial
    from crm.core.transaction import permission_denied

    permission_denied.connect(record_denial, sender=app)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        configure_engine_events(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    init_i18n(app)

    from crm.auth.services import load_session

    login_manager.init_app(app)
    login_manager.user_loader(load_session)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Bitte melden Sie sich an.")
    login_manager.login_message_category = "info"

    @app.before_request
    def _force_password_change():  # type: ignore[no-untyped-def]
        allowed = {"auth.password", "auth.logout", "static", "core.healthz"}
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in allowed
        ):
            return redirect(url_for("auth.password"))
        return None


def _select_locale() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.locale
    return "de"


def _register_blueprints(app: Flask) -> None:
    from crm.audit import views as admin_audit
    from crm.auth import admin_views as admin_users
    from crm.auth import views as auth
    from crm.core import views as core
    from crm.dooropeners import event_views
    from crm.dooropeners import integration as dooropener_integration
    from crm.dooropeners import report as dooropener_report
    from crm.dooropeners import views as dooropeners
    from crm.imports import views as imports
    from crm.organisations import contact_views, templating
    from crm.organisations import views as organisations

    for module in (core, auth, admin_users, admin_audit, organisations, dooropeners, event_views, imports):
        app.register_blueprint(module.bp)
    # These modules add routes to the blueprints above.
    assert contact_views.bp is organisations.bp and dooropener_report.bp is dooropeners.bp
    templating.init_app(app)
    dooropener_integration.init_app(app)
    _register_memberships(app)

    from crm.activities import followup_views, list_views, needs_views, setup, topic_views
    from crm.activities import views as activities

    for module in (activities, followup_views, topic_views):
        app.register_blueprint(module.bp)
    assert needs_views.bp is activities.bp and list_views.bp is activities.bp
    setup.init_app(app)

    from crm.privacy import setup as privacy_setup

    privacy_setup.init_app(app)
    from crm.dashboard import setup as dashboard_setup
    from crm.dashboard import views as dashboard

    app.register_blueprint(dashboard.bp)
    dashboard_setup.init_app(app)
    _register_offers(app)
    app.extensions["crm.nav"] = _navigation()


def _register_offers(app: Flask) -> None:
    from crm.offers import board_views, group_views, keyaccount_views
    from crm.offers import setup as offer_setup
    from crm.offers import views as offers

    assert board_views.bp is offers.bp  # the board's routes live on the offers blueprint
    for module in (offers, keyaccount_views, group_views):
        app.register_blueprint(module.bp)
    offer_setup.init_app(app)


def _register_memberships(app: Flask) -> None:
    from crm.memberships import admin_views, fee_views, sepa_views
    from crm.memberships import panels as membership_panels
    from crm.memberships import templating as membership_templating
    from crm.memberships import views as memberships
    from crm.sponsorships import panels as sponsorship_panels
    from crm.sponsorships import templating as sponsorship_templating
    from crm.sponsorships import views as sponsorships

    assert sepa_views.bp is fee_views.bp  # SEPA routes live on the fee list's blueprint
    for module in (memberships, fee_views, admin_views, sponsorships):
        app.register_blueprint(module.bp)
    membership_templating.init_app(app)
    sponsorship_templating.init_app(app)
    membership_panels.init()
    sponsorship_panels.init()


def _register_cli(app: Flask) -> None:
    # Importing a feature's cli/demo module registers its commands and demo-data seeders.
    import crm.activities.demo
    import crm.audit.cli
    import crm.auth.cli
    import crm.auth.demo
    import crm.core.demo
    import crm.core.summaries
    import crm.dooropeners.demo
    import crm.imports.cli
    import crm.memberships.demo
    import crm.offers.demo
    import crm.organisations.demo
    import crm.privacy.demo  # noqa: F401
    from crm.core.cli import crm_cli

    app.cli.add_command(crm_cli)


def _init_templates(app: Flask) -> None:
    from crm.auth.permissions import TEMPLATE_PREDICATES
    from crm.core import formatting

    app.jinja_env.globals.update(TEMPLATE_PREDICATES, get_locale=get_locale)
    app.jinja_env.filters.update(formatting.FILTERS)

    @app.context_processor
    def _navigation_context() -> dict[str, Any]:
        items = items_for(current_user, app.extensions["crm.nav"])
        return {"nav_items": items, "nav_main": main_entries(items)}

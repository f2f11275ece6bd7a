"""CRM for education providers: the application factory."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

import config as app_config
from crm.core.db import configure_engine_events
from crm.core.i18n import init_i18n
from crm.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def features() -> tuple[ModuleType, ...]:
    """Every feature's wiring module, in the order ``create_app`` calls their ``init_app(app)``.

    Each registers its blueprints, commands and template helpers and what it contributes to
    other features' registries (see ``crm.core.registry``); the order only decides which
    feature's blueprint and commands are registered first.
    """
    from crm.activities import wiring as activities
    from crm.audit import wiring as audit
    from crm.auth import wiring as auth
    from crm.core import wiring as core
    from crm.dashboard import wiring as dashboard
    from crm.dooropeners import wiring as dooropeners
    from crm.imports import wiring as imports
    from crm.memberships import wiring as memberships
    from crm.offers import wiring as offers
    from crm.organisations import wiring as organisations
    from crm.privacy import wiring as privacy
    from crm.sponsorships import wiring as sponsorships

    return (
        core,
        auth,
        audit,
        organisations,
        activities,
        dooropeners,
        memberships,
        sponsorships,
        offers,
        privacy,
        imports,
        dashboard,
    )


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, then every feature's wiring. No I/O beyond config."""
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
    wired = app.extensions.setdefault("crm.wired", [])
    for feature in features():
        if feature.__name__ in wired:
            raise RuntimeError(f"{feature.__name__} is wired twice")
        feature.init_app(app)
        wired.append(feature.__name__)
    return app


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


def _select_locale() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.locale
    return "de"

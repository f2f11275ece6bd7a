"""Wiring of users, roles and login: blueprints, the user admin, ``create-user``, demo logins."""

from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from crm.auth import admin_views, cli, demo, views
from crm.auth import permissions as p
from crm.auth.models import User
from crm.core.cli import commands
from crm.core.nav import NavItem
from crm.core.registries import DEMO_SEEDERS, NAVIGATION, DemoSeeder

# Where a user who must change the password may still go.
_BEFORE_PASSWORD_CHANGE = {"auth.password", "auth.logout", "static", "core.healthz"}


def _force_password_change() -> Response | None:
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _BEFORE_PASSWORD_CHANGE
    ):
        return redirect(url_for("auth.password"))
    return None


def init_app(app: Flask) -> None:
    """Register login and user admin, the password-change gate, permission predicates for templates."""
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    app.before_request(_force_password_change)
    NAVIGATION.of(app).add(
        "admin_users.index",
        NavItem("admin_users.index", _l("Benutzer"), p.can_manage_users, section="admin"),
        order=100,
    )
    commands(app).add_command(cli.create_user_command)
    DEMO_SEEDERS.of(app).add("users", DemoSeeder("Benutzer", demo.seed_users, fills=User), order=0)
    app.jinja_env.globals.update(p.TEMPLATE_PREDICATES)

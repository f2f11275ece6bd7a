"""Start page and health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from crm.core.registries import HOME_SECTIONS
from crm.core.transaction import unit_of_work
from crm.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
@login_required
def index() -> str:
    """Personal start page."""
    sections = [
        (section.template, ctx)
        for section in HOME_SECTIONS.of()
        if (ctx := section.load(current_user)) is not None
    ]
    return render_template("home.html", sections=sections)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness and database check for load balancers; no login, no personal data."""
    try:
        with unit_of_work():  # a failed connection is rolled back and handed back to the pool
            db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200

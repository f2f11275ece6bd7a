"""Start page and health check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from crm.extensions import db

bp = Blueprint("core", __name__)

# Sections features add to the start page: (template, load(user) -> its context or None to hide).
HOME_SECTIONS: list[tuple[str, Callable[[Any], dict[str, Any] | None]]] = []


@bp.get("/")
@login_required
def index() -> str:
    """Personal start page."""
    sections = [
        (template, ctx) for template, load in HOME_SECTIONS if (ctx := load(current_user)) is not None
    ]
    return render_template("home.html", sections=sections)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness and database check for load balancers; no login, no personal data."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200

"""German error pages without tracebacks, and the mapping of domain errors to status codes.

A refused request (403) goes through ``crm.core.transaction.audit_denial``, which sends
``permission_denied``; the audit feature records it. The core knows no feature, so it announces
the denial instead of writing the audit entry itself.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from crm.core.errors import DomainError
from crm.core.transaction import audit_denial, stale_conflict
from crm.extensions import db

log = logging.getLogger(__name__)

TITLES = {
    400: _l("Ungültige Anfrage"),
    403: _l("Keine Berechtigung"),
    404: _l("Nicht gefunden"),
    405: _l("Methode nicht erlaubt"),
    409: _l("Konflikt"),
    413: _l("Datei zu groß"),
    429: _l("Zu viele Versuche"),
    500: _l("Interner Fehler"),
    503: _l("Vorübergehend nicht verfügbar"),
}


def _texts() -> dict[int, str]:
    return {
        400: _("Die Anfrage war ungültig."),
        403: _("Sie haben keine Berechtigung für diese Seite oder Aktion."),
        404: _("Die Seite oder der Datensatz wurde nicht gefunden."),
        405: _("Diese Aktion ist auf diesem Weg nicht möglich."),
        409: _("Der Datensatz wurde inzwischen von jemand anderem geändert."),
        413: _("Die übertragene Datei ist zu groß."),
        429: _("Zu viele Versuche in kurzer Zeit. Bitte warten Sie einige Minuten."),
        500: _("Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später erneut."),
        503: _("Der Dienst ist vorübergehend nicht verfügbar."),
    }


def render_error(code: int, detail: str | None = None):  # type: ignore[no-untyped-def]
    """The error page for ``code`` with an optional specific message."""
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=TITLES.get(code, _l("Fehler")),
            text=_texts().get(code, ""),
            detail=detail,
        ),
        code,
    )


def init_error_pages(app: Flask) -> None:
    """Register handlers for HTTP errors, CSRF failures, domain errors and crashes."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        return render_error(
            400,
            _(
                "Das Formular ist abgelaufen oder unvollständig. Bitte laden Sie die Seite neu "
                "und senden Sie es erneut."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        if code >= 500:
            db.session.rollback()
        if code == 403:
            audit_denial()
        detail = error.description if _is_custom(error) else None
        response = render_error(code, detail)
        headers = dict(error.get_headers()) if code in (405, 429) else {}
        headers.pop("Content-Type", None)
        return (*response, headers) if headers else response

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        if error.status_code == 403:
            audit_denial(error.message)
        return render_error(error.status_code, error.message)

    @app.errorhandler(StaleDataError)
    def _stale(error: StaleDataError):  # type: ignore[no-untyped-def]
        # A save the version column refused, where no view offers a conflict page: still a 409.
        db.session.rollback()
        return render_error(409, stale_conflict().message)

    @app.errorhandler(Exception)
    def _crash(error: Exception):  # type: ignore[no-untyped-def]
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("unhandled error")
        db.session.rollback()
        return render_error(500)


def _is_custom(error: HTTPException) -> bool:
    """True if the description was written by us rather than werkzeug's English default."""
    default = type(error).description
    return (
        bool(error.description)
        and error.description != default
        and not isinstance(error, InternalServerError)
    )

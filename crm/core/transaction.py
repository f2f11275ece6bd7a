"""The one transaction edge: a unit of work commits when it succeeds and rolls back on any failure.

A view says what to do; this module decides commit or rollback (the idea of indico's request
handler, ``indico/web/rh.py``, and of cosmicpython's unit of work). Services flush and never
commit; views and CLI commands never call ``commit()`` or ``rollback()`` themselves (a test
checks that), so a forgotten rollback cannot happen. From plain to convenient:

``unit_of_work()``
    Commit when the block ends; on any exception roll back and re-raise.
``transaction(form)``
    The same, but a domain error is answered instead of raised: rolled back, audited when it is
    a permission denial, its message put on ``form`` (or flashed); the yielded ``Outcome`` tells
    the view what happened. A stale save (``Conflict``, or ``StaleDataError`` from the version
    column) is an outcome too, for the view's conflict page.
``submit(form, action, ...)``
    A form's save: validate, run in a transaction, flash, redirect — or None to show the form
    again.
``perform(action, ...)``
    The POST behind a button: confirm, run in a transaction, flash, redirect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import click
from blinker import Namespace
from flask import abort, current_app, flash, has_request_context, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from crm.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from crm.core.forms import ConfirmForm, apply_errors
from crm.extensions import db

T = TypeVar("T")
# What to flash: a text, a (text, category) pair — the category defaults to "success" — or a
# list of those (e.g. the success and a warning about the record just saved).
Message = str | tuple[str, str] | list[str | tuple[str, str]]

signals = Namespace()
permission_denied = signals.signal("permission-denied")
"""Sent with the app as sender, and ``method``, ``path`` and ``reason`` (the service's message or
None), whenever a request is refused — with a 403 page or with a flash and a redirect.

Receivers run after the refused request's unit of work was rolled back; what they add to the
session is committed in its own small transaction (``audit_denial``).
"""


@dataclass
class Outcome:
    """What became of a ``transaction()``: committed (``ok``) or refused with ``error``."""

    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def conflict(self) -> bool:
        """Refused because someone else saved the record first (optimistic locking)."""
        return isinstance(self.error, Conflict)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit when the block ends normally; on any exception roll back and re-raise it."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def cli_transaction() -> Iterator[None]:
    """A CLI command's unit of work: a domain error becomes a ``ClickException`` (message, exit 1)."""
    try:
        with unit_of_work():
            yield
    except ValidationFailed as error:
        raise click.ClickException(" ".join(m for ms in error.errors.values() for m in ms)) from None
    except DomainError as error:
        raise click.ClickException(error.message) from None


def audit_denial(reason: str | None = None) -> None:
    """Roll back the refused work, then keep the denial in a commit of its own.

    The one place every permission denial passes: the error pages call it for a 403, and
    ``transaction()`` for a ``PermissionDenied`` it answers with a message or a redirect.
    """
    db.session.rollback()
    method, path = (request.method, request.path[:300]) if has_request_context() else (None, None)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    permission_denied.send(app, method=method, path=path, reason=reason)
    db.session.commit()


def stale_conflict() -> Conflict:
    """The conflict for a save the version column refused (``StaleDataError`` at flush time)."""
    return Conflict(_("Der Datensatz wurde inzwischen von jemand anderem geändert."))


@contextmanager
def transaction(
    form: FlaskForm | None = None,
    *,
    conflict: str | None = None,
    handles: tuple[type[DomainError], ...] = (),
) -> Iterator[Outcome]:
    """A unit of work whose domain errors become its ``Outcome`` instead of propagating.

    On a domain error the work is rolled back and a ``PermissionDenied`` audited. The message goes
    onto ``form`` (field errors; the rest flashed) or, without a form, is flashed as "danger"; a
    stale save is flashed as a warning (``conflict`` replaces its text). Errors of the types in
    ``handles`` are not reported: the view answers them itself (``Conflict``: the conflict page).
    Any other exception is rolled back and re-raised (the error pages answer it).
    """
    outcome = Outcome()
    try:
        with unit_of_work():
            yield outcome
    except StaleDataError:
        outcome.error = stale_conflict()
    except DomainError as error:
        outcome.error = error
        if isinstance(error, PermissionDenied):
            audit_denial(error.message)
    else:
        return
    error = outcome.error
    if isinstance(error, handles):
        return
    if isinstance(error, Conflict):
        flash(conflict or error.message, "warning")
    elif form is not None:
        apply_errors(form, error)
    else:
        flash(error.message, "danger")


def _flash(message: Message | None) -> None:
    for item in message if isinstance(message, list) else [message] if message else []:
        text, category = item if isinstance(item, tuple) else (item, "success")
        flash(text, category)


def _resolve(value: T | Callable[[Any], T], result: Any) -> T:
    return value(result) if callable(value) else value  # type: ignore[return-value]


def submit(
    form: FlaskForm,
    action: Callable[[], T],
    *,
    success: Message | Callable[[T], Message | None] | None,
    redirect_to: str | Callable[[T], str],
    on_conflict: Callable[[], ResponseReturnValue] | None = None,
) -> ResponseReturnValue | None:
    """Save a form: once ``form`` validates, run ``action`` in one transaction, flash, redirect.

    ``success`` and ``redirect_to`` may be functions of what ``action`` returned (e.g. the new
    record); they run before the commit, while that record is still loaded. Returns None when
    the form is to be shown again — invalid input, or refused by the service (its reasons are
    then on the form). ``on_conflict`` answers a stale save, typically with the conflict page.
    """
    if not form.validate_on_submit():
        return None
    with transaction(form, handles=(Conflict,) if on_conflict else ()) as outcome:
        result = action()
        message, target = _resolve(success, result), _resolve(redirect_to, result)
    if outcome.conflict and on_conflict is not None:
        return on_conflict()
    if not outcome.ok:
        return None
    _flash(message)
    return redirect(target)


def perform(
    action: Callable[[], T],
    *,
    success: Message | Callable[[T], Message | None] | None,
    redirect_to: str,
    refused_to: str | None = None,
    conflict: str | None = None,
    confirm: bool = True,
) -> Response:
    """The POST behind a button: confirm, run ``action`` in one transaction, flash, redirect.

    ``confirm`` checks the button's form (its CSRF token; 400 otherwise). A refusal is flashed
    and redirects to ``refused_to`` (default ``redirect_to``); ``conflict`` is the warning for a
    stale save. ``success`` may be a function of the action's result.
    """
    if confirm and not ConfirmForm().validate_on_submit():
        abort(400)
    with transaction(conflict=conflict) as outcome:
        result = action()
        message = _resolve(success, result)
    if not outcome.ok:
        return redirect(refused_to or redirect_to)
    _flash(message)
    return redirect(redirect_to)

"""Contact persons of a company: add, edit (with optimistic locking), remove."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from crm.auth import permissions
from crm.auth.forms import ConfirmForm
from crm.core.errors import Conflict, DomainError
from crm.core.forms import apply_errors
from crm.extensions import db
from crm.organisations import contacts as services
from crm.organisations.forms import ContactPersonForm
from crm.organisations.models import ContactPerson
from crm.organisations.views import bp
from crm.organisations.visibility import organisation_or_404
from crm.privacy.suppression import BLOCK_LIST_WARNING


def _contact_or_404(org_id: int, contact_id: int) -> tuple[Any, ContactPerson]:
    org = organisation_or_404(org_id, current_user)
    contact = db.session.get(ContactPerson, contact_id)
    if contact is None or contact.organisation_id != org.id or contact.is_archived:
        abort(404)
    return org, contact


def _data(form: ContactPersonForm) -> dict[str, Any]:
    return {name: form[name].data for name in services.CONTACT_FIELDS if name in form}


@bp.route("/<int:org_id>/contacts/new", methods=["GET", "POST"])
@login_required
def contact_new(org_id: int) -> str | Response:
    """Add a contact person."""
    org = organisation_or_404(org_id, current_user)
    permissions.require(permissions.can_edit_organisation(current_user, org))
    form = ContactPersonForm()
    if form.validate_on_submit():
        try:
            contact = services.create_contact(org, _data(form), actor=current_user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s wurde hinzugefügt.", name=contact.full_name), "success")
            if contact.marketing_blocked and not form.marketing_blocked.data:
                flash(BLOCK_LIST_WARNING, "warning")
            return redirect(url_for("organisations.detail", org_id=org.id) + "#contacts")
    return render_template("organisations/contact_form.html", form=form, org=org, contact=None)


@bp.route("/<int:org_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@login_required
def contact_edit(org_id: int, contact_id: int) -> tuple[str, int] | str | Response:
    """Edit a contact person; an outdated save shows both versions (409)."""
    org, contact = _contact_or_404(org_id, contact_id)
    permissions.require(permissions.can_edit_organisation(current_user, org))
    form = ContactPersonForm(obj=contact)
    if not form.is_submitted():
        form.version.data = str(contact.version)
        form.legal_basis.data = contact.legal_basis.value
    if form.validate_on_submit():
        data = _data(form)
        try:
            services.update_contact(
                contact, data, expected_version=int(form.version.data or 0), actor=current_user
            )
            db.session.commit()
        except (Conflict, StaleDataError):
            db.session.rollback()
            org, contact = _contact_or_404(org_id, contact_id)
            current = services.contact_snapshot(contact)
            conflict = [
                (form[name].label.text, _show(current.get(name)), _show(data.get(name)))
                for name in data
                if _show(current.get(name)) != _show(data.get(name))
            ]
            form.version.data = str(contact.version)
            return render_template(
                "organisations/contact_form.html", form=form, org=org, contact=contact, conflict=conflict
            ), 409
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            org, contact = _contact_or_404(org_id, contact_id)
        else:
            flash(_("Änderungen gespeichert."), "success")
            return redirect(url_for("organisations.detail", org_id=org.id) + "#contacts")
    return render_template(
        "organisations/contact_form.html", form=form, org=org, contact=contact, confirm_form=ConfirmForm()
    )


def _show(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if hasattr(value, "value"):
        return str(value.value)
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


@bp.post("/<int:org_id>/contacts/<int:contact_id>/remove")
@login_required
def contact_remove(org_id: int, contact_id: int) -> Response:
    """Remove a contact person from the company's list."""
    org, contact = _contact_or_404(org_id, contact_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_contact(contact, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("%(name)s wurde entfernt.", name=contact.full_name), "success")
    return redirect(url_for("organisations.detail", org_id=org.id) + "#contacts")

"""Contact persons of a company: add, edit (with optimistic locking), remove."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from crm.auth import permissions
from crm.core.conflicts import conflict_page, conflict_rows
from crm.core.forms import ConfirmForm
from crm.core.transaction import perform, submit
from crm.extensions import db
from crm.organisations import contacts as services
from crm.organisations.forms import ContactPersonForm
from crm.organisations.models import ContactPerson
from crm.organisations.views import bp
from crm.organisations.visibility import organisation_or_404
from crm.privacy.suppression import block_list_note


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
    done = submit(
        form,
        lambda: services.create_contact(org, _data(form), actor=current_user),
        success=lambda contact: [
            _("%(name)s wurde hinzugefügt.", name=contact.full_name),
            *block_list_note(contact.marketing_blocked, form.marketing_blocked.data),
        ],
        redirect_to=url_for("organisations.detail", org_id=org.id) + "#contacts",
    )
    if done is not None:
        return done
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
    done = submit(
        form,
        lambda: services.update_contact(
            contact, _data(form), expected_version=form.version.expected, actor=current_user
        ),
        success=_("Änderungen gespeichert."),
        redirect_to=url_for("organisations.detail", org_id=org.id) + "#contacts",
        on_conflict=lambda: _conflict(form, org_id, contact_id),
    )
    if done is not None:
        return done
    return render_template(
        "organisations/contact_form.html", form=form, org=org, contact=contact, confirm_form=ConfirmForm()
    )


def _conflict(form: ContactPersonForm, org_id: int, contact_id: int) -> tuple[str, int]:
    """Both versions side by side (409); the form keeps the input."""
    org, contact = _contact_or_404(org_id, contact_id)
    rows = conflict_rows(form, services.contact_snapshot(contact), _data(form))
    return conflict_page(
        "organisations/contact_form.html",
        form=form,
        version=contact.version,
        rows=rows,
        org=org,
        contact=contact,
    )


@bp.post("/<int:org_id>/contacts/<int:contact_id>/remove")
@login_required
def contact_remove(org_id: int, contact_id: int) -> Response:
    """Remove a contact person from the company's list."""
    org, contact = _contact_or_404(org_id, contact_id)
    return perform(
        lambda: services.remove_contact(contact, actor=current_user),
        success=_("%(name)s wurde entfernt.", name=contact.full_name),
        redirect_to=url_for("organisations.detail", org_id=org.id) + "#contacts",
    )

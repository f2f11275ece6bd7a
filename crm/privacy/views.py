"""Data-subject requests: find the person, show or download what is stored, erase on request."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.audit.labels import ACTION_LABELS
from crm.audit.services import record
from crm.auth.models import Role
from crm.auth.permissions import role_required
from crm.core.db import writes_on_get
from crm.core.transaction import submit, unit_of_work
from crm.dooropeners.models import DoorOpener
from crm.extensions import db
from crm.organisations.models import ContactPerson, Organisation
from crm.organisations.visibility import organisation_or_404, organisation_visibility
from crm.privacy import access, erasure
from crm.privacy.forms import ErasureForm
from crm.privacy.suppression import normalise_email

bp = Blueprint("privacy", __name__)
SEARCH_LIMIT = 50


def _contact_or_404(contact_id: int) -> ContactPerson:
    contact = db.session.get(ContactPerson, contact_id)
    if contact is None:
        abort(404)
    organisation_or_404(contact.organisation_id, current_user)  # the company must be visible
    return contact


def _door_opener_or_404(door_opener_id: int) -> DoorOpener:
    door_opener = db.session.get(DoorOpener, door_opener_id)
    if door_opener is None:
        abort(404)
    return door_opener


def _visible_companies() -> sa.ColumnElement[bool]:
    return sa.or_(organisation_visibility(current_user), organisation_visibility(current_user, archived=True))


def _name_condition(model: Any, q: str) -> sa.ColumnElement[bool]:
    if "@" in q:
        return sa.func.lower(model.email) == normalise_email(q)
    words = [w for w in q.split() if w][:4]
    return sa.and_(
        *(
            sa.or_(
                model.first_name.istartswith(w, autoescape=True),
                model.last_name.istartswith(w, autoescape=True),
            )
            for w in words
        )
    )


@bp.get("/privacy/")
@role_required(Role.MANAGER)
def index() -> str:
    """Start of a data-subject request: find contact persons and door-openers by name or e-mail."""
    q = request.args.get("q", "").strip()[:200]
    contacts: list[Any] = []
    door_openers: list[DoorOpener] = []
    if q:
        contacts = list(
            db.session.execute(
                sa.select(ContactPerson, Organisation.name)
                .join(Organisation, Organisation.id == ContactPerson.organisation_id)
                .where(
                    _visible_companies(), ContactPerson.erased_at.is_(None), _name_condition(ContactPerson, q)
                )
                .order_by(ContactPerson.last_name, ContactPerson.first_name, ContactPerson.id)
                .limit(SEARCH_LIMIT)
            ).all()
        )
        door_openers = list(
            db.session.scalars(
                sa.select(DoorOpener)
                .where(DoorOpener.erased_at.is_(None), _name_condition(DoorOpener, q))
                .order_by(DoorOpener.last_name, DoorOpener.id)
                .limit(SEARCH_LIMIT)
            )
        )
    return render_template(
        "privacy/index.html", q=q, contacts=contacts, door_openers=door_openers, limit=SEARCH_LIMIT
    )


# --- access (Art. 15) ------------------------------------------------------------------------


def _access(kind: str, subject: Any, document: dict[str, Any], as_json: bool) -> Any:
    with unit_of_work():
        record(
            "access_request",
            entity=subject,
            actor=current_user,
            details={"format": "json" if as_json else "html"},
        )
    if as_json:
        body = json.dumps(document, ensure_ascii=False, indent=2)
        filename = f"auskunft-{kind}-{subject.id}-{date.today().isoformat()}.json"
        return Response(
            body,
            mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return render_template(
        "privacy/access.html",
        doc=document,
        kind=kind,
        subject=subject,
        field_labels=access.FIELD_LABELS,
        action_labels=ACTION_LABELS,
    )


@bp.get("/privacy/contacts/<int:contact_id>/access")
@bp.get("/privacy/contacts/<int:contact_id>/access.json", endpoint="contact_access_json")
@writes_on_get
@role_required(Role.MANAGER)
def contact_access(contact_id: int) -> Any:
    """Everything stored about a contact person, printable (or as JSON); logged."""
    contact = _contact_or_404(contact_id)
    return _access(
        "ansprechperson", contact, access.contact_person_export(contact), request.path.endswith(".json")
    )


@bp.get("/privacy/door-openers/<int:door_opener_id>/access")
@bp.get("/privacy/door-openers/<int:door_opener_id>/access.json", endpoint="door_opener_access_json")
@writes_on_get
@role_required(Role.MANAGER)
def door_opener_access(door_opener_id: int) -> Any:
    """Everything stored about a door-opener person, printable (or as JSON); logged."""
    door_opener = _door_opener_or_404(door_opener_id)
    return _access(
        "tueroeffner", door_opener, access.door_opener_export(door_opener), request.path.endswith(".json")
    )


# --- erasure (Art. 17) -----------------------------------------------------------------------


def _erase_page(subject: Any, kind: str, name: str, back: str, run: Any) -> Any:
    if subject.erased_at is not None:
        flash(_("Diese Daten wurden bereits gelöscht."), "info")
        return redirect(back)
    form = ErasureForm()
    done = submit(
        form,
        lambda: run(reason=form.reason.data, password=form.password.data, actor=current_user),
        success=_erased_message,
        redirect_to=back,
    )
    return done or render_template("privacy/erase.html", form=form, kind=kind, name=name, back=back)


def _erased_message(result: Any) -> str:
    message = _("Die personenbezogenen Daten wurden gelöscht bzw. anonymisiert.")
    if result.holds:
        message += " " + _(
            "%(n)s Datensätze unterliegen einer Aufbewahrungspflicht und bleiben eingeschränkt erhalten.",
            n=len(result.holds),
        )
    return message


@bp.route("/privacy/contacts/<int:contact_id>/erase", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def contact_erase(contact_id: int) -> Any:
    """Erase a contact person (reason and password required; irreversible)."""
    contact = _contact_or_404(contact_id)
    back = url_for("organisations.detail", org_id=contact.organisation_id)
    return _erase_page(
        contact,
        "contact",
        contact.full_name,
        back,
        lambda **kw: erasure.erase_contact_person(contact, **kw),
    )


@bp.route("/privacy/door-openers/<int:door_opener_id>/erase", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def door_opener_erase(door_opener_id: int) -> Any:
    """Erase a door-opener person; the institution and its introductions stay."""
    door_opener = _door_opener_or_404(door_opener_id)
    back = url_for("dooropeners.detail", door_opener_id=door_opener.id)
    return _erase_page(
        door_opener,
        "door_opener",
        door_opener.display_name,
        back,
        lambda **kw: erasure.erase_door_opener(door_opener, **kw),
    )


@bp.route("/privacy/organisations/<int:org_id>/erase", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def organisation_erase(org_id: int) -> Any:
    """Anonymise a sole trader (a company named after a person) with its contact persons."""
    org = organisation_or_404(org_id, current_user)
    back = url_for("organisations.detail", org_id=org.id)
    return _erase_page(
        org, "organisation", org.name, back, lambda **kw: erasure.erase_organisation(org, **kw)
    )

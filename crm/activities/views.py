"""Logging contacts: from a company page, the quick log with company search, edit and delete."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from crm.activities import dates, services
from crm.activities.followups import FollowUpRequest
from crm.activities.forms import ActivityForm
from crm.activities.models import Activity, FollowUp
from crm.auth import permissions
from crm.core.conflicts import conflict_page, conflict_rows
from crm.core.forms import ConfirmForm
from crm.core.transaction import perform, submit, transaction
from crm.extensions import db
from crm.organisations.models import ContactPerson, Organisation
from crm.organisations.search import matches_query
from crm.organisations.services import active_users
from crm.organisations.visibility import (
    can_view_organisation,
    organisation_or_404,
    organisation_or_none,
    organisation_visibility,
)

bp = Blueprint("activities", __name__)

SEARCH_LIMIT = 10


def active_contacts(org: Organisation | None, keep: list[ContactPerson] = ()) -> list[ContactPerson]:
    """The company's people to choose from: the active ones, and those in ``keep`` (already linked)."""
    if org is None:
        return []
    kept = {p.id for p in keep}
    return [c for c in org.contacts if not c.is_archived or c.id in kept]


def _form_data(form: ActivityForm) -> dict[str, Any]:
    return {name: form[name].data for name in (*services.FIELDS, "contact_person_ids")}


def search_companies(q: str, user: Any, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Companies ``user`` may see whose words start with the words of ``q``, with their contacts."""
    condition = matches_query(q) if len(q.strip()) >= 2 else None
    if condition is None:
        return []
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.city)
        .where(organisation_visibility(user), condition)
        .order_by(Organisation.name_sort, Organisation.id)
        .limit(limit)
    ).all()
    contacts: dict[int, list[dict[str, Any]]] = {row.id: [] for row in rows}
    if rows:
        for person in db.session.scalars(
            sa.select(ContactPerson)
            .where(ContactPerson.organisation_id.in_(contacts), ContactPerson.is_archived.is_(False))
            .order_by(ContactPerson.last_name, ContactPerson.first_name, ContactPerson.id)
        ):
            contacts[person.organisation_id].append({"id": person.id, "name": person.full_name})
    return [{"id": r.id, "name": r.name, "city": r.city or "", "contacts": contacts[r.id]} for r in rows]


@bp.get("/activities/companies.json")
@login_required
def companies_json() -> Response:
    """Autocomplete of the quick log: at most ten visible companies with their contact persons."""
    q = request.args.get("q", "")[:100]
    return jsonify(results=search_companies(q, current_user))


def _follow_up_to_complete(raw: str | None) -> FollowUp | None:
    """The open follow-up named by ``follow_up`` that the user may complete, else 404."""
    if not raw:
        return None
    if not raw.isdigit():
        abort(400)
    follow_up = db.session.get(FollowUp, int(raw))
    if (
        follow_up is None
        or follow_up.is_done
        or not permissions.can_manage_follow_up(current_user, follow_up)
        or not can_view_organisation(current_user, follow_up.organisation)
    ):
        abort(404)
    return follow_up


def _log(org: Organisation | None, *, quick: bool, follow_up: FollowUp | None = None, **extra: Any) -> Any:
    """The contact form for ``org`` (None: not chosen yet) — shared by both entry points."""
    form = ActivityForm()
    if request.method == "GET":
        form.occurred_at.data = dates.local_input()
        form.follow_up_assignee_id.data = current_user.id
        if org is not None:
            form.organisation_id.data = str(org.id)
        if follow_up is not None:
            form.follow_up_id.data = str(follow_up.id)
            form.subject.data = follow_up.what
    if form.validate_on_submit():
        if org is None:
            form.organisation_id.errors = [_("Bitte ein Unternehmen auswählen.")]
        else:
            data = _form_data(form)
            default_what = data.get("next_step") or _("Nachfassen: %(subject)s", subject=data.get("subject"))
            request_ = FollowUpRequest.from_form(form.data, default_what=default_what[:300])
            with transaction(form) as outcome:
                activity = services.log_activity(
                    org, data, actor=current_user, follow_up=request_, completes=follow_up
                )
                name, org_id = org.name, activity.organisation_id  # read before commit expires them
            if outcome.ok:
                flash(_("Kontakt mit %(name)s gespeichert.", name=name), "success")
                if quick and follow_up is not None:
                    return redirect(url_for("follow_ups.index"))
                return redirect(url_for("organisations.detail", org_id=org_id) + "#timeline")
    # Choices only matter for showing the form: the service checks ids and assignees itself.
    form.setup(contacts=active_contacts(org), users=active_users())
    return render_template(
        "activities/form.html", form=form, org=org, activity=None, quick=quick, follow_up=follow_up, **extra
    )


@bp.route("/organisations/<int:org_id>/activities/new", methods=["GET", "POST"])
@login_required
def new(org_id: int) -> Any:
    """Log a contact with this company."""
    org = organisation_or_404(org_id, current_user)
    permissions.require(permissions.can_log_activity(current_user))
    follow_up = _follow_up_to_complete(request.values.get("follow_up_id") or request.args.get("follow_up"))
    if follow_up is not None and follow_up.organisation_id != org.id:
        abort(404)
    return _log(org, quick=False, follow_up=follow_up)


@bp.route("/activities/new", methods=["GET", "POST"])
@login_required
def quick_log() -> Any:
    """Log a contact from anywhere: pick the company (search works without JavaScript too)."""
    permissions.require(permissions.can_log_activity(current_user))
    follow_up = _follow_up_to_complete(request.values.get("follow_up_id") or request.args.get("follow_up"))
    org = follow_up.organisation if follow_up is not None else None
    pick_error = None
    raw_id = request.values.get("organisation_id", "")
    if org is None and raw_id:
        org = organisation_or_none(int(raw_id), current_user) if raw_id.isdigit() else None
        if org is None:
            pick_error = _("Dieses Unternehmen gibt es nicht (mehr) oder es ist archiviert.")
    q = request.args.get("q", "").strip()[:100]
    results = search_companies(q, current_user, limit=20) if q and org is None else []
    return _log(org, quick=True, follow_up=follow_up, q=q, results=results, pick_error=pick_error)


def _activity_or_404(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or not can_view_organisation(current_user, activity.organisation):
        abort(404)
    return activity


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit(activity_id: int) -> Any:
    """Edit a logged contact; a save based on an old version gets both versions (409)."""
    activity = _activity_or_404(activity_id)
    permissions.require(permissions.can_edit_activity(current_user, activity))
    org = activity.organisation
    form = ActivityForm(obj=activity)
    form.setup(contacts=active_contacts(org, activity.participants), users=[], with_follow_up=False)
    if not form.is_submitted():
        form.occurred_at.data = dates.local_input(activity.occurred_at)
        form.contact_person_ids.data = [p.id for p in activity.participants]
        form.version.data = str(activity.version)
    done = submit(
        form,
        lambda: services.update_activity(
            activity, _form_data(form), expected_version=form.version.expected, actor=current_user
        ),
        success=_("Änderungen gespeichert."),
        redirect_to=url_for("organisations.detail", org_id=org.id) + "#timeline",
        on_conflict=lambda: _conflict(activity_id, form),
    )
    if done is not None:
        return done
    return render_template(
        "activities/form.html",
        form=form,
        org=activity.organisation,
        activity=activity,
        quick=False,
        confirm_form=ConfirmForm(),
    )


def _conflict(activity_id: int, form: ActivityForm) -> tuple[str, int]:
    """Both versions side by side; the form keeps the user's input on top of the newer version."""
    activity = _activity_or_404(activity_id)
    current = services.snapshot(activity)
    submitted = _form_data(form)
    submitted["occurred_at"] = (
        dates.from_local(submitted["occurred_at"]) if submitted["occurred_at"] else None
    )
    submitted["contact_person_ids"] = sorted(submitted["contact_person_ids"] or [])
    names = {p.id: p.full_name for p in activity.organisation.contacts}

    def show(name: str, value: Any) -> str:
        if value in (None, "", []):
            return "–"
        if name == "occurred_at":
            return dates.local_input(value).strftime("%d.%m.%Y %H:%M")
        if name == "contact_person_ids":
            return ", ".join(names.get(i, str(i)) for i in value)
        return str(getattr(value, "value", value))

    return conflict_page(
        "activities/form.html",
        form=form,
        version=activity.version,
        rows=conflict_rows(form, current, submitted, names=current, show=show),
        org=activity.organisation,
        activity=activity,
        quick=False,
    )


@bp.post("/activities/<int:activity_id>/delete")
@login_required
def delete(activity_id: int) -> Response:
    """Delete a logged contact (own ones within the edit window; managers always)."""
    activity = _activity_or_404(activity_id)
    permissions.require(permissions.can_edit_activity(current_user, activity))
    return perform(
        lambda: services.delete_activity(activity, actor=current_user),
        success=_("Kontakt gelöscht."),
        redirect_to=url_for("organisations.detail", org_id=activity.organisation_id) + "#timeline",
        refused_to=url_for("activities.edit", activity_id=activity_id),
    )

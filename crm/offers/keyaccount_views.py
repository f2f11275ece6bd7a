"""Key-account pages: plan vs actual for a year, mark / edit the account plan, remove the mark."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from crm.activities.dates import local_today
from crm.auth.forms import ConfirmForm
from crm.auth.models import Role
from crm.auth.permissions import role_required
from crm.core.errors import Conflict, DomainError
from crm.core.forms import apply_errors
from crm.core.params import int_arg
from crm.extensions import db
from crm.offers import keyaccounts
from crm.offers.forms import KeyAccountForm
from crm.offers.models import KeyAccount
from crm.organisations.visibility import organisation_or_404

bp = Blueprint("keyaccounts", __name__, url_prefix="/key-accounts")


@bp.get("/")
@role_required(Role.MANAGER)
def index() -> str:
    """Every key account with the year's plan against won offers and paid fees."""
    year = int_arg("year", default=local_today().year) or local_today().year
    if not 2000 <= year <= 2100:
        abort(400)
    rows = keyaccounts.plan_vs_actual(year, current_user)
    return render_template("offers/key_accounts.html", rows=rows, totals=keyaccounts.totals(rows), year=year)


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def edit(org_id: int) -> str | Response:
    """Mark a company as key account, or edit its plan for a year and its decision-maker map."""
    org = organisation_or_404(org_id, current_user)
    if org.is_archived:
        abort(404)
    account = db.session.get(KeyAccount, org.id)
    year = int_arg("year", default=local_today().year) or local_today().year
    contacts = [c for c in org.contacts if not c.is_archived]
    form = KeyAccountForm()
    if request.method == "GET":
        plan = keyaccounts.plan_for(org.id, year)
        roles = keyaccounts.decision_map(org.id)
        form.year.data = year
        form.goals.data = plan.goals if plan else None
        form.revenue_potential_cents.data = plan.revenue_potential_cents if plan else None
        form.next_review_on.data = account.next_review_on if account else None
        form.version.data = str(account.version) if account else ""
        for contact in contacts:
            entry = roles.get(contact.id)
            form.decision_map.append_entry(
                {
                    "contact_id": str(contact.id),
                    "role": entry.role.value if entry else "",
                    "note": entry.note if entry else "",
                }
            )
    if form.validate_on_submit():
        data = keyaccounts.PlanInput(
            year=form.year.data,
            goals=(form.goals.data or "").strip() or None,
            revenue_potential_cents=form.revenue_potential_cents.data or 0,
            next_review_on=form.next_review_on.data,
            roles={
                int(e.contact_id.data): (e.role.data or None, e.note.data) for e in form.decision_map.entries
            },
        )
        try:
            keyaccounts.save_key_account(
                org,
                data,
                actor=current_user,
                expected_version=int(form.version.data) if form.version.data else None,
            )
            db.session.commit()
        except (Conflict, StaleDataError):
            db.session.rollback()
            flash(_("Der Account-Plan wurde inzwischen geändert. Bitte erneut bearbeiten."), "warning")
            return redirect(url_for("keyaccounts.edit", org_id=org_id, year=data.year))
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            org = organisation_or_404(org_id, current_user)
        else:
            flash(_("Account-Plan gespeichert."), "success")
            return redirect(url_for("organisations.detail", org_id=org_id) + "#key-account")
    names = {c.id: c for c in contacts}
    return render_template(
        "offers/key_account_form.html", form=form, org=org, account=account, contacts=names
    )


@bp.post("/<int:org_id>/remove")
@role_required(Role.MANAGER)
def remove(org_id: int) -> Response:
    """Take the key-account mark away (plans stay)."""
    org = organisation_or_404(org_id, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        keyaccounts.remove_key_account(org, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("%(name)s ist kein Key Account mehr.", name=org.name), "success")
    return redirect(url_for("organisations.detail", org_id=org_id))

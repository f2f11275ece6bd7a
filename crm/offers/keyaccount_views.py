"""Key-account pages: plan vs actual for a year, mark / edit the account plan, remove the mark."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm.activities.dates import local_today
from crm.auth.models import Role
from crm.auth.permissions import role_required
from crm.core.conflicts import ConflictRow, conflict_page, conflict_rows, show_value
from crm.core.params import int_arg
from crm.core.transaction import perform, submit
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
    names = {c.id: c for c in contacts}
    done = submit(
        form,
        lambda: keyaccounts.save_key_account(
            org,
            _plan_input(form),
            actor=current_user,
            expected_version=form.version.expected if form.version.data else None,
        ),
        success=_("Account-Plan gespeichert."),
        redirect_to=url_for("organisations.detail", org_id=org_id) + "#key-account",
        on_conflict=lambda: _conflict(form, org_id, names),
    )
    return done or render_template(
        "offers/key_account_form.html", form=form, org=org, account=account, contacts=names
    )


def _plan_input(form: KeyAccountForm) -> keyaccounts.PlanInput:
    return keyaccounts.PlanInput(
        year=form.year.data,
        goals=(form.goals.data or "").strip() or None,
        revenue_potential_cents=form.revenue_potential_cents.data or 0,
        next_review_on=form.next_review_on.data,
        roles={int(e.contact_id.data): (e.role.data or None, e.note.data) for e in form.decision_map.entries},
    )


def _conflict(form: KeyAccountForm, org_id: int, contacts: dict[int, Any]) -> tuple[str, int]:
    """Both versions side by side (409): plan figures, review date and the decision-maker map."""
    org = organisation_or_404(org_id, current_user)
    account = db.session.get(KeyAccount, org.id)
    mine = _plan_input(form)
    plan = keyaccounts.plan_for(org.id, mine.year)
    current = {
        "goals": plan.goals if plan else None,
        "revenue_potential_cents": plan.revenue_potential_cents if plan else None,
        "next_review_on": account.next_review_on if account else None,
    }
    entered = {"goals": mine.goals, "revenue_potential_cents": mine.revenue_potential_cents}
    entered["next_review_on"] = mine.next_review_on
    rows = conflict_rows(form, current, entered)
    saved_roles = keyaccounts.decision_map(org.id)
    for entry in form.decision_map.entries:
        contact_id = int(entry.contact_id.data)
        saved = saved_roles.get(contact_id)
        before = (saved.role.value if saved else None, saved.note if saved else None)
        after = (entry.role.data or None, entry.note.data or None)
        if before != after:
            person = contacts.get(contact_id)
            rows.append(
                ConflictRow(
                    _("Entscheiderlandkarte: %(name)s", name=person.full_name if person else contact_id),
                    _role_text(entry, *before),
                    _role_text(entry, *after),
                )
            )
    return conflict_page(
        "offers/key_account_form.html",
        form=form,
        version=account.version if account else None,
        rows=rows,
        org=org,
        account=account,
        contacts=contacts,
    )


def _role_text(entry: Any, role: str | None, note: str | None) -> str:
    text = show_value(entry.role, role)
    return f"{text} – {note}" if note else text


@bp.post("/<int:org_id>/remove")
@role_required(Role.MANAGER)
def remove(org_id: int) -> Response:
    """Take the key-account mark away (plans stay)."""
    org = organisation_or_404(org_id, current_user)
    return perform(
        lambda: keyaccounts.remove_key_account(org, actor=current_user),
        success=_("%(name)s ist kein Key Account mehr.", name=org.name),
        redirect_to=url_for("organisations.detail", org_id=org_id),
    )

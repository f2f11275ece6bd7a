"""Membership pages: the list at /memberships/, create, edit and cancel (managers)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm.auth.models import Role
from crm.auth.permissions import role_required
from crm.core.conflicts import conflict_page, conflict_rows
from crm.core.pagination import page_args, paginate
from crm.core.params import choice_arg, date_arg
from crm.core.transaction import submit
from crm.extensions import db
from crm.memberships import services
from crm.memberships.forms import CancelForm, MembershipForm
from crm.memberships.models import Membership
from crm.memberships.vocab import MembershipKind, PaymentMethod
from crm.organisations.models import Organisation
from crm.organisations.visibility import organisation_or_404, organisation_visibility

bp = Blueprint("memberships", __name__)

STATUSES = ("active", "upcoming", "ended", "all")


def _membership_or_404(membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    organisation_or_404(membership.organisation_id, current_user)
    return membership


@bp.get("/memberships/")
@role_required(Role.MANAGER)
def index() -> str:
    """Memberships of visible companies, filtered by status, kind and payment method."""
    status = choice_arg("status", STATUSES, default="active")
    kind = choice_arg("kind", [k.value for k in MembershipKind])
    method = choice_arg("method", [m.value for m in PaymentMethod])
    started_from, started_to = date_arg("started_from"), date_arg("started_to")
    today = date.today()
    stmt = (
        sa.select(
            Membership.id,
            Membership.organisation_id,
            Organisation.name.label("organisation_name"),
            Membership.kind,
            Membership.starts_on,
            Membership.ends_on,
            Membership.cancelled_on,
            Membership.payment_method,
            Membership.sepa_scheme,
            Membership.mandate_reference,
        )
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(organisation_visibility(current_user))
    )
    if status == "active":
        stmt = stmt.where(
            Membership.starts_on <= today, sa.or_(Membership.ends_on.is_(None), Membership.ends_on >= today)
        )
    elif status == "upcoming":
        stmt = stmt.where(Membership.starts_on > today)
    elif status == "ended":
        stmt = stmt.where(Membership.ends_on < today)
    if kind:
        stmt = stmt.where(Membership.kind == MembershipKind(kind))
    if method:
        stmt = stmt.where(Membership.payment_method == PaymentMethod(method))
    if started_from:  # "new members" on the dashboard: memberships that began in a quarter
        stmt = stmt.where(Membership.starts_on >= started_from)
    if started_to:
        stmt = stmt.where(Membership.starts_on <= started_to)
    page_number, per_page = page_args()
    page = paginate(
        stmt.order_by(Organisation.name_sort, Membership.id),
        page=page_number,
        per_page=per_page,
        scalars=False,
    )
    return render_template(
        "memberships/list.html",
        page=page,
        status=status,
        kind=kind,
        method=method,
        today=today,
        started=(started_from, started_to),
    )


def _form_data(form: MembershipForm) -> dict[str, Any]:
    names = (*services.FIELDS, *services.MANDATE_FIELDS)
    return {name: form[name].data for name in names}


@bp.route("/organisations/<int:org_id>/memberships/new", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def new(org_id: int) -> str | Response:
    """Start a membership for a company."""
    org = organisation_or_404(org_id, current_user)
    form = MembershipForm()
    if request.method == "GET":
        form.starts_on.data = date.today()
    done = submit(
        form,
        lambda: services.create_membership(org, _form_data(form), actor=current_user),
        success=_("Die Mitgliedschaft von %(name)s wurde angelegt.", name=org.name),
        redirect_to=url_for("organisations.detail", org_id=org.id) + "#memberships",
    )
    return done or render_template("memberships/form.html", form=form, org=org, membership=None)


@bp.route("/memberships/<int:membership_id>/edit", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def edit(membership_id: int) -> str | Response:
    """Change a membership or its mandate."""
    membership = _membership_or_404(membership_id)
    form = MembershipForm(obj=membership)
    if request.method == "GET":
        form.version.data = str(membership.version)
        form.kind.data = membership.kind.value
        form.payment_method.data = membership.payment_method.value
        form.sepa_scheme.data = membership.sepa_scheme.value if membership.sepa_scheme else ""
    done = submit(
        form,
        lambda: services.update_membership(
            membership, _form_data(form), expected_version=form.version.expected, actor=current_user
        ),
        success=_("Änderungen gespeichert."),
        redirect_to=url_for("organisations.detail", org_id=membership.organisation_id) + "#memberships",
        on_conflict=lambda: _conflict(form, membership_id),
    )
    return done or render_template(
        "memberships/form.html", form=form, org=membership.organisation, membership=membership
    )


def _conflict(form: MembershipForm, membership_id: int) -> tuple[str, int]:
    """Both versions side by side (409); the form keeps the input."""
    membership = _membership_or_404(membership_id)
    rows = conflict_rows(form, services.snapshot(membership), _form_data(form))
    return conflict_page(
        "memberships/form.html",
        form=form,
        version=membership.version,
        rows=rows,
        org=membership.organisation,
        membership=membership,
    )


@bp.route("/memberships/<int:membership_id>/cancel", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def cancel(membership_id: int) -> str | Response:
    """Record a cancellation with its effective date."""
    membership = _membership_or_404(membership_id)
    form = CancelForm()
    if request.method == "GET" and membership.ends_on:
        form.effective_on.data = membership.ends_on
    done = submit(
        form,
        lambda: services.cancel_membership(
            membership,
            received_on=form.received_on.data,
            effective_on=form.effective_on.data,
            reason=form.reason.data,
            actor=current_user,
        ),
        success=lambda cancelled: _cancelled_message(form, cancelled),
        redirect_to=url_for("organisations.detail", org_id=membership.organisation_id) + "#memberships",
    )
    return done or render_template(
        "memberships/cancel.html", form=form, membership=membership, org=membership.organisation
    )


def _cancelled_message(form: CancelForm, cancelled: int) -> str:
    message = _(
        "Kündigung erfasst: Die Mitgliedschaft endet am %(date)s.",
        date=form.effective_on.data.strftime("%d.%m.%Y"),
    )
    if cancelled:
        message += " " + _("%(n)s offene Beiträge späterer Jahre wurden storniert.", n=cancelled)
    return message

"""Sponsorship pages: list with yearly totals and exports, create and edit (managers)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm.audit.services import record
from crm.auth.models import Role
from crm.auth.permissions import role_required
from crm.core.conflicts import conflict_page, conflict_rows
from crm.core.db import writes_on_get
from crm.core.export import csv_response, raw_rows, xlsx_response
from crm.core.pagination import page_args, paginate
from crm.core.transaction import submit, unit_of_work
from crm.extensions import db
from crm.memberships.money import to_euros
from crm.organisations.visibility import organisation_or_404
from crm.sponsorships import queries, services
from crm.sponsorships.forms import SponsorshipForm
from crm.sponsorships.models import Sponsorship

bp = Blueprint("sponsorships", __name__, url_prefix="/sponsorships")


@bp.get("/")
@role_required(Role.MANAGER)
def index() -> str:
    """Sponsorships of visible companies with filters and yearly totals."""
    query = queries.parse_query()
    page_number, per_page = page_args()
    page = paginate(
        queries.list_statement(query, current_user), page=page_number, per_page=per_page, scalars=False
    )
    return render_template(
        "sponsorships/list.html", page=page, query=query, totals=queries.yearly_totals(query, current_user)
    )


def _export(kind: str) -> Response:
    query = queries.parse_query()
    columns = queries.export_columns()
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            queries.export_statement(query, current_user, columns).subquery()
        )
    )
    with unit_of_work():
        record(
            "export",
            entity_type="sponsorships",
            actor=current_user,
            details={"format": kind, "filter": request.args.to_dict(flat=False), "rows": total},
        )
    cash, in_kind = queries.export_totals(query, current_user)
    rows = raw_rows(queries.export_statement(query, current_user, columns))
    if kind == "csv":
        return csv_response("sponsoring.csv", columns, rows)
    headers = [c.header for c in columns]
    totals = {
        headers.index("Geldbetrag"): to_euros(cash),
        headers.index("Wert Sachleistung"): to_euros(in_kind),
    }
    return xlsx_response("sponsoring.xlsx", columns, rows, sheet="Sponsoring", totals=totals)


@bp.get("/export.csv")
@writes_on_get
@role_required(Role.MANAGER)
def export_csv() -> Response:
    """The filtered list as CSV."""
    return _export("csv")


@bp.get("/export.xlsx")
@writes_on_get
@role_required(Role.MANAGER)
def export_xlsx() -> Response:
    """The filtered list as XLSX with totals."""
    return _export("xlsx")


def _form_data(form: SponsorshipForm) -> dict[str, Any]:
    return {name: form[name].data for name in services.FIELDS}


@bp.route("/new/<int:org_id>", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def new(org_id: int) -> str | Response:
    """Record a sponsorship or donation for a company."""
    org = organisation_or_404(org_id, current_user)
    form = SponsorshipForm()
    done = submit(
        form,
        lambda: services.create_sponsorship(org, _form_data(form), actor=current_user),
        success=_("Sponsoring gespeichert."),
        redirect_to=url_for("organisations.detail", org_id=org.id) + "#sponsorships",
    )
    return done or render_template("sponsorships/form.html", form=form, org=org, sponsorship=None)


@bp.route("/<int:sponsorship_id>/edit", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def edit(sponsorship_id: int) -> str | Response:
    """Change a sponsorship (status, amounts, document number …)."""
    sponsorship, org = _sponsorship_or_404(sponsorship_id)
    form = SponsorshipForm(obj=sponsorship)
    if request.method == "GET":
        form.version.data = str(sponsorship.version)
        form.kind.data = sponsorship.kind.value
        form.status.data = sponsorship.status.value
        form.vat_treatment.data = sponsorship.vat_treatment.value
        form.counter_performances.data = "\n".join(sponsorship.counter_performances or [])
    done = submit(
        form,
        lambda: services.update_sponsorship(
            sponsorship, _form_data(form), expected_version=form.version.expected, actor=current_user
        ),
        success=_("Änderungen gespeichert."),
        redirect_to=url_for("organisations.detail", org_id=org.id) + "#sponsorships",
        on_conflict=lambda: _conflict(form, sponsorship_id),
    )
    return done or render_template("sponsorships/form.html", form=form, org=org, sponsorship=sponsorship)


def _sponsorship_or_404(sponsorship_id: int) -> tuple[Sponsorship, Any]:
    sponsorship = db.session.get(Sponsorship, sponsorship_id)
    if sponsorship is None:
        abort(404)
    return sponsorship, organisation_or_404(sponsorship.organisation_id, current_user)


def _conflict(form: SponsorshipForm, sponsorship_id: int) -> tuple[str, int]:
    """Both versions side by side (409); the form keeps the input."""
    sponsorship, org = _sponsorship_or_404(sponsorship_id)
    mine = _form_data(form)
    mine["counter_performances"] = services.parse_counter_performances(mine["counter_performances"])
    rows = conflict_rows(form, services.snapshot(sponsorship), mine)
    return conflict_page(
        "sponsorships/form.html",
        form=form,
        version=sponsorship.version,
        rows=rows,
        org=org,
        sponsorship=sponsorship,
    )

"""The fee list of a year, its actions and exports, and the fee run (managers)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from crm.audit.services import record
from crm.auth.models import Role
from crm.auth.permissions import role_required
from crm.core.db import writes_on_get
from crm.core.errors import DomainError
from crm.core.export import csv_response, raw_rows, xlsx_response
from crm.core.forms import first_error
from crm.core.pagination import page_args, paginate
from crm.core.transaction import perform, submit, transaction, unit_of_work
from crm.extensions import db
from crm.memberships import feerun, fees
from crm.memberships.forms import DunningForm, FeeRunForm, MarkPaidForm, ReturnedForm, WaiveForm
from crm.memberships.models import Fee
from crm.memberships.money import to_euros
from crm.organisations.visibility import is_hidden_from

bp = Blueprint("fees", __name__, url_prefix="/fees")

RUN_BATCH = 2000


def _int(value: str | None) -> int:
    """A hidden progress field as a number (anything else counts as 0)."""
    return int(value) if value and value.isdigit() else 0


def _year_or_404(year: int) -> int:
    if not 2000 <= year <= 2100:
        abort(404)
    return year


def _fee_or_404(year: int, fee_id: int) -> Fee:
    fee = db.session.get(Fee, fee_id)
    if fee is None or fee.year != year or is_hidden_from(current_user, fee.organisation):
        abort(404)
    return fee


def _back(year: int) -> str:
    """Back to the list with the filters the action came from."""
    target = request.form.get("next", "")
    if target.startswith(url_for("fees.fee_list", year=year)):
        return target
    return url_for("fees.fee_list", year=year)


@bp.get("/")
@role_required(Role.MANAGER)
def fee_index() -> str:
    """The current year's fee list."""
    return fee_list(date.today().year)


@bp.get("/<int:year>/")
@role_required(Role.MANAGER)
def fee_list(year: int) -> str:
    """Fees of a year with filters, totals (SQL aggregates) and pagination."""
    _year_or_404(year)
    query = fees.parse_fee_query(year)
    page_number, per_page = page_args()
    totals = fees.totals(query, current_user)
    page = paginate(
        fees.list_statement(query, current_user),
        page=page_number,
        per_page=per_page,
        scalars=False,
        total=totals.count,
    )
    return render_template(
        "memberships/fees.html",
        year=year,
        query=query,
        page=page,
        totals=totals,
        years=fees.fee_years(),
        paid_form=MarkPaidForm(),
        dunning_form=DunningForm(),
    )


@bp.post("/<int:year>/paid")
@role_required(Role.MANAGER)
def mark_paid(year: int) -> Response:
    """Mark the selected fees as paid on the given date."""
    _year_or_404(year)
    form = MarkPaidForm()
    if not form.validate_on_submit():
        flash(first_error(form) or _("Bitte ein Zahlungsdatum angeben."), "danger")
        return redirect(_back(year))
    single = request.form.get("single", "")
    values = [single] if single else request.form.getlist("fee_id")
    ids = [int(v) for v in values if v.isdigit()]
    return perform(
        lambda: fees.mark_paid(ids, paid_on=form.paid_on.data, year=year, actor=current_user),
        success=lambda count: _("%(n)s Beiträge als bezahlt markiert.", n=count),
        redirect_to=_back(year),
        confirm=False,
    )


def _render_fee(
    year: int, fee: Fee, waive_form: WaiveForm | None = None, status: int = 200
) -> tuple[str, int]:
    dunning_form = DunningForm(formdata=None, level=fee.dunning_level)
    return (
        render_template(
            "memberships/fee.html",
            fee=fee,
            year=year,
            waive_form=waive_form or WaiveForm(formdata=None),
            dunning_form=dunning_form,
            returned_form=ReturnedForm(formdata=None),
            paid_form=MarkPaidForm(formdata=None),
        ),
        status,
    )


@bp.get("/<int:year>/<int:fee_id>")
@role_required(Role.MANAGER)
def fee_detail(year: int, fee_id: int) -> tuple[str, int]:
    """One fee: its basis (snapshot) and the actions waive, dunning, returned debit."""
    return _render_fee(year, _fee_or_404(year, fee_id))


@bp.post("/<int:year>/<int:fee_id>/waive")
@role_required(Role.MANAGER)
def waive(year: int, fee_id: int) -> tuple[str, int] | Response:
    """Waive an open fee with a reason."""
    fee = _fee_or_404(year, fee_id)
    form = WaiveForm()
    done = submit(
        form,
        lambda: fees.waive(fee, reason=form.reason.data or "", actor=current_user),
        success=_("Der Beitrag wurde erlassen."),
        redirect_to=url_for("fees.fee_detail", year=year, fee_id=fee_id),
    )
    return done or _render_fee(year, fee, form, 400)


@bp.post("/<int:year>/<int:fee_id>/dunning")
@role_required(Role.MANAGER)
def dunning(year: int, fee_id: int) -> Response:
    """Set the dunning level of an unpaid fee."""
    fee = _fee_or_404(year, fee_id)
    form = DunningForm()
    if not form.validate_on_submit():
        abort(400)
    return perform(
        lambda: fees.set_dunning(fee, level=form.level.data, actor=current_user),
        success=_("Mahnstufe gespeichert."),
        redirect_to=url_for("fees.fee_detail", year=year, fee_id=fee_id),
        confirm=False,
    )


@bp.post("/<int:year>/<int:fee_id>/returned")
@role_required(Role.MANAGER)
def returned(year: int, fee_id: int) -> Response:
    """A submitted direct debit came back from the bank."""
    fee = _fee_or_404(year, fee_id)
    form = ReturnedForm()
    if not form.validate_on_submit():
        abort(400)
    return perform(
        lambda: fees.mark_returned(fee, returned_on=form.returned_on.data, actor=current_user),
        success=_("Die Rücklastschrift wurde erfasst; der Beitrag ist wieder offen."),
        redirect_to=url_for("fees.fee_detail", year=year, fee_id=fee_id),
        confirm=False,
    )


def _export(year: int, kind: str) -> Response:
    _year_or_404(year)
    query = fees.parse_fee_query(year)
    columns = fees.export_columns()
    totals = fees.totals(query, current_user)
    with unit_of_work():
        record(
            "export",
            entity_type="fees",
            actor=current_user,
            details={
                "format": kind,
                "year": year,
                "filter": request.args.to_dict(flat=False),
                "rows": totals.count,
            },
        )
    rows = raw_rows(fees.export_statement(query, current_user, columns))
    filename = f"beitraege-{year}.{kind}"
    if kind == "csv":
        return csv_response(filename, columns, rows)
    headers = [c.header for c in columns]
    sums = {
        headers.index("Soll"): totals.due_cents,
        headers.index("Bezahlt"): totals.paid_cents,
        headers.index("Offen"): totals.open_cents,
    }
    return xlsx_response(
        filename,
        columns,
        rows,
        sheet=f"Beiträge {year}",
        totals={index: to_euros(value) for index, value in sums.items()},
    )


@bp.get("/<int:year>/export.csv")
@writes_on_get
@role_required(Role.MANAGER)
def export_csv(year: int) -> Response:
    """The filtered fee list as CSV for German Excel."""
    return _export(year, "csv")


@bp.get("/<int:year>/export.xlsx")
@writes_on_get
@role_required(Role.MANAGER)
def export_xlsx(year: int) -> Response:
    """The filtered fee list as XLSX with a totals row."""
    return _export(year, "xlsx")


@bp.route("/<int:year>/run", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def fee_run(year: int) -> str | Response:
    """Preview the fee run, then run it (in chunks when the browser drives it)."""
    _year_or_404(year)
    form = FeeRunForm()
    if form.validate_on_submit():
        batch = _int(form.batch.data) or None
        after = _int(form.after.data)
        try:
            with transaction() as outcome:
                chunk = feerun.run_chunk(year, actor=current_user, after_id=after, limit=batch)
        except IntegrityError:  # rolled back by the edge; another window runs the same chunk
            flash(
                _("Der Beitragslauf läuft gerade schon (zweites Fenster?). Bitte die Übersicht prüfen."),
                "warning",
            )
            return redirect(url_for("fees.fee_list", year=year))
        if not outcome.ok:
            return redirect(url_for("fees.fee_run", year=year))
        created = _int(form.created.data) + chunk.created
        if not chunk.done:
            form.after.data, form.created.data = str(chunk.last_id), str(created)
            return render_template(
                "memberships/run_progress.html",
                year=year,
                form=form,
                created=created,
                total=_int(form.total.data),
            )
        flash(_("Beitragslauf %(year)s: %(n)s Beiträge erstellt.", year=year, n=created), "success")
        return redirect(url_for("fees.fee_list", year=year))
    with transaction(handles=(DomainError,)) as outcome:  # e.g. no fee schedule for the year yet
        preview = feerun.preview(year)
    if outcome.error is not None:
        return render_template(
            "memberships/run.html", year=year, preview=None, error=outcome.error.message, form=form
        )
    form.total.data = str(preview.count)
    return render_template(
        "memberships/run.html", year=year, preview=preview, error=None, form=form, batch=RUN_BATCH
    )

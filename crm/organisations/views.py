"""Company pages: list with search/filters/sorting, detail, create, edit, archive, merge, export."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from crm.audit.services import record
from crm.auth import permissions
from crm.core.conflicts import conflict_page, merged_conflict, snapshot_json
from crm.core.db import writes_on_get
from crm.core.export import csv_response, xlsx_response
from crm.core.forms import ConfirmForm
from crm.core.pagination import page_args, paginate
from crm.core.transaction import Outcome, perform, submit, transaction, unit_of_work
from crm.extensions import db
from crm.organisations import exports, services
from crm.organisations.forms import MergeForm, OrganisationForm
from crm.organisations.merge import merge_organisations, merge_preview
from crm.organisations.models import Organisation
from crm.organisations.panels import load_panels
from crm.organisations.queries import count, filtered_statement, ordered, parse_list_query, region_names
from crm.organisations.registries import LIST_FILTER_TEMPLATES, MERGE_TABLE_LABELS, PAGE_ACTIONS
from crm.organisations.visibility import organisation_or_404

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.get("/")
@login_required
def index() -> str:
    """The company list; every filter lives in the query string."""
    query = parse_list_query(current_user)
    page_number, per_page = page_args()
    stmt = ordered(filtered_statement(query, current_user), query.sort).options(
        joinedload(Organisation.owner)
    )
    page = paginate(stmt, page=page_number, per_page=per_page, total=count(query, current_user))
    return render_template(
        "organisations/list.html",
        page=page,
        query=query,
        owners=services.active_users(),
        regions=_regions(),
        filter_templates=LIST_FILTER_TEMPLATES.of(),
    )


def _regions() -> list[str]:
    return region_names()


def _export_rows(kind: str) -> Response:
    if not permissions.can_export(current_user):
        abort(403)
    query = parse_list_query(current_user)
    export_columns = exports.columns()
    stmt = exports.statement(query, current_user, export_columns)
    total = count(query, current_user)
    with unit_of_work():
        record(
            "export",
            entity_type="organisations",
            actor=current_user,
            details={"format": kind, "filter": request.args.to_dict(flat=False), "rows": total},
        )
    rows = exports.rows(stmt)
    filename = f"unternehmen-{date.today().isoformat()}.{kind}"
    if kind == "csv":
        return csv_response(filename, export_columns, rows)
    return xlsx_response(filename, export_columns, rows, sheet="Unternehmen")


@bp.get("/export.csv")
@writes_on_get
@login_required
def export_csv() -> Response:
    """The current filtered list as CSV for German Excel (managers)."""
    return _export_rows("csv")


@bp.get("/export.xlsx")
@writes_on_get
@login_required
def export_xlsx() -> Response:
    """The current filtered list as XLSX (managers)."""
    return _export_rows("xlsx")


def _form_data(form: OrganisationForm) -> dict[str, Any]:
    names = [*services.FIELDS, *services.STAGE_FIELDS]
    names += [n for n in services.MANAGER_FIELDS if n in form]
    return {name: form[name].data for name in names}


def _form(obj: Any = None, **kwargs: Any) -> OrganisationForm:
    form = OrganisationForm(obj=obj, **kwargs)
    return form.for_user(
        may_assign_owner=permissions.can_reassign_owner(current_user),
        may_override_size=permissions.can_override_size_class(current_user),
        owners=services.active_users(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response:
    """Create a company; probable duplicates are shown first and must be confirmed."""
    form = _form(stage="lead", owner_id=current_user.id)
    candidates = []
    if form.validate_on_submit():
        with transaction(form, handles=(services.DuplicatesFound,)) as outcome:
            org = services.create_organisation(
                _form_data(form), actor=current_user, confirmed_duplicates=form.confirm_duplicates.data == "1"
            )
            name, org_id = org.name, org.id
        if outcome.ok:
            flash(_("%(name)s wurde angelegt.", name=name), "success")
            return redirect(url_for("organisations.detail", org_id=org_id))
        candidates = duplicate_candidates(form, outcome)
    elif request.method == "GET":
        form.confirm_duplicates.data = ""
    return render_template("organisations/form.html", form=form, org=None, candidates=candidates)


def duplicate_candidates(form: Any, outcome: Outcome) -> list[Any]:
    """The probable duplicates a create was refused for; saving again then confirms them."""
    if not isinstance(outcome.error, services.DuplicatesFound):
        return []
    form.confirm_duplicates.data = "1"
    return outcome.error.candidates


@bp.get("/<int:org_id>")
@login_required
def detail(org_id: int) -> str | Response:
    """Key facts, contact persons and the sections other features contribute."""
    org = organisation_or_404(org_id, current_user)
    if org.merged_into_id and not permissions.is_manager(current_user):
        return redirect(url_for("organisations.detail", org_id=org.merged_into_id))
    contacts = [c for c in org.contacts if not c.is_archived]
    return render_template(
        "organisations/detail.html",
        org=org,
        contacts=contacts,
        derived=services.derived_size_class(org),
        panels=load_panels(org, current_user),
        actions=PAGE_ACTIONS.of(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int) -> tuple[str, int] | str | Response:
    """Edit master data; a save based on an old version gets the conflict page (409)."""
    org = organisation_or_404(org_id, current_user)
    permissions.require(permissions.can_edit_organisation(current_user, org))
    form = _form(obj=org, stage=org.stage.value)
    if request.method == "GET":
        form.version.data = str(org.version)
        form.original.data = snapshot_json(services.snapshot(org))
    done = submit(
        form,
        lambda: services.update_organisation(
            org, _form_data(form), expected_version=form.version.expected, actor=current_user
        ),
        success=_("Änderungen gespeichert."),
        redirect_to=url_for("organisations.detail", org_id=org.id),
        on_conflict=lambda: _conflict(org_id, _form_data(form), form.original.data),
    )
    return done or render_template("organisations/form.html", form=form, org=org, candidates=[])


def _conflict(org_id: int, submitted: dict[str, Any], original: str | None) -> tuple[str, int]:
    """Both versions side by side (409), above a form holding the merge of both (nothing is lost)."""
    org = organisation_or_404(org_id, current_user)
    form, rows, taken_over = merged_conflict(
        lambda merged: _form(formdata=None, data=merged),
        original,
        submitted,
        services.snapshot(org),
        show=exports.display,
    )
    return conflict_page(
        "organisations/form.html",
        form=form,
        version=org.version,
        rows=rows,
        org=org,
        candidates=[],
        taken_over=taken_over,
    )


@bp.post("/<int:org_id>/archive")
@login_required
def archive(org_id: int) -> Response:
    """Archive (instead of delete)."""
    org = organisation_or_404(org_id, current_user)
    return perform(
        lambda: services.archive_organisation(org, actor=current_user),
        success=_("%(name)s wurde archiviert.", name=org.name),
        redirect_to=url_for("organisations.index"),
        refused_to=url_for("organisations.detail", org_id=org_id),
    )


@bp.post("/<int:org_id>/restore")
@login_required
def restore(org_id: int) -> Response:
    """Bring an archived company back (managers)."""
    org = organisation_or_404(org_id, current_user)
    return perform(
        lambda: services.restore_organisation(org, actor=current_user),
        success=_("%(name)s ist wieder aktiv.", name=org.name),
        redirect_to=url_for("organisations.detail", org_id=org_id),
    )


@bp.route("/<int:org_id>/merge", methods=["GET", "POST"])
@login_required
def merge(org_id: int) -> str | Response:
    """Merge a duplicate into this company (managers): choose, preview, confirm."""
    permissions.require(permissions.can_merge_organisations(current_user))
    survivor = organisation_or_404(org_id, current_user)
    form = MergeForm(other_id=request.args.get("other", type=int))
    duplicate = preview = None
    if form.other_id.data and (form.is_submitted() or request.args.get("other")):
        duplicate = db.session.get(Organisation, form.other_id.data)
        if duplicate is None or duplicate.is_archived or duplicate.id == survivor.id:
            form.other_id.errors = [_("Bitte die Nummer eines anderen, aktiven Unternehmens angeben.")]
            duplicate = None
        else:
            preview = merge_preview(survivor, duplicate)
    if duplicate is not None and form.confirmed.data == "1":
        other = duplicate
        done = submit(
            form,
            lambda: merge_organisations(survivor, other, actor=current_user),
            success=lambda moved: _(
                "%(other)s wurde in %(name)s zusammengeführt (%(n)s Datensätze übernommen).",
                other=other.name,
                name=survivor.name,
                n=sum(moved.values()),
            ),
            redirect_to=url_for("organisations.detail", org_id=survivor.id),
        )
        if done is not None:
            return done
    return render_template(
        "organisations/merge.html",
        org=survivor,
        form=form,
        duplicate=duplicate,
        preview=preview,
        table_labels=MERGE_TABLE_LABELS.of(),
    )

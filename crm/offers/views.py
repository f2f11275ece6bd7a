"""Offer pages: list with filters, sorting, totals and CSV export; create, edit (409 on conflicts), status."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from crm.audit.services import record
from crm.auth import permissions
from crm.core.conflicts import conflict_page, merged_conflict, snapshot_json
from crm.core.db import writes_on_get
from crm.core.export import csv_response, raw_rows
from crm.core.pagination import Page, page_args, paginate
from crm.core.security import safe_next_url
from crm.core.transaction import perform, submit, unit_of_work
from crm.extensions import db
from crm.offers import queries, services
from crm.offers.forms import OfferForm, StatusForm
from crm.offers.models import CompanyGroup, Offer
from crm.offers.vocab import DEFAULT_PROBABILITY, LOST_REASON_LABELS, STATUS_LABELS, OfferStatus
from crm.organisations.services import active_users
from crm.organisations.visibility import organisation_or_404
from crm.organisations.vocab import label

bp = Blueprint("offers", __name__, url_prefix="/offers")


@bp.get("/")
@login_required
def index() -> str:
    """All visible offers with filters (status, owner, close-date range, company), sorted and paged."""
    query = queries.parse_query()
    page_number, per_page = page_args()
    company = organisation_or_404(query.organisation_id, current_user) if query.organisation_id else None
    group = db.get_or_404(CompanyGroup, query.group_id) if query.group_id else None
    totals = queries.totals(query, current_user)
    ids = paginate(
        queries.page_ids_statement(query, current_user),
        page=page_number,
        per_page=per_page,
        total=totals.count,
    )
    page = Page(queries.rows_for(list(ids.items)), ids.page, ids.per_page, ids.total)
    return render_template(
        "offers/list.html",
        page=page,
        editable=permissions.editable_offers(current_user, page.items),
        query=query,
        totals=totals,
        owners=active_users(),
        company=company,
        group=group,
    )


@bp.get("/export.csv")
@writes_on_get
@login_required
def export_csv() -> Response:
    """The filtered list as CSV for German Excel (managers)."""
    if not permissions.can_export(current_user):
        abort(403)
    query = queries.parse_query()
    columns = queries.export_columns()
    with unit_of_work():
        record(
            "export",
            entity_type="offers",
            actor=current_user,
            details={
                "format": "csv",
                "filter": request.args.to_dict(flat=False),
                "rows": queries.totals(query, current_user).count,
            },
        )
    rows = raw_rows(queries.export_statement(query, current_user, columns))
    return csv_response(f"angebote-{date.today().isoformat()}.csv", columns, rows)


def _form(**kwargs: Any) -> OfferForm:
    form = OfferForm(**kwargs)
    form.owner_id.choices = [("", _("– niemand –")), *((str(u.id), u.name) for u in active_users())]
    return form


def _form_data(form: OfferForm) -> dict[str, Any]:
    return {name: form[name].data for name in services.FIELDS}


def _back(offer: Offer) -> str:
    if offer.organisation_id is not None:
        return url_for("organisations.detail", org_id=offer.organisation_id) + "#offers"
    return url_for("groups.detail", group_id=offer.group_id) + "#offers"


def _default_probability() -> dict[str, int]:
    return {s.value: p for s, p in DEFAULT_PROBABILITY.items()}


def _render_form(form: OfferForm, **context: Any) -> str:
    return render_template(
        "offers/form.html", form=form, default_probability=_default_probability(), **context
    )


def _create(form: OfferForm, *, org: Any = None, group: Any = None) -> Any:
    """Save a new offer once the form validates (None: show the form again)."""
    return submit(
        form,
        lambda: services.create_offer(_form_data(form), actor=current_user, organisation=org, group=group),
        success=lambda offer: _("Angebot „%(title)s“ gespeichert.", title=offer.title),
        redirect_to=_back,
    )


@bp.route("/new/<int:org_id>", methods=["GET", "POST"])
@login_required
def new(org_id: int) -> str | Response:
    """Record an offer for a company."""
    org = organisation_or_404(org_id, current_user)
    permissions.require(permissions.can_manage_offers(current_user, org))
    form = _form(status=OfferStatus.OPEN.value, owner_id=str(org.owner_id or current_user.id))
    return _create(form, org=org) or _render_form(form, org=org, group=None, offer=None)


@bp.route("/new/group/<int:group_id>", methods=["GET", "POST"])
@login_required
def new_for_group(group_id: int) -> str | Response:
    """Record a joint offer for a company group."""
    permissions.require(permissions.can_manage_groups(current_user))
    group = db.get_or_404(CompanyGroup, group_id)
    form = _form(status=OfferStatus.OPEN.value, owner_id=str(current_user.id))
    return _create(form, group=group) or _render_form(form, org=None, group=group, offer=None)


@bp.route("/<int:offer_id>/edit", methods=["GET", "POST"])
@login_required
def edit(offer_id: int) -> tuple[str, int] | str | Response:
    """Edit an offer; a save based on an old version gets the conflict page (409)."""
    offer = queries.offer_or_404(offer_id, current_user)
    permissions.require(permissions.can_edit_offer(current_user, offer))
    form = _form(obj=offer)
    if request.method == "GET":
        form.version.data = str(offer.version)
        form.original.data = snapshot_json(services.snapshot(offer))
        form.status.data = (
            request.args.get("status")
            if request.args.get("status") in (s.value for s in services.TRANSITIONS[offer.status])
            else offer.status.value
        )
        form.lost_reason.data = offer.lost_reason.value if offer.lost_reason else ""
        form.owner_id.data = str(offer.owner_id or "")
    done = submit(
        form,
        lambda: services.update_offer(
            offer, _form_data(form), expected_version=form.version.expected, actor=current_user
        ),
        success=_("Änderungen gespeichert."),
        redirect_to=_back(offer),
        on_conflict=lambda: _conflict(offer_id, _form_data(form), form.original.data),
    )
    return done or _render_form(form, org=offer.organisation, group=offer.group, offer=offer)


def _display(name: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if name == "status":
        return label(STATUS_LABELS, value)
    if name == "lost_reason":
        return label(LOST_REASON_LABELS, value)
    if name == "value_cents":
        return f"{int(value) / 100:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")
    if name == "owner_id":
        names = {str(u.id): u.name for u in active_users()}
        return names.get(str(value), str(value))
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(getattr(value, "value", value))


def _merged_form(merged: dict[str, Any]) -> OfferForm:
    values = {k: getattr(v, "value", v) for k, v in merged.items()}
    values["owner_id"] = str(values["owner_id"] or "")
    return _form(formdata=None, data=values)


def _conflict(offer_id: int, submitted: dict[str, Any], original: str | None) -> tuple[str, int]:
    """Both versions side by side (409), above a form holding the merge of both (nothing is lost)."""
    offer = queries.offer_or_404(offer_id, current_user)
    form, rows, taken_over = merged_conflict(
        _merged_form, original, submitted, services.snapshot(offer), show=_display
    )
    return conflict_page(
        "offers/form.html",
        form=form,
        version=offer.version,
        rows=rows,
        default_probability=_default_probability(),
        org=offer.organisation,
        group=offer.group,
        offer=offer,
        taken_over=taken_over,
    )


@bp.post("/<int:offer_id>/status")
@login_required
def status(offer_id: int) -> Response:
    """Quick status change (sent, won); a loss needs a reason and goes through the edit form."""
    offer = queries.offer_or_404(offer_id, current_user)
    permissions.require(permissions.can_edit_offer(current_user, offer))
    form = StatusForm()
    back = safe_next_url(form.next.data) or _back(offer)
    if not form.validate_on_submit():
        abort(400)
    if form.status.data == OfferStatus.LOST.value:
        return redirect(url_for("offers.edit", offer_id=offer.id, status="lost"))
    return perform(
        lambda: services.change_status(
            offer, form.status.data, actor=current_user, expected_version=form.version.expected
        ),
        success=_("Status von „%(title)s“ geändert.", title=offer.title),
        redirect_to=back,
        conflict=_("Das Angebot wurde inzwischen geändert. Bitte prüfen und erneut versuchen."),
        confirm=False,
    )

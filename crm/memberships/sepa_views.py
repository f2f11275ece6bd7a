"""SEPA direct-debit files: preview with every left-out member and why, create, download again."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as WerkzeugResponse

from crm.audit.services import record
from crm.auth.models import Role
from crm.auth.permissions import role_required
from crm.core.db import writes_on_get
from crm.core.formatting import cents_filter
from crm.core.params import choice_arg, int_arg
from crm.core.transaction import transaction, unit_of_work
from crm.extensions import db
from crm.memberships import creditor, fees, sepa
from crm.memberships.fee_views import _int, _year_or_404, bp
from crm.memberships.forms import SepaForm
from crm.memberships.models import Collection
from crm.memberships.vocab import SepaScheme


def date_arg(name: str) -> date | None:
    """An ISO date from the query string; anything else is a 400."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(_("Der Parameter %(name)s muss ein Datum sein.", name=name)) from None


def _expected(form: SepaForm) -> tuple[int, int] | None:
    """Count and total the preview showed (None when the form did not send them)."""
    if not form.expected_count.data:
        return None
    return _int(form.expected_count.data), _int(form.expected_total.data)


def _xml_response(xml: bytes, filename: str) -> Response:
    return Response(
        xml,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _render(
    year: int, form: SepaForm, status: int = 200, created: Collection | None = None
) -> tuple[str, int]:
    settings = creditor.get_settings()
    query = fees.parse_fee_query(year)
    selection = None
    if settings is not None:
        if form.collection_date.data is None or form.collection_date.errors:
            collection_date = creditor.earliest_collection_date(settings)
        else:
            collection_date = form.collection_date.data
        selection = sepa.select_fees(query, current_user, SepaScheme(form.scheme.data), collection_date)
    return (
        render_template(
            "memberships/sepa.html",
            year=year,
            form=form,
            settings=settings,
            selection=selection,
            query=query,
            earliest=creditor.earliest_collection_date(settings) if settings else None,
            collections=sepa.collections_for(year),
            created=created,
        ),
        status,
    )


@bp.get("/<int:year>/sepa")
@role_required(Role.MANAGER)
def sepa_preview(year: int) -> tuple[str, int]:
    """What the file would contain for a scheme and date, and which members are left out and why.

    ``download=<collection id>`` (after creating a file) offers that file, and starts its download
    where JavaScript runs; the page itself already shows the state after the file.
    """
    _year_or_404(year)
    created = db.session.get(Collection, int_arg("download") or 0)
    if created is not None and created.year != year:
        created = None
    scheme = choice_arg("scheme", [s.value for s in SepaScheme], default=SepaScheme.CORE.value)
    form = SepaForm(formdata=None, scheme=scheme)
    settings = creditor.get_settings()
    if settings is not None:
        form.collection_date.data = date_arg("collection_date") or creditor.earliest_collection_date(settings)
    return _render(year, form, created=created)


@bp.route("/<int:year>/sepa.xml", methods=["GET", "POST"])
@writes_on_get
@role_required(Role.MANAGER)
def sepa_file(year: int) -> Response | WerkzeugResponse | tuple[str, int]:
    """POST: create the file (recorded as a collection), then back to the page, which downloads it.

    GET: download a stored file. Redirecting after the POST (instead of answering with the file)
    lets the page show what changed: the fees in the file are no longer open, the file is listed.
    """
    _year_or_404(year)
    if request.method == "GET":
        collection_id = request.args.get("collection", type=int)
        collection = db.session.get(Collection, collection_id) if collection_id else None
        if collection is None or collection.year != year:
            return redirect(url_for("fees.sepa_preview", year=year))
        # The stored file holds bank data: downloading it again is an export like any other.
        with unit_of_work():
            record(
                "export",
                entity=collection,
                actor=current_user,
                details={"format": "sepa_xml", "year": year, "rows": collection.fee_count, "stored": True},
            )
        return _xml_response(collection.xml, collection.filename)
    form = SepaForm()
    if not form.validate_on_submit():
        return _render(year, form, 400)
    query = fees.parse_fee_query(year)
    try:
        with transaction(form) as outcome:
            collection, _selection = sepa.create_collection(
                query,
                scheme=SepaScheme(form.scheme.data),
                collection_date=form.collection_date.data,
                actor=current_user,
                expected=_expected(form),
            )
            collection_id, count, total = collection.id, collection.fee_count, collection.total_cents
    except IntegrityError:  # rolled back by the edge: a fee went into another file meanwhile
        flash(_("Einige Beiträge sind schon in einer anderen Lastschriftdatei."), "danger")
        return redirect(url_for("fees.sepa_preview", year=year, scheme=form.scheme.data))
    if not outcome.ok:
        return _render(year, form, 400)
    flash(
        _(
            "Lastschriftdatei erzeugt: %(n)s Lastschriften über %(total)s.",
            n=count,
            total=cents_filter(total),
        ),
        "success",
    )
    return redirect(
        url_for(
            "fees.sepa_preview",
            year=year,
            scheme=form.scheme.data,
            collection_date=form.collection_date.data.isoformat(),
            size_class=query.sizes or None,
            download=collection_id,
        )
    )

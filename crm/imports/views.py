"""Import pages (managers): upload → column mapping → check → preview → commit → batch, undo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from crm.audit.services import record
from crm.auth import permissions
from crm.core.db import writes_on_get
from crm.core.errors import ValidationFailed
from crm.core.export import Column, csv_response, neutralise
from crm.core.forms import ConfirmForm, choices
from crm.core.pagination import page_args, paginate
from crm.core.params import choice_arg, int_arg
from crm.core.security import safe_next_url
from crm.core.transaction import perform, transaction, unit_of_work
from crm.extensions import db
from crm.imports import check, services, undo
from crm.imports import mapping as mappings
from crm.imports.commit import commit_batch
from crm.imports.forms import (
    CommitForm,
    ReadOptionsForm,
    UploadForm,
    decisions_form,
    mapping_form,
)
from crm.imports.models import BatchStatus, ImportBatch, ImportMapping, ImportRow, RowStatus
from crm.imports.reader import MAX_BYTES, FileRejected
from crm.organisations.duplicates import REASON_LABELS
from crm.organisations.models import Organisation
from crm.organisations.services import active_users

bp = Blueprint("imports", __name__, url_prefix="/imports")

NOJS_ROWS = 20_000  # rows checked per request without JavaScript (then a "continue" button)
SHOW = {
    "all": None,
    "error": [RowStatus.ERROR],
    "new": [RowStatus.NEW],
    "match": [RowStatus.MATCH],
    "duplicate": [RowStatus.DUPLICATE],
    "blocked": None,
}


def manager_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Login required; 403 unless the user may import."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        permissions.require(permissions.can_import(current_user))
        return view(*args, **kwargs)

    return wrapped


def _batch_or_404(batch_id: int, *, lock: bool = False) -> ImportBatch:
    stmt = sa.select(ImportBatch).where(ImportBatch.id == batch_id)
    batch = db.session.scalar(stmt.with_for_update() if lock else stmt)
    if batch is None:
        abort(404)
    return batch


def _step_url(batch: ImportBatch) -> str:
    """Where a batch continues: the page of the step it is in."""
    if batch.status == BatchStatus.UPLOADED:
        return url_for("imports.mapping", batch_id=batch.id)
    if batch.status == BatchStatus.CHECKING:
        return url_for("imports.check_page", batch_id=batch.id)
    if batch.status == BatchStatus.CHECKED:
        return url_for("imports.preview", batch_id=batch.id)
    return url_for("imports.batch", batch_id=batch.id)


# --- upload ----------------------------------------------------------------------------------


def _index_page(form: UploadForm, status: int = 200) -> tuple[str, int]:
    page_number, per_page = page_args(20)
    page = paginate(
        sa.select(ImportBatch)
        .options(joinedload(ImportBatch.created_by))
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()),
        page=page_number,
        per_page=per_page,
    )
    return render_template("imports/index.html", form=form, page=page, step_url=_step_url), status


@bp.get("/")
@manager_only
def index() -> tuple[str, int]:
    """Upload form and the recent imports."""
    return _index_page(UploadForm())


@bp.post("/")
@manager_only
def upload() -> tuple[str, int] | Response:
    """Read an uploaded file; errors in the file come back on the upload form."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _index_page(form, 400)
    stream = form.file.data.stream
    data = stream.read(MAX_BYTES + 1)  # one byte more tells "too large" without reading it all
    with transaction(form, handles=(FileRejected,)) as outcome:
        batch = services.upload(form.file.data.filename, data, actor=current_user)
        name, rows, batch_id = batch.file_name, batch.row_count, batch.id
    if outcome.error is not None:
        if isinstance(outcome.error, FileRejected):
            form.file.errors = [outcome.error.message]
        return _index_page(form, outcome.error.status_code)
    flash(_("%(name)s wurde eingelesen: %(n)s Zeilen.", name=name, n=rows), "success")
    return redirect(url_for("imports.mapping", batch_id=batch_id))


# --- mapping ---------------------------------------------------------------------------------


@bp.route("/<int:batch_id>/mapping", methods=["GET", "POST"])
@manager_only
def mapping(batch_id: int) -> str | Response:
    """Choose a field for every column; proposals come from the header names or a saved mapping."""
    batch = _batch_or_404(batch_id, lock=request.method == "POST")
    if batch.status not in (BatchStatus.UPLOADED, BatchStatus.CHECKING, BatchStatus.CHECKED):
        return redirect(_step_url(batch))
    groups = mappings.targets()
    proposal = list(batch.mapping or mappings.propose(batch.headers))
    saved_id = int_arg("saved")
    if saved_id is not None:
        saved = db.session.get(ImportMapping, saved_id) or abort(404)
        proposal = mappings.from_saved(batch.headers, saved.columns)
    initial = {f"col_{i}": target for i, target in enumerate(proposal)}
    form = mapping_form(batch.headers, groups, data={**initial, "owner_id": batch.owner_id})
    form.owner_id.choices = choices(((u.id, u.name) for u in active_users()), blank=_("– niemand –"))
    if form.validate_on_submit():
        chosen = [form[f"col_{i}"].data for i in range(len(batch.headers))]
        with transaction(form, handles=(ValidationFailed,)) as outcome:
            services.set_mapping(
                batch, chosen, owner_id=form.owner_id.data, save_as=form.save_as.data, actor=current_user
            )
        if outcome.ok:
            return redirect(url_for("imports.check_page", batch_id=batch_id))
        if isinstance(outcome.error, ValidationFailed):
            _show_on_form(form, outcome.error)
    options = ReadOptionsForm(
        encoding=batch.encoding, delimiter="tab" if batch.delimiter == "\t" else batch.delimiter
    )
    samples = db.session.scalars(
        sa.select(ImportRow.cells)
        .where(ImportRow.batch_id == batch.id)
        .order_by(ImportRow.row_number)
        .limit(3)
    ).all()
    return render_template(
        "imports/mapping.html",
        batch=batch,
        form=form,
        options=options,
        groups=groups,
        samples=samples,
        saved=services.saved_mappings(),
        recognised=sum(1 for t in proposal if t),
    )


def _show_on_form(form: Any, error: ValidationFailed) -> None:
    """Messages on their column's select; the rest above the form (the mapping page shows them there)."""
    for field, messages in error.errors.items():
        target = form._fields.get(field) if field else None
        if target is not None:
            target.errors = [*target.errors, *messages]
        else:
            form.form_errors.extend(messages)


@bp.post("/<int:batch_id>/reread")
@manager_only
def reread(batch_id: int) -> Response:
    """Read the CSV again with another encoding or delimiter."""
    batch = _batch_or_404(batch_id, lock=True)
    form = ReadOptionsForm()
    if not form.validate_on_submit():
        abort(400)
    delimiter = "\t" if form.delimiter.data == "tab" else form.delimiter.data
    return perform(
        lambda: services.reread(batch, encoding=form.encoding.data, delimiter=delimiter),
        success=_("Die Datei wurde neu eingelesen."),
        redirect_to=url_for("imports.mapping", batch_id=batch_id),
        confirm=False,
    )


# --- check -----------------------------------------------------------------------------------


@bp.get("/<int:batch_id>/check")
@manager_only
def check_page(batch_id: int) -> str | Response:
    """Progress of the check; the button (or the script) runs the next part."""
    batch = _batch_or_404(batch_id)
    if batch.status != BatchStatus.CHECKING:
        return redirect(_step_url(batch))
    return render_template("imports/check.html", batch=batch, form=ConfirmForm())


@bp.post("/<int:batch_id>/check")
@manager_only
def run_check(batch_id: int) -> Response:
    """Check the next rows: one chunk per request from the script, more without it."""
    batch = _batch_or_404(batch_id, lock=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    scripted = request.form.get("js") == "1"
    with unit_of_work():
        finished = batch.status != BatchStatus.CHECKING or check.check_rows(
            batch, actor=current_user, limit=check.CHUNK if scripted else NOJS_ROWS
        )
    target = _step_url(batch)
    if scripted:
        return jsonify(done=batch.checked_rows, total=batch.row_count, finished=finished, next=target)
    return redirect(target)


# --- preview ---------------------------------------------------------------------------------


@bp.get("/<int:batch_id>/preview")
@manager_only
def preview(batch_id: int) -> str | Response:
    """Counts, the rows of one class with their messages and matches, the decisions and the commit."""
    batch = _batch_or_404(batch_id)
    if batch.status != BatchStatus.CHECKED:
        return redirect(_step_url(batch))
    show = choice_arg("show", SHOW, default="all") or "all"
    page_number, per_page = page_args(50)
    stmt = (
        sa.select(ImportRow)
        .options(joinedload(ImportRow.match_organisation))
        .where(ImportRow.batch_id == batch.id)
        .order_by(ImportRow.row_number)
    )
    if show == "blocked":
        stmt = stmt.where(ImportRow.email_blocked.is_(True))
    elif SHOW[show]:
        stmt = stmt.where(ImportRow.status.in_(SHOW[show]))
    page = paginate(stmt, page=page_number, per_page=per_page)
    choosable = [r.id for r in page.items if r.status in (RowStatus.MATCH, RowStatus.DUPLICATE)]
    decisions = decisions_form(
        choosable,
        data={f"d_{r.id}": r.decision.value for r in page.items if r.id in choosable and r.decision},
    )
    decisions.rows.data = ",".join(str(i) for i in choosable)
    return render_template(
        "imports/preview.html",
        batch=batch,
        page=page,
        show=show,
        counts=check.status_counts(batch),
        commit_form=CommitForm(),
        decisions=decisions,
        reason_labels={k: str(v) for k, v in REASON_LABELS.items()},
        labels=mappings.target_labels(),
        columns=_preview_columns(batch),
    )


def _preview_columns(batch: ImportBatch) -> list[tuple[str, int]]:
    """The columns worth showing in the preview table: name, place, person, e-mail."""
    wanted = (
        "org.name",
        "org.postcode",
        "org.city",
        "contact.full_name",
        "contact.first_name",
        "contact.last_name",
        "contact.email",
        "org.email",
    )
    mapping = batch.mapping or []
    return [(batch.headers[mapping.index(t)] or t, mapping.index(t)) for t in wanted if t in mapping][:5]


@bp.post("/<int:batch_id>/decisions")
@manager_only
def decide(batch_id: int) -> Response:
    """Save the link / create choices of the rows on the page, or one choice for all matches."""
    batch = _batch_or_404(batch_id, lock=True)
    # The fields depend on the rows that were on the page; the service only touches this batch's rows.
    ids = [int(i) for i in (request.form.get("rows") or "").split(",")[:500] if i.isdigit()]
    form = decisions_form(ids)
    if not form.validate_on_submit():
        abort(400)
    back = safe_next_url(form.back.data)
    if not back or not back.startswith(url_for("imports.preview", batch_id=batch_id)):
        back = url_for("imports.preview", batch_id=batch_id)

    def decide_rows() -> None:
        if form.apply_all.data in ("link", "create"):
            services.set_all_decisions(batch, form.apply_all.data)
        else:
            chosen = {i: form[f"d_{i}"].data for i in ids if form[f"d_{i}"].data in ("link", "create")}
            services.set_decisions(batch, chosen)

    return perform(decide_rows, success=_("Auswahl gespeichert."), redirect_to=back, confirm=False)


@bp.post("/<int:batch_id>/commit")
@manager_only
def commit(batch_id: int) -> Response:
    """Write the import in one transaction; any error leaves the database as it was."""
    batch = _batch_or_404(batch_id, lock=True)
    form = CommitForm()
    if not form.validate_on_submit():
        abort(400)
    return perform(
        lambda: commit_batch(batch, actor=current_user, mode=form.mode.data),
        success=lambda counts: _(
            "Import abgeschlossen: %(created)s Unternehmen angelegt, %(linked)s vorhandene ergänzt, "
            "%(contacts)s Ansprechpersonen.",
            **counts,
        ),
        redirect_to=url_for("imports.batch", batch_id=batch_id),
        refused_to=url_for("imports.preview", batch_id=batch_id),
        confirm=False,
    )


# --- after the commit ------------------------------------------------------------------------


@bp.get("/<int:batch_id>")
@manager_only
def batch(batch_id: int) -> str | Response:
    """What an import did: counts, error report, the companies it created, undo."""
    batch = _batch_or_404(batch_id)
    if batch.status not in (BatchStatus.COMMITTED, BatchStatus.UNDONE):
        return redirect(_step_url(batch))
    blocked = undo.blockers(batch) if undo.can_undo(batch) else []
    created = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.import_batch_id == batch.id)
        .order_by(Organisation.id)
        .limit(20)
    ).all()
    return render_template(
        "imports/batch.html",
        batch=batch,
        counts=batch.counts or {},
        created=created,
        blockers=blocked,
        can_undo=undo.can_undo(batch),
        deadline=undo.undo_deadline(batch),
        limit=undo.BLOCKER_LIMIT,
        form=ConfirmForm(),
    )


@bp.get("/<int:batch_id>/errors.csv")
@writes_on_get
@manager_only
def error_report(batch_id: int) -> Response:
    """The rows with errors, their messages first, then the original cells (formula-safe); logged."""
    batch = _batch_or_404(batch_id)
    errors = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ImportRow)
        .where(ImportRow.batch_id == batch.id, ImportRow.status == RowStatus.ERROR)
    )
    with unit_of_work():
        record(
            "export",
            entity=batch,
            actor=current_user,
            details={"format": "csv", "kind": "import_errors", "rows": errors},
        )
    columns = [Column(_("Zeile"), None, "int"), Column(_("Fehler"), None)]
    columns += [Column(h or _("Spalte %(n)s", n=i + 1), None) for i, h in enumerate(batch.headers)]
    stmt = (
        sa.select(ImportRow.row_number, ImportRow.messages, ImportRow.cells)
        .where(ImportRow.batch_id == batch.id, ImportRow.status == RowStatus.ERROR)
        .order_by(ImportRow.row_number)
    )
    rows = (
        (number, neutralise(" | ".join(messages or [])), *(neutralise(c) for c in cells))
        for number, messages, cells in db.session.execute(stmt)
    )
    stem = batch.file_name.rsplit(".", 1)[0][:60]
    return csv_response(f"fehler-{stem}-{date.today().isoformat()}.csv".replace('"', ""), columns, rows)


@bp.post("/<int:batch_id>/undo")
@manager_only
def undo_import(batch_id: int) -> Response:
    """Remove what the import created (within 30 days, if nothing was changed since)."""
    batch = _batch_or_404(batch_id, lock=True)
    return perform(
        lambda: undo.undo_batch(batch, actor=current_user),
        success=lambda counts: _(
            "Import rückgängig gemacht: %(organisations)s Unternehmen und %(contacts)s Ansprechpersonen "
            "entfernt.",
            **counts,
        ),
        redirect_to=url_for("imports.batch", batch_id=batch_id),
    )


@bp.post("/<int:batch_id>/discard")
@manager_only
def discard(batch_id: int) -> Response:
    """Throw away an unfinished import."""
    batch = _batch_or_404(batch_id, lock=True)
    return perform(
        lambda: services.discard(batch, actor=current_user),
        success=_("Der Import wurde verworfen."),
        redirect_to=url_for("imports.index"),
        refused_to=_step_url(batch),
    )

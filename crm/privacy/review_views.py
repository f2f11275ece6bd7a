"""Retention review (managers), the record of processing (admins), marketing contact lists."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from crm.audit.services import record
from crm.auth.models import Role
from crm.auth.permissions import role_required
from crm.core.marks import CATEGORIES, LEGAL_BASES
from crm.core.pagination import page_args, paginate
from crm.core.params import choice_arg, int_arg
from crm.core.transaction import transaction
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.services import archive_organisation
from crm.privacy import erasure, processing, retention, review
from crm.privacy.forms import ReviewApplyForm, ReviewSelectionForm
from crm.privacy.models import RetentionHold
from crm.privacy.views import bp

VIEWS = ("companies", "holds")
ACTIONS = {"companies": ("archive", "erase"), "holds": ("release",)}
MAX_SELECTION = 200


def _years() -> int:
    years = int_arg("years", default=review.review_years())
    if years is None or not 1 <= years <= 30:
        raise BadRequest(_("Der Zeitraum muss zwischen 1 und 30 Jahren liegen."))
    return years


@bp.get("/privacy/retention/")
@role_required(Role.MANAGER)
def retention_review() -> str:
    """Companies without business and contact for years, and records whose retention has ended."""
    view = choice_arg("view", VIEWS, default="companies")
    years = _years()
    page_number, per_page = page_args()
    if view == "companies":
        page = paginate(review.stale_companies(current_user, years), page=page_number, per_page=per_page)
    else:
        page = paginate(review.ended_holds(), page=page_number, per_page=per_page)
    restricted = db.session.scalar(sa.select(sa.func.count()).select_from(RetentionHold)) or 0
    return render_template(
        "privacy/retention.html",
        view=view,
        years=years,
        page=page,
        restricted=restricted,
        form=ReviewSelectionForm(),
        today=date.today(),
    )


def _selected(view: str, ids: list[int], years: int) -> list[Any]:
    """The chosen records that are (still) eligible — checked again, never trusted from the form."""
    ids = sorted(set(ids))[:MAX_SELECTION]
    if not ids:
        return []
    if view == "companies":
        return list(
            db.session.scalars(review.stale_companies(current_user, years).where(Organisation.id.in_(ids)))
        )
    return list(db.session.scalars(review.ended_holds().where(RetentionHold.id.in_(ids))))


def _view_and_action(form: ReviewSelectionForm) -> tuple[str, str]:
    view = choice_arg("view", VIEWS, default="companies") or "companies"
    if form.action.data not in ACTIONS[view]:
        raise BadRequest(_("Unbekannte Aktion."))
    return view, form.action.data


@bp.post("/privacy/retention/preview")
@role_required(Role.MANAGER)
def retention_preview() -> Any:
    """Show what the chosen action would do to the chosen records, before anything happens."""
    form = ReviewSelectionForm()
    if not form.validate_on_submit():
        raise BadRequest(_("Das Formular ist abgelaufen. Bitte erneut senden."))
    view, action = _view_and_action(form)
    years = _years()
    records = _selected(view, form.ids.data or [], years)
    if not records:
        flash(_("Bitte wählen Sie mindestens einen Eintrag aus."), "warning")
        return redirect(url_for("privacy.retention_review", view=view, years=years))
    apply_form = ReviewApplyForm(formdata=None, ids=[r.id for r in records], action=action)
    return render_template(
        "privacy/retention_preview.html",
        view=view,
        action=action,
        years=years,
        records=records,
        form=apply_form,
    )


@bp.post("/privacy/retention/apply")
@role_required(Role.MANAGER)
def retention_apply() -> Any:
    """Archive or erase the previewed companies, or release ended retention records."""
    form = ReviewApplyForm()
    if not form.validate_on_submit():
        raise BadRequest(_("Das Formular ist abgelaufen. Bitte erneut senden."))
    view, action = _view_and_action(form)
    years = _years()
    records = _selected(view, form.ids.data or [], years)
    if not records:
        flash(_("Keiner der gewählten Einträge ist noch zur Prüfung offen."), "warning")
        return redirect(url_for("privacy.retention_review", view=view, years=years))
    with transaction(form) as outcome:
        if action == "archive":
            for org in records:
                archive_organisation(org, actor=current_user)
        else:
            reason = erasure.check_confirmation(current_user, form.reason.data, form.password.data)
            for item in records:
                if action == "erase":
                    erasure.erase_organisation(
                        item, reason=reason, password=None, actor=current_user, bulk=True
                    )
                else:
                    _release(item, reason)
    if not outcome.ok:
        records = _selected(view, form.ids.data or [], years)
        return render_template(
            "privacy/retention_preview.html",
            view=view,
            action=action,
            years=years,
            records=records,
            form=form,
        )
    flash(_("%(n)s Einträge erledigt.", n=len(records)), "success")
    return redirect(url_for("privacy.retention_review", view=view, years=years))


def _release(hold: RetentionHold, reason: str) -> None:
    details = {"keep_until": hold.keep_until, "reason": reason, "erased": [hold.erased_type, hold.erased_id]}
    entity_type, entity_id = hold.entity_type, hold.entity_id
    retention.release(hold)
    record("retention_released", entity_type=entity_type, entity_id=entity_id, details=details)


@bp.get("/admin/privacy/processing")
@role_required(Role.ADMIN)
def processing_record() -> str:
    """Which fields hold personal data, for which purpose, on which legal basis (from the code)."""
    return render_template(
        "privacy/processing.html",
        register=processing.register(),
        exempt=processing.exempt_columns(),
        categories=CATEGORIES,
        bases=LEGAL_BASES,
        audit_days=current_app.config["AUDIT_RETENTION_DAYS"],
        review_years=current_app.config["RETENTION_REVIEW_YEARS"],
        retention_years=retention.RETENTION_YEARS,
    )


@bp.get("/privacy/restricted")
@role_required(Role.MANAGER)
def restricted() -> str:
    """Every record kept under a retention hold, with the date it may go."""
    page_number, per_page = page_args()
    page = paginate(review.all_holds(), page=page_number, per_page=per_page)
    return render_template("privacy/restricted.html", page=page, today=date.today())

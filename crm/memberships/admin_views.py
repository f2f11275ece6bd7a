"""Admin pages: fee schedules per year and the creditor's SEPA data."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm.auth.models import Role
from crm.auth.permissions import role_required
from crm.core.transaction import submit
from crm.memberships import creditor, schedules
from crm.memberships.forms import CreditorSettingsForm, ScheduleForm

bp = Blueprint("fee_settings", __name__, url_prefix="/admin")


@bp.get("/fee-schedules/")
@role_required(Role.ADMIN)
def schedule_list() -> str:
    """Every year's fee schedule."""
    return render_template("memberships/schedules.html", schedules=schedules.all_schedules())


def _schedule_data(form: ScheduleForm) -> dict[str, object]:
    return {name: form[name].data for name in schedules.FIELDS}


@bp.route("/fee-schedules/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def schedule_new() -> str | Response:
    """A new year's schedule, pre-filled from the latest one ("copy last year")."""
    form = ScheduleForm()
    if request.method == "GET":
        latest = schedules.latest_schedule()
        if latest is not None:
            form.process(data=schedules.copy_values(latest, latest.year + 1))
            form.pro_rata.data = latest.pro_rata.value
        else:
            form.year.data = date.today().year
    done = submit(
        form,
        lambda: schedules.save_schedule(_schedule_data(form), actor=current_user),
        success=lambda schedule: _("Beitragsordnung %(year)s gespeichert.", year=schedule.year),
        redirect_to=url_for("fee_settings.schedule_list"),
    )
    return done or render_template("memberships/schedule_form.html", form=form, schedule=None)


@bp.route("/fee-schedules/<int:year>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def schedule_edit(year: int) -> str | Response:
    """Change a schedule; fees already issued keep their amounts."""
    schedule = schedules.schedule_for(year)
    if schedule is None:
        abort(404)
    form = ScheduleForm(obj=schedule)
    if request.method == "GET":
        form.pro_rata.data = schedule.pro_rata.value
    done = submit(
        form,
        lambda: schedules.save_schedule(_schedule_data(form), actor=current_user, schedule=schedule),
        success=_("Beitragsordnung %(year)s gespeichert.", year=year),
        redirect_to=url_for("fee_settings.schedule_list"),
    )
    return done or render_template("memberships/schedule_form.html", form=form, schedule=schedule)


@bp.route("/sepa-settings", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def creditor_settings() -> str | Response:
    """The creditor's name, account, creditor identifier and pre-notification period."""
    settings = creditor.get_settings()
    form = CreditorSettingsForm(obj=settings)
    done = submit(
        form,
        lambda: creditor.save_settings(
            {name: form[name].data for name in creditor.SETTINGS_FIELDS}, actor=current_user
        ),
        success=_("Gläubigerdaten gespeichert."),
        redirect_to=url_for("fee_settings.creditor_settings"),
    )
    return done or render_template("memberships/settings.html", form=form, settings=settings)

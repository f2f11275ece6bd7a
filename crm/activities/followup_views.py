"""Follow-ups (Wiedervorlagen): my list, done, postpone, edit/reassign, and the calendar feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from crm.activities import dates, feed, followup_list, followups
from crm.activities.forms import FollowUpForm, PostponeForm
from crm.activities.models import FollowUp
from crm.auth import permissions
from crm.auth.models import User
from crm.core.conflicts import conflict_page, conflict_rows
from crm.core.forms import ConfirmForm, choices
from crm.core.pagination import page_args
from crm.core.params import choice_arg, int_arg
from crm.core.security import safe_next_url
from crm.core.transaction import perform, submit, unit_of_work
from crm.extensions import db
from crm.organisations.queries import parse_list_query
from crm.organisations.services import active_users
from crm.organisations.visibility import can_view_organisation

bp = Blueprint("follow_ups", __name__, url_prefix="/follow-ups")


@bp.get("/")
@login_required
def index() -> str:
    """Open follow-ups of one person (default: me), grouped by due day; one group paged with ``group``."""
    assignee_id = int_arg("assignee", default=current_user.id)
    assert assignee_id is not None
    permissions.require(permissions.can_view_follow_ups_of(current_user, assignee_id))
    assignee = current_user if assignee_id == current_user.id else db.session.get(User, assignee_id)
    if assignee is None:
        raise BadRequest(_("Unbekannte Person."))
    group = choice_arg("group", followup_list.GROUPS)
    today = dates.local_today()
    query = parse_list_query(current_user)
    companies = query if query.is_filtered else None  # e.g. from the dashboard: region, owner …
    context: dict[str, Any] = {"companies": companies}
    if group:
        page_number, per_page = page_args()
        context["page"] = followup_list.group_page(
            assignee_id,
            current_user,
            group,
            today=today,
            page=page_number,
            per_page=per_page,
            companies=companies,
        )
        context["group_label"] = str(followup_list.GROUP_LABELS[group])
    else:
        context["groups"] = followup_list.grouped(assignee_id, current_user, today=today, companies=companies)
    return render_template(
        "activities/follow_ups.html",
        assignee=assignee,
        group=group,
        today=today,
        users=active_users() if permissions.is_manager(current_user) else [],
        **context,
    )


def _follow_up_or_404(follow_up_id: int) -> FollowUp:
    follow_up = db.session.get(FollowUp, follow_up_id)
    if follow_up is None or not can_view_organisation(current_user, follow_up.organisation):
        abort(404)
    if not permissions.can_manage_follow_up(current_user, follow_up):
        abort(403)
    return follow_up


def _back() -> str:
    """Where a follow-up action returns to: the page it came from (same site) or the list."""
    return safe_next_url(request.form.get("next")) or url_for("follow_ups.index")


STALE = _l("Diese Wiedervorlage wurde inzwischen geändert. Bitte erneut versuchen.")


@bp.post("/<int:follow_up_id>/done")
@login_required
def done(follow_up_id: int) -> Response:
    """Mark a follow-up as done."""
    follow_up = _follow_up_or_404(follow_up_id)
    return perform(
        lambda: followups.complete_follow_up(follow_up, actor=current_user),
        success=_("Erledigt: %(what)s", what=follow_up.what),
        redirect_to=_back(),
        conflict=str(STALE),
    )


@bp.post("/<int:follow_up_id>/postpone")
@login_required
def postpone(follow_up_id: int) -> Response:
    """Put a follow-up off by some days (from today or its due date, whichever is later) or to a date."""
    follow_up = _follow_up_or_404(follow_up_id)
    form = PostponeForm()
    if not form.validate_on_submit() or not (form.days.data or form.due_on.data):
        flash(_("Bitte ein neues Fälligkeitsdatum angeben."), "danger")
        return redirect(_back())
    later = max(dates.local_today(), follow_up.due_on) + timedelta(days=form.days.data or 0)
    due_on = form.due_on.data or later
    return perform(
        lambda: followups.postpone_follow_up(follow_up, due_on, actor=current_user),
        success=_("Verschoben auf den %(date)s.", date=due_on.strftime("%d.%m.%Y")),
        redirect_to=_back(),
        conflict=str(STALE),
        confirm=False,
    )


@bp.route("/<int:follow_up_id>/edit", methods=["GET", "POST"])
@login_required
def edit(follow_up_id: int) -> Any:
    """Reword or reschedule a follow-up; managers also hand it to someone else."""
    follow_up = _follow_up_or_404(follow_up_id)
    form = FollowUpForm(obj=follow_up)
    may_reassign = permissions.can_reassign_follow_up(current_user)
    if may_reassign:
        form.assignee_id.choices = choices((u.id, u.name) for u in active_users())
    else:
        del form.assignee_id
    if not form.is_submitted():
        form.version.data = str(follow_up.version)
    done = submit(
        form,
        lambda: followups.update_follow_up(
            follow_up, _follow_up_data(form), expected_version=form.version.expected, actor=current_user
        ),
        success=_("Wiedervorlage gespeichert."),
        redirect_to=url_for("follow_ups.index"),
        on_conflict=lambda: _conflict(form, follow_up_id),
    )
    return done or render_template("activities/follow_up_form.html", form=form, follow_up=follow_up)


def _follow_up_data(form: FollowUpForm) -> dict[str, Any]:
    data = {"what": form.what.data, "due_on": form.due_on.data}
    if "assignee_id" in form:  # managers only
        data["assignee_id"] = form.assignee_id.data
    return data


def _conflict(form: FollowUpForm, follow_up_id: int) -> tuple[str, int]:
    """Both versions side by side (409); the form keeps the input."""
    follow_up = _follow_up_or_404(follow_up_id)
    current = {"what": follow_up.what, "due_on": follow_up.due_on, "assignee_id": follow_up.assignee_id}
    rows = conflict_rows(form, current, _follow_up_data(form))
    return conflict_page(
        "activities/follow_up_form.html", form=form, version=follow_up.version, rows=rows, follow_up=follow_up
    )


# --- calendar feed ---------------------------------------------------------------------------


@bp.get("/calendar")
@login_required
def calendar() -> str:
    """Where to get (or replace) the private calendar address."""
    return render_template(
        "activities/calendar.html", token=feed.feed_token(current_user), feed_url=None, form=ConfirmForm()
    )


@bp.post("/calendar/new")
@login_required
def calendar_new() -> str:
    """Make a new private address (the old one stops working) and show it once."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        token = feed.issue_token(current_user, actor=current_user)
    feed_url = url_for("follow_ups.feed_ics", token=token, _external=True)
    return render_template(
        "activities/calendar.html", token=feed.feed_token(current_user), feed_url=feed_url, form=ConfirmForm()
    )


@bp.post("/calendar/revoke")
@login_required
def calendar_revoke() -> Response:
    """Switch the calendar feed off."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        revoked = feed.revoke_token(current_user, actor=current_user)
    if revoked:
        flash(_("Die Kalender-Adresse wurde ungültig gemacht."), "success")
    return redirect(url_for("follow_ups.calendar"))


@bp.get("/feed/<token>.ics")
def feed_ics(token: str) -> Response:
    """The calendar feed: no login, the token is the key; unknown or revoked tokens get 404."""
    user = feed.user_for_token(token)
    if user is None:
        abort(404)
    body = feed.calendar(
        user,
        feed.feed_rows(user),
        uid_domain=request.host.split(":")[0] or "bildungs-crm",
        link=lambda org_id: url_for("organisations.detail", org_id=org_id, _external=True),
        title=_("Wiedervorlagen – %(name)s", name=user.name),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="wiedervorlagen.ics"'
    return response

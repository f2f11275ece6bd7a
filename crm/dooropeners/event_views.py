"""Event pages: list, record and edit an event, attendees (existing or new companies), what came of it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from crm.activities import dates
from crm.activities.views import active_contacts, search_companies
from crm.auth import permissions
from crm.core.conflicts import conflict_page, conflict_rows
from crm.core.forms import ConfirmForm, choices
from crm.core.pagination import page_args, paginate
from crm.core.params import choice_arg, int_arg
from crm.core.query import contains_pattern
from crm.core.transaction import perform, submit, transaction
from crm.dooropeners import events as services
from crm.dooropeners.forms import AttendanceForm, EventCompanyForm, EventForm
from crm.dooropeners.models import DoorOpener, Event, EventAttendance, event_hosts
from crm.extensions import db
from crm.organisations import services as org_services
from crm.organisations.models import ContactPerson, Organisation
from crm.organisations.views import _form_data as organisation_form_data
from crm.organisations.views import duplicate_candidates
from crm.organisations.visibility import organisation_or_404, organisation_visibility

bp = Blueprint("events", __name__)

WHEN = ("all", "upcoming", "past")


def _event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


def _host_choices(form: Any, keep: list[DoorOpener] = ()) -> None:
    kept = {h.id for h in keep}
    hosts = db.session.scalars(
        sa.select(DoorOpener)
        .where(sa.or_(DoorOpener.is_archived.is_(False), DoorOpener.id.in_(kept or {0})))
        .order_by(DoorOpener.institution, DoorOpener.last_name)
    )
    form.host_ids.choices = [(h.id, h.display_name) for h in hosts]


def _event_data(form: EventForm) -> dict[str, Any]:
    return {name: form[name].data for name in (*services.EVENT_FIELDS, "host_ids")}


@bp.get("/events/")
@login_required
def index() -> str:
    """Events, newest first, with how many companies attended."""
    when = choice_arg("when", WHEN, default="all")
    host_id = int_arg("host")
    q = (request.args.get("q") or "").strip()
    attendees = (
        sa.select(sa.func.count())
        .select_from(EventAttendance)
        .join(Organisation, Organisation.id == EventAttendance.organisation_id)
        .where(EventAttendance.event_id == Event.id, organisation_visibility(current_user))
        .scalar_subquery()
    )
    stmt = sa.select(Event, attendees.label("attendees"))
    today = dates.local_today()
    if when == "upcoming":
        stmt = stmt.where(Event.held_on >= today).order_by(Event.held_on, Event.id)
    else:
        if when == "past":
            stmt = stmt.where(Event.held_on < today)
        stmt = stmt.order_by(Event.held_on.desc(), Event.id.desc())
    if host_id is not None:
        stmt = stmt.where(
            sa.exists().where(event_hosts.c.event_id == Event.id, event_hosts.c.door_opener_id == host_id)
        )
    if q:
        pattern = contains_pattern(q)
        stmt = stmt.where(
            sa.or_(
                Event.title.ilike(pattern, escape="\\"),
                Event.place.ilike(pattern, escape="\\"),
                Event.topic.ilike(pattern, escape="\\"),
            )
        )
    page_number, per_page = page_args()
    page = paginate(stmt, page=page_number, per_page=per_page, scalars=False)
    host = db.session.get(DoorOpener, host_id) if host_id else None
    return render_template("events/list.html", page=page, when=when, q=q, host=host, today=today)


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response:
    permissions.require(permissions.can_log_activity(current_user))
    host = int_arg("host")
    form = EventForm(host_ids=[host] if host else [])
    _host_choices(form)
    done = submit(
        form,
        lambda: services.create_event(_event_data(form), actor=current_user),
        success=lambda event: _("Veranstaltung „%(title)s“ angelegt.", title=event.title),
        redirect_to=lambda event: url_for("events.detail", event_id=event.id),
    )
    return done or render_template("events/form.html", form=form, event=None)


@bp.get("/events/<int:event_id>")
@login_required
def detail(event_id: int) -> str:
    """The event, its hosts and attendees, and what came of it."""
    event = _event_or_404(event_id)
    visible = organisation_visibility(current_user)
    stmt = (
        sa.select(EventAttendance, Organisation, ContactPerson)
        .join(Organisation, Organisation.id == EventAttendance.organisation_id)
        .outerjoin(ContactPerson, ContactPerson.id == EventAttendance.contact_person_id)
        .where(EventAttendance.event_id == event.id, visible)
        .order_by(Organisation.name, EventAttendance.id)
    )
    page_number, per_page = page_args()
    page = paginate(stmt, page=page_number, per_page=per_page, scalars=False)
    return render_template(
        "events/detail.html",
        event=event,
        page=page,
        outcomes=services.outcomes(event, visible),
        may_edit=services.can_edit_event(current_user, event),
        can_add=permissions.can_log_activity(current_user) and event.held_on <= dates.local_today(),
        today=dates.local_today(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int) -> tuple[str, int] | str | Response:
    """Edit; an outdated save shows both versions (409)."""
    event = _event_or_404(event_id)
    permissions.require(services.can_edit_event(current_user, event))
    form = EventForm(obj=event)
    _host_choices(form, keep=event.hosts)
    if not form.is_submitted():
        form.version.data = str(event.version)
        form.host_ids.data = [h.id for h in event.hosts]
    done = submit(
        form,
        lambda: services.update_event(
            event, _event_data(form), expected_version=form.version.expected, actor=current_user
        ),
        success=_("Änderungen gespeichert."),
        redirect_to=url_for("events.detail", event_id=event.id),
        on_conflict=lambda: _conflict(form, event_id),
    )
    return done or render_template("events/form.html", form=form, event=event)


def _conflict(form: EventForm, event_id: int) -> tuple[str, int]:
    """Both versions side by side (409); the form keeps the input."""
    event = _event_or_404(event_id)
    rows = conflict_rows(form, services.event_snapshot(event), _event_data(form))
    return conflict_page("events/form.html", form=form, version=event.version, rows=rows, event=event)


def _introducer_choices(form: Any, event: Event) -> None:
    form.introduced_by.choices = choices(
        ((h.id, h.display_name) for h in event.hosts if not h.is_archived), blank=_("– nein –")
    )


def _introducer(form: Any, event: Event) -> DoorOpener | None:
    wanted = form.introduced_by.data
    return next((h for h in event.hosts if h.id == wanted), None) if wanted else None


@bp.route("/events/<int:event_id>/attendees/new", methods=["GET", "POST"])
@login_required
def attendee_new(event_id: int) -> str | Response:
    """Add an existing company: search it (works without JavaScript), tick who came, save."""
    event = _event_or_404(event_id)
    permissions.require(permissions.can_log_activity(current_user))
    org_id = int_arg("organisation_id") or (
        int(request.form["organisation_id"]) if request.form.get("organisation_id", "").isdigit() else None
    )
    org = organisation_or_404(org_id, current_user) if org_id else None
    form = AttendanceForm(organisation_id=org.id if org else "")
    _introducer_choices(form, event)
    people = active_contacts(org)
    form.contact_person_ids.choices = [(p.id, p.full_name) for p in people]
    if org is not None:
        attendee = org
        done = submit(
            form,
            lambda: services.add_attendance(
                event,
                attendee,
                contact_person_ids=form.contact_person_ids.data or [],
                introduced_by=_introducer(form, event),
                actor=current_user,
            ),
            success=_("%(name)s als teilnehmend erfasst; der Kontakt steht in der Historie.", name=org.name),
            redirect_to=url_for("events.detail", event_id=event.id),
        )
        if done is not None:
            return done
    q = (request.args.get("q") or "").strip()
    results = search_companies(q, current_user, limit=20) if q and org is None else []
    return render_template("events/attendee_form.html", event=event, form=form, org=org, q=q, results=results)


@bp.route("/events/<int:event_id>/attendees/new-company", methods=["GET", "POST"])
@login_required
def attendee_new_company(event_id: int) -> str | Response:
    """A company not in the CRM yet, captured on the spot (with the duplicate check)."""
    event = _event_or_404(event_id)
    permissions.require(permissions.can_log_activity(current_user))
    form = EventCompanyForm(stage="lead", owner_id=current_user.id)
    form.for_user(
        may_assign_owner=permissions.can_reassign_owner(current_user),
        may_override_size=permissions.can_override_size_class(current_user),
        owners=org_services.active_users(),
    )
    _introducer_choices(form, event)
    candidates = []
    if form.validate_on_submit():
        with transaction(form, handles=(org_services.DuplicatesFound,)) as outcome:
            org = org_services.create_organisation(
                organisation_form_data(form),
                actor=current_user,
                confirmed_duplicates=form.confirm_duplicates.data == "1",
            )
            services.add_attendance(event, org, introduced_by=_introducer(form, event), actor=current_user)
            name = org.name
        if outcome.ok:
            flash(_("%(name)s angelegt und als teilnehmend erfasst.", name=name), "success")
            return redirect(url_for("events.detail", event_id=event.id))
        candidates = duplicate_candidates(form, outcome)
    elif request.method == "GET":
        form.confirm_duplicates.data = ""
    return render_template("events/company_form.html", form=form, event=event, candidates=candidates)


@bp.post("/events/attendances/<int:attendance_id>/delete")
@login_required
def attendee_delete(attendance_id: int) -> Response:
    attendance = db.session.get(EventAttendance, attendance_id)
    if attendance is None:
        abort(404)
    organisation_or_404(attendance.organisation_id, current_user)
    return perform(
        lambda: services.remove_attendance(attendance, actor=current_user),
        success=_("Teilnahme und der dazu erfasste Kontakt wurden entfernt."),
        redirect_to=url_for("events.detail", event_id=attendance.event_id),
    )

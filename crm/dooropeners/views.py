"""Door-opener pages: list with results, detail, create/edit, merge, introductions, report back."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from crm.activities.dates import local_input
from crm.auth import permissions
from crm.core.conflicts import conflict_page, conflict_rows
from crm.core.forms import ConfirmForm, choices
from crm.core.pagination import page_args, paginate
from crm.core.transaction import perform, submit, transaction
from crm.dooropeners import services
from crm.dooropeners.events import CONTACT_FIELDS, delete_door_opener_contact, log_door_opener_contact
from crm.dooropeners.forms import (
    DoorOpenerContactForm,
    DoorOpenerForm,
    DoorOpenerMergeForm,
    IntroduceCompanyForm,
    IntroductionForm,
)
from crm.dooropeners.models import (
    DoorOpener,
    DoorOpenerContact,
    DoorOpenerResult,
    Event,
    Introduction,
    event_hosts,
)
from crm.dooropeners.queries import list_statement, parse_query
from crm.dooropeners.registries import INCOME_SOURCES, PAGE_ACTIONS, STATUS_COLUMNS
from crm.extensions import db
from crm.organisations import services as org_services
from crm.organisations.models import Organisation
from crm.organisations.views import _form_data as organisation_form_data
from crm.organisations.views import duplicate_candidates
from crm.organisations.visibility import organisation_or_404, organisation_visibility
from crm.privacy.suppression import block_list_note

bp = Blueprint("dooropeners", __name__)

CONTACTS_SHOWN = 10
EVENTS_SHOWN = 10


def _door_opener_or_404(door_opener_id: int) -> DoorOpener:
    door_opener = db.session.get(DoorOpener, door_opener_id)
    if door_opener is None or (door_opener.is_archived and not permissions.is_manager(current_user)):
        abort(404)
    return door_opener


def _owner_choices(form: Any) -> None:
    if permissions.is_manager(current_user):
        form.owner_id.choices = choices(
            ((u.id, u.name) for u in org_services.active_users()), blank=_("– niemand –")
        )
    else:
        del form.owner_id


def _data(form: DoorOpenerForm) -> dict[str, Any]:
    return {name: form[name].data for name in (*services.FIELDS, *services.MANAGER_FIELDS) if name in form}


@bp.get("/door-openers/")
@login_required
def index() -> str:
    """Door-openers with what came of their introductions."""
    query = parse_query(current_user)
    page_number, per_page = page_args()
    page = paginate(list_statement(query, current_user), page=page_number, per_page=per_page, scalars=False)
    regions = db.session.scalars(
        sa.select(DoorOpener.region)
        .where(DoorOpener.region.is_not(None))
        .distinct()
        .order_by(DoorOpener.region)
    ).all()
    return render_template("dooropeners/list.html", page=page, query=query, regions=regions)


@bp.route("/door-openers/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response:
    """Record a door-opener."""
    form = DoorOpenerForm(owner_id=current_user.id)
    _owner_choices(form)
    done = submit(
        form,
        lambda: services.create_door_opener(_data(form), actor=current_user),
        success=lambda door_opener: [
            _("%(name)s wurde angelegt.", name=door_opener.display_name),
            *block_list_note(door_opener.marketing_blocked, form.marketing_blocked.data),
        ],
        redirect_to=lambda door_opener: url_for("dooropeners.detail", door_opener_id=door_opener.id),
    )
    return done or render_template("dooropeners/form.html", form=form, door_opener=None)


@bp.get("/door-openers/<int:door_opener_id>")
@login_required
def detail(door_opener_id: int) -> str:
    """A door-opener, its results and the companies it introduced."""
    door_opener = _door_opener_or_404(door_opener_id)
    visible = organisation_visibility(current_user)
    stmt = (
        sa.select(Introduction, Organisation)
        .join(Organisation, Organisation.id == Introduction.organisation_id)
        .where(Introduction.door_opener_id == door_opener.id, visible)
        .order_by(Introduction.introduced_on.desc(), Introduction.id.desc())
    )
    page_number, per_page = page_args()
    page = paginate(stmt, page=page_number, per_page=per_page, scalars=False)
    results = db.session.get(DoorOpenerResult, door_opener.id)
    org_ids = [row.Organisation.id for row in page.items]
    introduced = (
        sa.select(Introduction.organisation_id)
        .join(Organisation, Organisation.id == Introduction.organisation_id)
        .where(Introduction.door_opener_id == door_opener.id, visible)
    )
    income = [(source.label, source.total_cents(introduced)) for source in INCOME_SOURCES.of()]
    status = [(column.header, column.values(org_ids)) for column in STATUS_COLUMNS.of()]
    contacts = db.session.scalars(
        sa.select(DoorOpenerContact)
        .where(DoorOpenerContact.door_opener_id == door_opener.id)
        .options(selectinload(DoorOpenerContact.user))
        .order_by(DoorOpenerContact.occurred_at.desc(), DoorOpenerContact.id.desc())
        .limit(CONTACTS_SHOWN + 1)
    ).all()
    hosted = db.session.scalars(
        sa.select(Event)
        .join(event_hosts, event_hosts.c.event_id == Event.id)
        .where(event_hosts.c.door_opener_id == door_opener.id)
        .order_by(Event.held_on.desc(), Event.id.desc())
        .limit(EVENTS_SHOWN)
    ).all()
    return render_template(
        "dooropeners/detail.html",
        door_opener=door_opener,
        page=page,
        results=results,
        income=income,
        status=status,
        contacts=contacts[:CONTACTS_SHOWN],
        more_contacts=len(contacts) > CONTACTS_SHOWN,
        hosted=hosted,
        actions=PAGE_ACTIONS.of(),
        confirm_form=ConfirmForm(),
    )


@bp.get("/door-openers/<int:door_opener_id>/contacts/")
@login_required
def contacts(door_opener_id: int) -> str:
    """Every contact with this door-opener, newest first."""
    door_opener = _door_opener_or_404(door_opener_id)
    page_number, per_page = page_args()
    page = paginate(
        sa.select(DoorOpenerContact)
        .where(DoorOpenerContact.door_opener_id == door_opener.id)
        .options(selectinload(DoorOpenerContact.user))
        .order_by(DoorOpenerContact.occurred_at.desc(), DoorOpenerContact.id.desc()),
        page=page_number,
        per_page=per_page,
    )
    return render_template(
        "dooropeners/contacts.html", door_opener=door_opener, page=page, confirm_form=ConfirmForm()
    )


@bp.route("/door-openers/<int:door_opener_id>/contacts/new", methods=["GET", "POST"])
@login_required
def contact_new(door_opener_id: int) -> str | Response:
    """Log a meeting or call with the door-opener itself."""
    door_opener = _door_opener_or_404(door_opener_id)
    permissions.require(permissions.can_log_activity(current_user) and not door_opener.is_archived)
    form = DoorOpenerContactForm()
    if not form.is_submitted():
        form.occurred_at.data = local_input()
    done = submit(
        form,
        lambda: log_door_opener_contact(
            door_opener, {name: form[name].data for name in CONTACT_FIELDS}, actor=current_user
        ),
        success=_("Kontakt mit %(name)s erfasst.", name=door_opener.display_name),
        redirect_to=url_for("dooropeners.detail", door_opener_id=door_opener.id) + "#contacts",
    )
    return done or render_template("dooropeners/contact_form.html", form=form, door_opener=door_opener)


@bp.post("/door-openers/contacts/<int:contact_id>/delete")
@login_required
def contact_delete(contact_id: int) -> Response:
    contact = db.session.get(DoorOpenerContact, contact_id)
    if contact is None:
        abort(404)
    door_opener = _door_opener_or_404(contact.door_opener_id)
    return perform(
        lambda: delete_door_opener_contact(contact, actor=current_user),
        success=_("Kontakt gelöscht."),
        redirect_to=url_for("dooropeners.detail", door_opener_id=door_opener.id) + "#contacts",
    )


@bp.route("/door-openers/<int:door_opener_id>/edit", methods=["GET", "POST"])
@login_required
def edit(door_opener_id: int) -> tuple[str, int] | str | Response:
    """Edit; an outdated save shows both versions (409)."""
    door_opener = _door_opener_or_404(door_opener_id)
    permissions.require(permissions.can_edit_door_opener(current_user, door_opener))
    form = DoorOpenerForm(obj=door_opener)
    _owner_choices(form)
    if not form.is_submitted():
        form.version.data = str(door_opener.version)
        form.kind.data = door_opener.kind.value
        form.legal_basis.data = door_opener.legal_basis.value
    done = submit(
        form,
        lambda: services.update_door_opener(
            door_opener, _data(form), expected_version=form.version.expected, actor=current_user
        ),
        success=_("Änderungen gespeichert."),
        redirect_to=url_for("dooropeners.detail", door_opener_id=door_opener.id),
        on_conflict=lambda: _conflict(form, door_opener_id),
    )
    return done or render_template("dooropeners/form.html", form=form, door_opener=door_opener)


def _conflict(form: DoorOpenerForm, door_opener_id: int) -> tuple[str, int]:
    """Both versions side by side (409); the form keeps the input."""
    door_opener = _door_opener_or_404(door_opener_id)
    rows = conflict_rows(form, services.snapshot(door_opener), _data(form))
    return conflict_page(
        "dooropeners/form.html", form=form, version=door_opener.version, rows=rows, door_opener=door_opener
    )


@bp.post("/door-openers/<int:door_opener_id>/archive")
@login_required
def archive(door_opener_id: int) -> Response:
    """Archive instead of delete: the introductions keep their source."""
    door_opener = _door_opener_or_404(door_opener_id)
    return perform(
        lambda: services.archive_door_opener(door_opener, actor=current_user),
        success=_(
            "%(name)s wurde archiviert; die Vermittlungen bleiben erhalten.", name=door_opener.display_name
        ),
        redirect_to=url_for("dooropeners.index"),
        refused_to=url_for("dooropeners.detail", door_opener_id=door_opener_id),
    )


@bp.post("/door-openers/<int:door_opener_id>/restore")
@login_required
def restore(door_opener_id: int) -> Response:
    """Bring an archived door-opener back (managers)."""
    door_opener = _door_opener_or_404(door_opener_id)
    return perform(
        lambda: services.restore_door_opener(door_opener, actor=current_user),
        success=_("%(name)s ist wieder aktiv.", name=door_opener.display_name),
        redirect_to=url_for("dooropeners.detail", door_opener_id=door_opener_id),
    )


@bp.route("/door-openers/<int:door_opener_id>/merge", methods=["GET", "POST"])
@login_required
def merge(door_opener_id: int) -> str | Response:
    """Merge a duplicate door-opener into this one (managers)."""
    permissions.require(permissions.can_manage_door_openers(current_user))
    survivor = _door_opener_or_404(door_opener_id)
    form = DoorOpenerMergeForm(other_id=request.args.get("other", type=int))
    duplicate = None
    if form.other_id.data:
        duplicate = db.session.get(DoorOpener, form.other_id.data)
        if duplicate is None or duplicate.is_archived or duplicate.id == survivor.id:
            form.other_id.errors = [_("Bitte die Nummer eines anderen, aktiven Türöffners angeben.")]
            duplicate = None
    preview = None
    if duplicate is not None:
        preview = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Introduction)
            .where(Introduction.door_opener_id == duplicate.id)
        )
        if form.confirmed.data == "1":
            other = duplicate
            done = submit(
                form,
                lambda: services.merge_door_openers(survivor, other, actor=current_user),
                success=lambda moved: _(
                    "Zusammengeführt: %(n)s Vermittlungen übernommen.", n=moved["introductions"]
                ),
                redirect_to=url_for("dooropeners.detail", door_opener_id=survivor.id),
            )
            if done is not None:
                return done
    return render_template(
        "dooropeners/merge.html", door_opener=survivor, form=form, duplicate=duplicate, preview=preview
    )


def _active_door_openers() -> list[DoorOpener]:
    return list(
        db.session.scalars(
            sa.select(DoorOpener)
            .where(DoorOpener.is_archived.is_(False))
            .order_by(DoorOpener.institution, DoorOpener.last_name)
        )
    )


@bp.route("/organisations/<int:org_id>/introductions/new", methods=["GET", "POST"])
@login_required
def introduction_new(org_id: int) -> str | Response:
    """ "Vermittelt durch …": record who introduced this company."""
    org = organisation_or_404(org_id, current_user)
    if org.is_archived:
        abort(404)
    form = IntroductionForm(door_opener_id=request.args.get("door_opener", type=int))
    form.door_opener_id.choices = choices(
        ((d.id, d.display_name) for d in _active_door_openers()), blank=_("– bitte wählen –")
    )

    def add() -> DoorOpener:
        door_opener = _door_opener_or_404(form.door_opener_id.data)
        services.add_introduction(
            org,
            door_opener,
            introduced_on=form.introduced_on.data,
            channel=form.channel.data,
            notes=form.introduction_notes.data,
            may_be_named=form.may_be_named.data,
            actor=current_user,
        )
        return door_opener

    done = submit(
        form,
        add,
        success=lambda door_opener: _("Vermittlung durch %(name)s erfasst.", name=door_opener.display_name),
        redirect_to=url_for("organisations.detail", org_id=org.id) + "#introductions",
    )
    return done or render_template("dooropeners/introduction_form.html", form=form, org=org)


@bp.post("/introductions/<int:introduction_id>/delete")
@login_required
def introduction_delete(introduction_id: int) -> Response:
    """Remove a wrongly recorded introduction (managers)."""
    introduction = db.get_or_404(Introduction, introduction_id)
    org = organisation_or_404(introduction.organisation_id, current_user)
    return perform(
        lambda: services.remove_introduction(introduction, actor=current_user),
        success=_("Vermittlung gelöscht."),
        redirect_to=url_for("organisations.detail", org_id=org.id) + "#introductions",
    )


@bp.route("/door-openers/<int:door_opener_id>/introduce", methods=["GET", "POST"])
@login_required
def introduce(door_opener_id: int) -> str | Response:
    """Create a company introduced by this door-opener, with the duplicate check, in one step."""
    door_opener = _door_opener_or_404(door_opener_id)
    if door_opener.is_archived:
        abort(404)
    form = IntroduceCompanyForm(stage="lead", owner_id=current_user.id)
    form.for_user(
        may_assign_owner=permissions.can_reassign_owner(current_user),
        may_override_size=permissions.can_override_size_class(current_user),
        owners=org_services.active_users(),
    )
    candidates = []
    if form.validate_on_submit():
        with transaction(form, handles=(org_services.DuplicatesFound,)) as outcome:
            org, _introduction = services.introduce_new_company(
                door_opener,
                organisation_form_data(form),
                introduced_on=form.introduced_on.data,
                channel=form.channel.data,
                notes=form.introduction_notes.data,
                may_be_named=form.may_be_named.data,
                actor=current_user,
                confirmed_duplicates=form.confirm_duplicates.data == "1",
            )
            name, org_id = org.name, org.id
        if outcome.ok:
            flash(
                _(
                    "%(name)s wurde angelegt und als Vermittlung von %(door)s erfasst.",
                    name=name,
                    door=door_opener.display_name,
                ),
                "success",
            )
            return redirect(url_for("organisations.detail", org_id=org_id))
        candidates = duplicate_candidates(form, outcome)
    elif request.method == "GET":
        form.confirm_duplicates.data = ""
    return render_template(
        "dooropeners/introduce.html", form=form, door_opener=door_opener, candidates=candidates
    )

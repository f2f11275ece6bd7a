"""Company-group pages: list, create, detail (members' stages, joint and member offers), edit, members."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from crm.auth import permissions
from crm.core.conflicts import conflict_page, conflict_rows
from crm.core.forms import ConfirmForm
from crm.core.pagination import page_args, paginate
from crm.core.transaction import perform, submit
from crm.extensions import db
from crm.offers import groups
from crm.offers.forms import GroupForm, JoinGroupForm, MemberForm
from crm.offers.models import CompanyGroup
from crm.organisations.visibility import organisation_or_404

bp = Blueprint("groups", __name__, url_prefix="/groups")


@bp.get("/")
@login_required
def index() -> str:
    """All company groups with member count and open joint offers."""
    page_number, per_page = page_args()
    page = paginate(groups.list_statement(current_user), page=page_number, per_page=per_page, scalars=False)
    return render_template("offers/groups.html", page=page)


def _form_data(form: GroupForm) -> dict[str, Any]:
    return {name: form[name].data for name in groups.FIELDS}


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response:
    """Start a group; from a company page that company becomes its first member and coordinator."""
    permissions.require(permissions.can_manage_groups(current_user))
    org_id = request.args.get("company", type=int)
    first = organisation_or_404(org_id, current_user) if org_id else None
    form = GroupForm()
    form.coordinator_id.choices = [("", _("– noch keins –"))]
    if first is not None:
        form.coordinator_id.choices.append((str(first.id), first.name))
    if request.method == "GET" and first is not None:
        form.coordinator_id.data = str(first.id)
    done = submit(
        form,
        lambda: groups.create_group(
            _form_data(form), actor=current_user, members=[first] if first is not None else []
        ),
        success=lambda group: _("Firmenverbund „%(name)s“ angelegt.", name=group.name),
        redirect_to=lambda group: url_for("groups.detail", group_id=group.id),
    )
    return done or render_template("offers/group_form.html", form=form, group=None, first=first)


@bp.get("/<int:group_id>")
@login_required
def detail(group_id: int) -> str:
    """Members with their stages, joint offers and the members' open offers."""
    group = db.get_or_404(CompanyGroup, group_id)
    return render_template(
        "offers/group.html",
        group=group,
        members=groups.visible_members(group.id, current_user),
        offers=groups.group_offers(group.id),
        member_offers=groups.member_offers(group.id, current_user),
        member_form=MemberForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def edit(group_id: int) -> str | Response:
    """Name, kind, coordinator (one of the members), notes."""
    permissions.require(permissions.can_manage_groups(current_user))
    group = db.get_or_404(CompanyGroup, group_id)
    form = GroupForm(obj=group)
    _coordinator_choices(form, group)
    if request.method == "GET":
        form.version.data = str(group.version)
        form.kind.data = group.kind.value
        form.coordinator_id.data = str(group.coordinator_id or "")
    done = submit(
        form,
        lambda: groups.update_group(
            group, _form_data(form), expected_version=form.version.expected, actor=current_user
        ),
        success=_("Änderungen gespeichert."),
        redirect_to=url_for("groups.detail", group_id=group_id),
        on_conflict=lambda: _conflict(form, group_id),
    )
    return done or render_template("offers/group_form.html", form=form, group=group, first=None)


def _coordinator_choices(form: GroupForm, group: CompanyGroup) -> None:
    members = groups.visible_members(group.id, current_user)
    form.coordinator_id.choices = [("", _("– keins –")), *((str(m.id), m.name) for m in members)]


def _conflict(form: GroupForm, group_id: int) -> tuple[str, int]:
    """Both versions side by side (409); the form keeps the input (members may have changed too)."""
    group = db.get_or_404(CompanyGroup, group_id)
    _coordinator_choices(form, group)
    rows = conflict_rows(form, groups.snapshot(group), _form_data(form))
    return conflict_page(
        "offers/group_form.html", form=form, version=group.version, rows=rows, group=group, first=None
    )


@bp.post("/<int:group_id>/members")
@login_required
def add_member(group_id: int) -> Response:
    """Add a company by its number."""
    permissions.require(permissions.can_manage_groups(current_user))
    group = db.get_or_404(CompanyGroup, group_id)
    form = MemberForm()
    if not form.validate_on_submit():
        flash(_("Bitte die Nummer eines Unternehmens angeben."), "danger")
        return redirect(url_for("groups.detail", group_id=group_id))
    org = organisation_or_404(form.organisation_id.data, current_user)
    return perform(
        lambda: groups.add_member(group, org, actor=current_user),
        success=lambda added: (
            _("%(name)s ist jetzt Mitglied.", name=org.name)
            if added
            else (_("%(name)s ist bereits Mitglied.", name=org.name), "info")
        ),
        redirect_to=url_for("groups.detail", group_id=group_id) + "#members",
        confirm=False,
    )


@bp.post("/<int:group_id>/members/<int:org_id>/remove")
@login_required
def remove_member(group_id: int, org_id: int) -> Response:
    """Take a company out of the group."""
    permissions.require(permissions.can_manage_groups(current_user))
    group = db.get_or_404(CompanyGroup, group_id)
    org = organisation_or_404(org_id, current_user)
    return perform(
        lambda: groups.remove_member(group, org, actor=current_user),
        success=_("%(name)s ist nicht mehr Mitglied.", name=org.name),
        redirect_to=url_for("groups.detail", group_id=group_id) + "#members",
    )


@bp.route("/join/<int:org_id>", methods=["GET", "POST"])
@login_required
def join(org_id: int) -> str | Response:
    """Put a company into an existing group (from the company page)."""
    permissions.require(permissions.can_manage_groups(current_user))
    org = organisation_or_404(org_id, current_user)
    if org.is_archived:
        abort(404)
    form = JoinGroupForm()
    choices = db.session.execute(groups.list_statement(current_user).limit(500)).all()
    form.group_id.choices = [(str(g.id), g.name) for g in choices]

    def join_group() -> CompanyGroup:
        group = db.get_or_404(CompanyGroup, int(form.group_id.data))
        groups.add_member(group, org, actor=current_user)
        return group

    done = submit(
        form,
        join_group,
        success=lambda group: _("%(name)s gehört jetzt zu „%(group)s“.", name=org.name, group=group.name),
        redirect_to=url_for("organisations.detail", org_id=org.id) + "#offers",
    )
    if done is not None:
        return done
    return render_template("offers/group_join.html", form=form, org=org, has_groups=bool(choices))

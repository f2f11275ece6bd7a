"""User administration for admins at /admin/users/."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm.auth import services
from crm.auth.forms import PasswordResetForm, UserCreateForm, UserEditForm
from crm.auth.models import Role, User
from crm.auth.permissions import role_required
from crm.core.forms import ConfirmForm
from crm.core.pagination import page_args, paginate
from crm.core.params import choice_arg
from crm.core.query import contains_pattern
from crm.core.transaction import perform, submit
from crm.extensions import db

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")

STATUS_FILTERS = ("active", "inactive", "all")


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> str:
    """All users, searchable by name or e-mail."""
    status = choice_arg("status", STATUS_FILTERS, default="active")
    q = request.args.get("q", "").strip()
    stmt = sa.select(User).order_by(User.name, User.id)
    if status != "all":
        stmt = stmt.where(User.is_active.is_(status == "active"))
    if q:
        pattern = contains_pattern(q)
        stmt = stmt.where(
            sa.or_(sa.func.lower(User.name).like(pattern, escape="\\"), User.email.like(pattern, escape="\\"))
        )
    page, per_page = page_args()
    return render_template(
        "admin/users.html",
        users=paginate(stmt, page=page, per_page=per_page),
        q=q,
        status=status,
        confirm_form=ConfirmForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new() -> str | Response:
    """Create a user with a first password (they must change it at first login)."""
    form = UserCreateForm()
    done = submit(
        form,
        lambda: services.create_user(
            email=form.email.data or "",
            name=form.name.data or "",
            role=Role(form.role.data),
            password=form.password.data or "",
            actor=current_user,
            must_change_password=True,
        ),
        success=lambda user: _("Benutzerkonto %(email)s wurde angelegt.", email=user.email),
        redirect_to=url_for("admin_users.index"),
    )
    return done or render_template("admin/user_form.html", form=form, user=None)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit(user_id: int) -> str | Response:
    """Change name and role."""
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user, role=user.role.value)
    done = submit(
        form,
        lambda: services.update_user(
            user, name=form.name.data or "", role=Role(form.role.data), actor=current_user
        ),
        success=_("Änderungen an %(email)s gespeichert.", email=user.email),
        redirect_to=url_for("admin_users.index"),
    )
    if done is not None:
        return done
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        reset_form=PasswordResetForm(),
        confirm_form=ConfirmForm(),
    )


@bp.post("/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate(user_id: int) -> Response:
    """Deactivate an account; its sessions end immediately."""
    return _set_active(user_id, False)


@bp.post("/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate(user_id: int) -> Response:
    """Reactivate an account."""
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool) -> Response:
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("Die Aktion konnte nicht bestätigt werden. Bitte erneut versuchen."), "danger")
        return redirect(url_for("admin_users.edit", user_id=user.id))
    message = _("%(email)s ist wieder aktiv.") if active else _("%(email)s wurde deaktiviert.")
    return perform(
        lambda: services.set_active(user, active, actor=current_user),
        success=message % {"email": user.email},
        redirect_to=url_for("admin_users.edit", user_id=user.id),
        confirm=False,
    )


@bp.post("/<int:user_id>/reset-password")
@role_required(Role.ADMIN)
def reset_password(user_id: int) -> str | Response:
    """Set a new password; the user has to replace it at the next login."""
    user = db.get_or_404(User, user_id)
    reset_form = PasswordResetForm()
    done = submit(
        reset_form,
        lambda: services.reset_password(user, reset_form.password.data or "", actor=current_user),
        success=_(
            "Neues Passwort für %(email)s gesetzt. Es muss bei der nächsten Anmeldung geändert werden.",
            email=user.email,
        ),
        redirect_to=url_for("admin_users.edit", user_id=user.id),
    )
    if done is not None:
        return done
    form = UserEditForm(obj=user, role=user.role.value)
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        reset_form=reset_form,
        confirm_form=ConfirmForm(),
    ), 400

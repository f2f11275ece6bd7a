"""Login, logout and the user's own account."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from crm.auth import services
from crm.auth.forms import LoginForm, PasswordChangeForm, ProfileForm
from crm.core.security import safe_next_url
from crm.core.transaction import submit, unit_of_work
from crm.extensions import limiter

bp = Blueprint("auth", __name__)


def _account_key() -> str:
    """Throttle key of the account named in the login form."""
    return "login-account:" + services.normalise_email(request.form.get("email", ""))


def _failed(response: Response) -> bool:
    """Only failed attempts count against the limits (a success redirects)."""
    return response.status_code != 302


def _begin_session(user) -> None:  # type: ignore[no-untyped-def]
    """Fresh cookie session bound to a new server-side login session."""
    session.clear()
    services.start_session(
        user,
        lifetime=current_app.permanent_session_lifetime,
        ip_address=request.remote_addr,
        user_agent=request.user_agent.string,
    )
    login_user(user)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
)
def login() -> str | Response:
    """Show the login form; on success continue to ``next`` if it is a path on this site."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        with unit_of_work():  # a failed attempt is committed too: it keeps its audit entry
            user = services.authenticate(form.email.data or "", form.password.data or "")
            if user is not None:
                _begin_session(user)
        if user is None:
            flash(_("E-Mail-Adresse oder Passwort ist falsch."), "danger")
        else:
            if user.must_change_password:
                return redirect(url_for("auth.password"))
            return redirect(safe_next_url(form.next.data) or url_for("core.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """End this browser's session (the old cookie stops working at once)."""
    with unit_of_work():
        services.end_session(current_user.session_token)
    logout_user()
    session.clear()
    flash(_("Sie wurden abgemeldet."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/", methods=["GET", "POST"])
@login_required
def account() -> str | Response:
    """Own name and interface language."""
    form = ProfileForm(obj=current_user)
    done = submit(
        form,
        lambda: services.update_profile(current_user, name=form.name.data or "", locale=form.locale.data),
        success=_("Ihre Einstellungen wurden gespeichert."),
        redirect_to=url_for("auth.account"),
    )
    return done or render_template("auth/account.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> str | Response:
    """Change own password; all other sessions of the user end."""
    form = PasswordChangeForm()
    user = current_user._get_current_object()

    def change() -> None:
        services.change_own_password(
            user, current=form.current_password.data or "", new=form.password.data or ""
        )
        _begin_session(user)

    done = submit(
        form,
        change,
        success=_("Ihr Passwort wurde geändert. Andere Anmeldungen wurden beendet."),
        redirect_to=url_for("core.index"),
    )
    return done or render_template("auth/password.html", form=form)

"""User and login-session workflows. Services flush and audit; the caller commits."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.services import record
from crm.auth.models import LoginSession, Role, User, hash_token
from crm.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from crm.core.db import utcnow
from crm.core.errors import DomainError, ValidationFailed
from crm.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or ``None`` — same cost for every failure."""
    user = get_user_by_email(email)
    valid = verify_password(user.password_hash if user else None, password)
    if not (user and valid and user.is_active):
        record("login_failed", details={"email": normalise_email(email)[:254]})
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def start_session(user: User, *, lifetime: timedelta, ip_address: str | None, user_agent: str | None) -> str:
    """Open a login session for ``user`` and return its token (stored only hashed)."""
    now = utcnow()
    db.session.execute(
        sa.delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at < now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=hash_token(token),
            user_id=user.id,
            expires_at=now + lifetime,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    db.session.flush()
    user.session_token = token
    record("login", entity=user, actor=user)
    return token


def load_session(token: str) -> User | None:
    """The active user owning the unexpired session ``token``, or ``None``."""
    user = db.session.scalar(
        sa.select(User)
        .join(LoginSession)
        .where(
            LoginSession.token_hash == hash_token(token),
            LoginSession.expires_at > utcnow(),
            User.is_active.is_(True),
        )
    )
    if user is not None:
        user.session_token = token
    return user


def end_session(token: str | None) -> None:
    """Forget one login session (logout)."""
    if token:
        db.session.execute(sa.delete(LoginSession).where(LoginSession.token_hash == hash_token(token)))


def revoke_sessions(user: User) -> None:
    """Log ``user`` out everywhere."""
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))


def _check_password(password: str, *, email: str, name: str) -> None:
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise ValidationFailed({"password": problems})


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    actor: User | None = None,
    must_change_password: bool = False,
) -> User:
    """Create a user after checking the e-mail is free and the password strong enough."""
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": [_("Bitte einen Namen angeben.")]})
    if get_user_by_email(email) is not None:
        raise ValidationFailed({"email": [_("Diese E-Mail-Adresse ist bereits vergeben.")]})
    _check_password(password, email=email, name=name)
    user = User(
        email=email,
        name=name,
        role=Role(role),
        password_hash=hash_password(password),
        is_active=True,
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    record("user_created", entity=user, actor=actor, details={"email": email, "role": user.role})
    return user


def _active_admin_count() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, User.is_active.is_(True))
        )
        or 0
    )


def _guard_last_admin(user: User) -> None:
    if user.role == Role.ADMIN and user.is_active and _active_admin_count() <= 1:
        raise DomainError(
            _(
                "%(name)s ist die letzte aktive Administratorin bzw. der letzte aktive "
                "Administrator und kann weder herabgestuft noch deaktiviert werden.",
                name=user.name,
            )
        )


def update_user(user: User, *, name: str, role: Role, actor: User) -> None:
    """Admin edit of name and role; the last active admin keeps the admin role."""
    role = Role(role)
    if role != Role.ADMIN:
        _guard_last_admin(user)
    changes = {}
    if user.name != name.strip():
        changes["name"] = [user.name, name.strip()]
        user.name = name.strip()
    if user.role != role:
        changes["role"] = [user.role.value, role.value]
        user.role = role
    if changes:
        record("user_updated", entity=user, actor=actor, changes=changes)


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Deactivate (logging the user out everywhere) or reactivate an account."""
    if user.is_active == active:
        return
    if not active:
        _guard_last_admin(user)
        revoke_sessions(user)
    user.is_active = active
    record("user_reactivated" if active else "user_deactivated", entity=user, actor=actor)


def reset_password(user: User, new_password: str, *, actor: User) -> None:
    """Admin sets a new password; the user must choose their own at next login."""
    _check_password(new_password, email=user.email, name=user.name)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    revoke_sessions(user)
    record("password_reset", entity=user, actor=actor)


def change_own_password(user: User, *, current: str, new: str) -> None:
    """The user replaces their password; every other login session ends."""
    if not verify_password(user.password_hash, current):
        raise ValidationFailed({"current_password": [_("Das aktuelle Passwort ist falsch.")]})
    if current == new:
        raise ValidationFailed({"password": [_("Das neue Passwort muss sich vom alten unterscheiden.")]})
    _check_password(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    revoke_sessions(user)
    record("password_changed", entity=user, actor=user)


def update_profile(user: User, *, name: str, locale: str) -> None:
    """The user's own name and interface language."""
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": [_("Bitte einen Namen angeben.")]})
    user.name = name
    user.locale = locale

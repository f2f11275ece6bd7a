"""Users, their roles and their server-side login sessions."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.db import enum_column, utcnow
from crm.core.marks import personal
from crm.extensions import db


class Role(enum.StrEnum):
    """Roles in ascending power: every manager may do what staff may, every admin what managers may."""

    STAFF = "staff"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class User(UserMixin, db.Model):
    """A person who logs in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, info=personal("contact", "users", "b"))
    name: Mapped[str] = mapped_column(sa.String(120), info=personal("name", "users", "b"))
    role: Mapped[Role] = mapped_column(
        enum_column(Role, "role"), default=Role.STAFF, info=personal("role", "users", "b")
    )
    password_hash: Mapped[str] = mapped_column(sa.String(255), info=personal("credentials", "users", "b"))
    is_active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(sa.String(5), default="de")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # Set for the request by the session loader; Flask-Login stores it as the user id.
    session_token = None

    def get_id(self) -> str:
        """The login-session token, so that a cookie names a revocable session, not a user."""
        if not self.session_token:
            raise RuntimeError("user has no login session")
        return self.session_token

    def has_role(self, role: Role) -> bool:
        return self.is_active and self.role.rank >= role.rank

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


def hash_token(token: str) -> str:
    """Tokens are stored hashed: a leaked table does not hand out sessions."""
    return hashlib.sha256(token.encode()).hexdigest()


class LoginSession(db.Model):
    """One logged-in browser. Deleting the row logs that browser out, whatever its cookie says."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(
        sa.String(64), unique=True, info=personal("credentials", "users", "b")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ip_address: Mapped[str | None] = mapped_column(sa.String(45), info=personal("log", "users"))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255), info=personal("log", "users"))

    user: Mapped[User] = relationship(back_populates="sessions")

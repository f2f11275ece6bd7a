"""``flask crm create-user`` and ``seed-demo``."""

from __future__ import annotations

import sqlalchemy as sa

from crm.auth.models import Role, User
from crm.auth.passwords import verify_password
from crm.extensions import db


def test_create_user_from_environment(app, monkeypatch):
    monkeypatch.setenv("CRM_PASSWORD", "Ein-gutes-Passwort-42")
    result = app.test_cli_runner().invoke(
        args=["crm", "create-user", "Chef@Example.org", "--name", "Chef", "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "chef@example.org"))
    assert user.role == Role.ADMIN and verify_password(user.password_hash, "Ein-gutes-Passwort-42")


def test_create_user_from_prompt(app, monkeypatch):
    monkeypatch.delenv("CRM_PASSWORD", raising=False)
    result = app.test_cli_runner().invoke(
        args=["crm", "create-user", "p@example.org", "--name", "Prompt"],
        input="Ein-gutes-Passwort-42\nEin-gutes-Passwort-42\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User).where(User.email == "p@example.org")).role == Role.STAFF


def test_create_user_refuses_weak_password(app, monkeypatch):
    monkeypatch.setenv("CRM_PASSWORD", "kurz")
    result = app.test_cli_runner().invoke(args=["crm", "create-user", "w@example.org", "--name", "W"])
    assert result.exit_code != 0
    assert "mindestens 10 Zeichen" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "w@example.org")) is None


def test_create_user_refuses_duplicate_and_bad_role(app, monkeypatch, staff):
    monkeypatch.setenv("CRM_PASSWORD", "Ein-gutes-Passwort-42")
    runner = app.test_cli_runner()
    assert "bereits vergeben" in runner.invoke(args=["crm", "create-user", staff.email, "--name", "X"]).output
    assert (
        runner.invoke(args=["crm", "create-user", "r@example.org", "--name", "X", "--role", "boss"]).exit_code
        != 0
    )


def test_seed_demo_users_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "admin@example.org" in result.output
    roles = set(db.session.scalars(sa.select(User.role)))
    assert roles == {Role.ADMIN, Role.MANAGER, Role.STAFF}
    again = runner.invoke(args=["crm", "seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "admin@example.org" not in again.output

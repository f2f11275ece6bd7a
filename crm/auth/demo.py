"""Demo users, created with random passwords that are printed once."""

from __future__ import annotations

import click
import sqlalchemy as sa

from crm.auth import services
from crm.auth.models import Role, User
from crm.auth.passwords import generate_password
from crm.core.demo import DemoContext
from crm.extensions import db

DEMO_USERS = [
    ("admin@example.org", "Anna Admin", Role.ADMIN),
    ("leitung@example.org", "Lars Leitung", Role.MANAGER),
    ("mitarbeiter@example.org", "Mia Mitarbeiterin", Role.STAFF),
]


def seed_users(context: DemoContext) -> None:
    """Three demo logins, one per role; existing accounts are left alone."""
    lines = []
    for email, name, role in DEMO_USERS:
        existing = db.session.scalar(sa.select(User).where(User.email == email))
        if existing is not None:
            context.ids.setdefault("users", []).append(existing.id)
            continue
        password = generate_password()
        user = services.create_user(email=email, name=name, role=role, password=password)
        context.ids.setdefault("users", []).append(user.id)
        lines.append(f"  {role.value:<8} {email:<26} {password}")
    if lines:
        click.echo("Demo-Anmeldungen (Passwörter werden nur jetzt angezeigt):")
        for line in lines:
            click.echo(line)

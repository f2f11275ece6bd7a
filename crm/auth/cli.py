"""``flask crm create-user``."""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from crm.auth import services
from crm.auth.models import Role
from crm.core.transaction import cli_transaction


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Anzeigename")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.STAFF.value, show_default=True
)
@with_appcontext
def create_user_command(email: str, name: str, role: str) -> None:
    """Create a user; the password comes from CRM_PASSWORD or a prompt."""
    password = os.environ.get("CRM_PASSWORD")
    if not password:
        password = click.prompt("Passwort", hide_input=True, confirmation_prompt="Passwort wiederholen")
    with cli_transaction():
        user = services.create_user(email=email, name=name, role=Role(role), password=password)
    click.echo(f"Benutzer {user.email} ({user.role.value}) angelegt.")

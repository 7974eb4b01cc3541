"""`flask users create` and `flask setup-code`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.auth import services
from app.auth.models import Role
from app.extensions import db

users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default="staff", show_default=True
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Add a user (prompts for the password unless --password-stdin)."""
    if services.find_user(email):
        raise click.ClickException(f"A user with email {email} already exists.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email=email, name=name, role=Role(role), password=password)
    except services.PasswordRejected as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}.")


@click.command("setup-code")
def setup_code() -> None:
    """Print a fresh one-time setup code (only while there are no users)."""
    if services.has_users():
        raise click.ClickException("Setup is done: this instance already has users.")
    code = services.issue_setup_code()
    db.session.commit()
    click.echo(f"Setup code: {code}")

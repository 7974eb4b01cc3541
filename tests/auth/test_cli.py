"""`flask users create` and `flask setup-code`."""

from __future__ import annotations

from sqlalchemy import select

from app.auth import passwords
from app.auth.models import Role, User
from app.extensions import db
from tests.factories import make_user


def test_users_create_reads_password_from_stdin(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "Ops@Example.org", "--name", "Ops Person",
              "--role", "admin", "--password-stdin"],
        input="river stones and blue kettles\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "ops@example.org" and user.role == Role.admin
    assert passwords.verify(user.password_hash, "river stones and blue kettles")


def test_users_create_prompts_for_password(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "a@example.org", "--name", "A", "--role", "staff"],
        input="river stones and blue kettles\nriver stones and blue kettles\n",
    )
    assert result.exit_code == 0, result.output


def test_users_create_refuses_weak_password_and_duplicates(runner):
    weak = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A",
                               "--password-stdin"], input="password1234\n")
    assert weak.exit_code != 0 and "too common" in weak.output
    make_user(email="b@example.org")
    db.session.commit()
    dup = runner.invoke(args=["users", "create", "--email", "b@example.org", "--name", "B",
                              "--password-stdin"], input="river stones and blue kettles\n")
    assert dup.exit_code != 0 and "already exists" in dup.output


def test_users_create_rejects_unknown_role(runner):
    result = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A",
                                 "--role", "owner", "--password-stdin"], input="x\n")
    assert result.exit_code != 0


def test_setup_code_command(runner):
    result = runner.invoke(args=["setup-code"])
    assert result.exit_code == 0 and "Setup code:" in result.output
    make_user()
    db.session.commit()
    assert runner.invoke(args=["setup-code"]).exit_code != 0

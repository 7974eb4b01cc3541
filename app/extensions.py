"""Flask extensions, created here unbound and bound to the app in create_app()."""

from __future__ import annotations

import flask_login
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import Integer, MetaData, Table, event
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base: constraint names are fixed so migrations are stable on every database."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


@event.listens_for(Table, "after_parent_attach")
def _ids_never_reused(table: Table, parent) -> None:
    """Every table of ours keyed by an integer id gets AUTOINCREMENT on SQLite: without it
    SQLite hands a deleted row's id to the next row, and "Merged contact #27" in the audit
    trail (or a link someone saved) would name somebody else. PostgreSQL sequences never
    reuse ids; there the option means nothing."""
    if parent is not Base.metadata:
        return
    key = list(table.primary_key.columns)
    if len(key) == 1 and isinstance(key[0].type, Integer) and not key[0].foreign_keys:
        table.dialect_options["sqlite"]["autoincrement"] = True


class LoginManager(flask_login.LoginManager):
    """Flask-Login, minus its after-request look into the session for visitors who have none
    (the look alone adds "Vary: Cookie", and public pages are cached for everybody)."""

    def _update_remember_cookie(self, response):
        from app.security import session_in_play

        if not session_in_play():
            return response
        return super()._update_remember_cookie(response)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()


def dialect() -> str:
    """The database in use: "sqlite" or "postgresql" (for the few statements written
    differently for each)."""
    return db.session.get_bind().dialect.name

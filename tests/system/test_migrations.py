"""The migrations build every table the models declare, and run down and up again."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import check, downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, base_config


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the kind under test."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    name = f"liaison_scratch_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_upgrade_downgrade_upgrade_and_no_drift(tmp_path, scratch_url):
    app = create_app(base_config(tmp_path, scratch_url))
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        check()  # exits non-zero (failing the test) if models and migrations disagree
        db.engine.dispose()


def test_audit_trail_is_append_only_in_the_database(app):
    from app.audit.services import record

    record("test.event", "something happened")
    db.session.commit()
    for statement in ("UPDATE audit_events SET summary = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text(statement))
        db.session.rollback()

"""Configuration: the generated secret key, and refusing unsafe production settings."""

from __future__ import annotations

import os
import stat

import pytest

from app import create_app


def test_secret_key_is_generated_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"INSTANCE_PATH": str(tmp_path / "inst"), "DATABASE_URL": "sqlite://"}
    first = create_app(dict(config))
    second = create_app(dict(config))
    key_file = tmp_path / "inst" / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k" * 40})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'liaison.sqlite'}"


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/liaison")
    monkeypatch.setenv("IDLE_TIMEOUT_MINUTES", "15")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k" * 40})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/liaison"
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 15


def test_production_refuses_short_key(tmp_path):
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        create_app({"INSTANCE_PATH": str(tmp_path), "LIAISON_ENV": "production",
                    "SECRET_KEY": "short", "DATABASE_URL": "sqlite://"})


def test_production_refuses_debug(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="debug"):
        create_app({"INSTANCE_PATH": str(tmp_path), "LIAISON_ENV": "production",
                    "SECRET_KEY": "k" * 40, "DATABASE_URL": "sqlite://"})

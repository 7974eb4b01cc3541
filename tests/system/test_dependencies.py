"""Dependencies point one way: the base never imports the domains built on it, and domains
built on the base use each other only through their services.

The base is `auth`, `audit`, `settings`, `mail`, `system`, `people` (and the `dashboard`
shell, which only holds the panel registry), plus the top-level modules of `app/`
(`web`, `database`, `extensions`, …). Every other package under `app/` is a domain built on
the base; a new one is covered the day its folder exists.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
BASE = {"auth", "audit", "settings", "mail", "system", "people", "dashboard"}
# What one domain built on the base may import from another: its service modules. A domain
# whose verbs outgrew one services.py lists the modules they were split into.
SERVICE_MODULES = {"events": {"services", "invitations", "feeds", "reminders"}}


def _domain_of(module: str) -> str | None:
    """'app.notes.services' -> 'notes'; top-level modules ('app.web') -> None."""
    parts = module.split(".")
    if parts[0] != "app" or len(parts) < 2:
        return None
    return parts[1] if (APP / parts[1]).is_dir() else None


def _module_name(path: Path) -> str:
    rel = path.relative_to(APP.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[str]:
    """Every app module a file imports, anywhere in it (function-level imports count)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                # `from app.notes import services` names a module; `from app.x.y import f` doesn't.
                candidate = f"{node.module}.{alias.name}"
                parts = candidate.split(".")
                is_module = (APP.parent.joinpath(*parts).with_suffix(".py").exists()
                             or APP.parent.joinpath(*parts).is_dir())
                found.append(candidate if is_module else node.module)
    return [name for name in found if name == "app" or name.startswith("app.")]


def violations() -> list[str]:
    problems = []
    for path in sorted(APP.rglob("*.py")):
        source = _module_name(path)
        if source == "app":
            continue  # create_app walks the domain list by name
        here = _domain_of(source)
        for target in _imports(path):
            there = _domain_of(target)
            if there is None or there == here:
                continue
            where = f"{path.relative_to(APP.parent)} imports {target}"
            if (here is None or here in BASE) and there not in BASE:
                problems.append(f"{where} (the base must not import a domain built on it)")
            elif here not in BASE and there not in BASE:
                module = target.split(".")[2] if target.count(".") >= 2 else ""
                if module not in SERVICE_MODULES.get(there, {"services"}):
                    problems.append(f"{where} (use another domain through its services)")
    return sorted(set(problems))


# The application's frame (CONVENTIONS.md): the factory, config, extensions, the rendering
# helpers and the request-wide machinery. A shared helper (clock, phones, links, calendar
# files, forms, pagination) lives in the base package it belongs to, so the rule above sees it.
CORE = {"__init__", "config", "database", "errors", "extensions", "ratelimit", "security",
        "templating", "web"}


def test_dependencies_point_one_way():
    assert violations() == []


def test_the_top_level_holds_only_the_frame():
    assert {p.stem for p in APP.glob("*.py")} <= CORE


def test_the_check_bites(tmp_path, monkeypatch):
    """A base module importing a domain's models is reported (so the check isn't vacuous)."""
    fake = tmp_path / "app"
    (fake / "people").mkdir(parents=True)
    (fake / "notes").mkdir()
    (fake / "people" / "services.py").write_text("from app.notes.models import Note\n")
    (fake / "notes" / "models.py").write_text("Note = None\n")
    (fake / "notes" / "routes.py").write_text("from app.people.models import Contact\n")
    (fake / "people" / "models.py").write_text("Contact = None\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["APP"]), "APP", fake)
    assert violations() == [
        "app/people/services.py imports app.notes.models "
        "(the base must not import a domain built on it)"]

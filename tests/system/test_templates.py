"""Every fragment renders: macros are globals, so a block rendered alone (which never runs
its template's top-level imports or macro definitions) finds each one it calls."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment

from app.templating import register_macros

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MACRO = re.compile(r"\{%-?\s*macro\s+(\w+)")
IMPORT = re.compile(r"\{%-?\s*(from\s+\S+\s+import|import)\s")


def sources() -> dict[str, str]:
    return {str(p.relative_to(TEMPLATES)): p.read_text() for p in TEMPLATES.rglob("*.html")}


def test_every_macro_is_a_global(app):
    defined = {name: template for template, text in sources().items()
               for name in MACRO.findall(text)}
    assert defined, "expected some macros"
    strays = {n: t for n, t in defined.items() if app.jinja_env.globals.get(n) is None}
    assert not strays, "macros outside a macro partial (a `_*.html` of macros only)"


def test_no_template_imports_macros():
    importing = [t for t, text in sources().items() if IMPORT.search(text)]
    assert not importing, "macros are globals: call them without importing"


def test_a_macro_renders_in_a_block_rendered_alone(app):
    from jinja2_fragments import render_block

    page = "{% extends 'base.html' %}{% block main %}{{ empty('Nothing yet.') }}{% endblock %}"
    env = app.jinja_env.overlay(loader=ChoiceLoader([DictLoader({"page.html": page}),
                                                     app.jinja_env.loader]))
    assert render_block(env, "page.html", "main") == '<p class="empty">Nothing yet.</p>'


def test_two_macros_of_one_name_are_refused():
    env = Environment(autoescape=True, loader=DictLoader({
        "a/_one.html": "{% macro badge() %}1{% endmacro %}",
        "b/_two.html": "{% macro badge() %}2{% endmacro %}",
    }))
    with pytest.raises(RuntimeError, match="badge"):
        register_macros(env)


BODY_TAG = re.compile(r"<body\b[^>]*>")


def test_body_tags_carry_nothing_a_page_changes():
    """A boosted navigation swaps what is inside <body> and keeps the old tag's attributes,
    so a class or token put there would outlive the page that set it (the sign-in page's
    narrow column squeezed every page after it). Per-page things go on `.page` inside."""
    tags = {t: BODY_TAG.findall(text) for t, text in sources().items()}
    odd = {t: found for t, found in tags.items()
           if any(tag not in ("<body>", '<body hx-boost="true">') for tag in found)}
    assert not odd
    assert any(tags.values())

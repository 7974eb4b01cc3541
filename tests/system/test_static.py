"""Our own static files are well-formed (a lost brace silently drops every rule after it)."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_css_braces_balance():
    for path in STATIC.rglob("*.css"):
        depth = 0
        for ch in path.read_text():
            depth += (ch == "{") - (ch == "}")
            assert depth >= 0, path
        assert depth == 0, path

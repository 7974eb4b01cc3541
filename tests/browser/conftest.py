"""Browser fixtures shared by every journey: `axe` runs axe-core (from npm) on a page."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.conftest import IN_CI

AXE_VERSION = "4"  # newest 4.x; the API we use (axe.run) is stable across it


@pytest.fixture(scope="session")
def axe_script(tmp_path_factory) -> Path:
    """axe.min.js fetched with `npm pack axe-core` into a temp folder (never committed).
    Skips when npm or the registry is unreachable locally; fails under CI=true."""
    folder = tmp_path_factory.mktemp("axe")
    try:
        result = subprocess.run(
            ["npm", "pack", f"axe-core@{AXE_VERSION}", "--silent", "--pack-destination",
             str(folder)],
            capture_output=True, text=True, timeout=120, check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        message = f"axe-core unavailable from npm: {exc}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    tarball = folder / result.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        member = archive.getmember("package/axe.min.js")
        archive.extractall(folder, members=[member], filter="data")
    return folder / "package" / "axe.min.js"


@pytest.fixture
def axe(axe_script):
    """`axe(page)` injects axe-core into the loaded page, runs it and returns the violations
    (a list of {id, help, nodes}); assert it is empty."""

    source = axe_script.read_text(encoding="utf-8")

    def run(page, context: object | None = None) -> list[dict]:
        # Evaluated over the DevTools protocol: our CSP (rightly) refuses injected <script> tags.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(f"() => {{ {source}\n }}")
        results = page.evaluate("(ctx) => axe.run(ctx || document)", context)
        return [
            {"id": v["id"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]]}
            for v in results["violations"]
        ]

    return run

"""Browser fixtures shared by every journey: `axe` runs axe-core on the loaded page."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from playwright.sync_api import expect

# WCAG 2.2 AA and everything below it.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's axe.min.js, as shipped by the axe-playwright-python package (dev extra)."""
    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec and spec.origin, "install the dev extra: axe-playwright-python"
    return (Path(spec.origin).parent / "axe.min.js").read_text(encoding="utf-8")


def settled(page) -> None:
    """Wait until no htmx request is in flight (a dashboard panel loading itself, a live
    search): what is measured or audited is the page as it stays. Playwright's "networkidle"
    can't tell: a boosted navigation is not a new document."""
    if page.evaluate("() => !!document.querySelector('.htmx-request')"):  # one round trip
        expect(page.locator(".htmx-request")).to_have_count(0)


@pytest.fixture
def axe(axe_source):
    """`axe(page)` runs axe-core (WCAG 2.2 AA rules) on the page and returns the violations
    as a list of {id, help, nodes}; assert it is empty."""

    def run(page, context: object | None = None) -> list[dict]:
        settled(page)
        # Evaluated over the DevTools protocol: our CSP (rightly) refuses injected <script> tags.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(f"() => {{ {axe_source}\n }}")
        # Only violations are read: axe skips describing every passing node (selectors and
        # all), a tenth of its time on a long page.
        results = page.evaluate(
            "([ctx, tags]) => axe.run(ctx || document, "
            "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            [context, WCAG_TAGS],
        )
        return [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in results["violations"]
        ]

    return run


@pytest.fixture
def no_js(browser):
    """A page in a browser with JavaScript turned off."""
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def sign_in(page, base_url: str, email: str) -> None:
    """Sign in through the real form, as a person would, and land on the dashboard."""
    from tests.factories import PASSWORD

    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")

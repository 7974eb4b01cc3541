"""Every page fits a phone: at 390 px no GET page (signed in as each role, or public) scrolls
sideways, its main controls are at least 44 px tall, and the main menu folds behind one
button. Pages come from the every-route crawl of the demo data (tests/system/
test_every_route.py), so a page added tomorrow is measured the day it is added. Also: the
layout after signing in is the signed-in layout, not the sign-in page's narrow column."""

from __future__ import annotations

import threading
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from app.auth.models import User
from app.extensions import db
from app.system.urls import SERVED_AT
from tests.browser.conftest import settled, sign_in
from tests.crawl import ROLES, client_for
from tests.factories import PASSWORD

# Layout and markup: the database changes neither (run once, with SQLite).
pytestmark = [pytest.mark.browser, pytest.mark.one_database]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
TOUCH = 44  # px: the smallest comfortable touch target (WCAG 2.5.5, Apple and Android)

# What sticks out past the right edge: the outermost elements, to say which part is too wide.
WIDE = """() => {
  const limit = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= limit) return [];
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right <= limit + 0.5 || box.width === 0) continue;
    if (el.parentElement && el.parentElement.getBoundingClientRect().right > limit + 0.5
        && el.parentElement !== document.body) continue;
    const id = el.id ? '#' + el.id : '';
    const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
    out.push(`${el.tagName.toLowerCase()}${id}${cls} (${Math.round(box.right)} px)`);
    if (out.length >= 5) break;
  }
  return out.length ? out : ['scrollWidth ' + document.documentElement.scrollWidth];
}"""

# The main controls a thumb aims at: buttons, fields, menu and pager links, tabs, the
# account menu. Links inside running text are exempt, as WCAG exempts them.
SMALL = """(min) => {
  const sel = 'button, .button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]),'
    + ' select, textarea, .site-nav a, .pager a, .tabs a, summary, .nav-toggle, .public-nav a';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || box.right < 0 || el.closest('[hidden], .hp, .press-hp'))
      continue;
    const shut = el.closest('details:not([open])');
    if (shut && el.parentElement !== shut) continue;  // folded away, not on screen
    if (box.height < min - 0.5) {
      const name = (el.innerText || el.value || el.name || el.getAttribute('aria-label') || '')
        .trim().slice(0, 30);
      out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${name}" `
               + `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def served(site):
    """The crawl's demo app over real HTTP, for Chromium."""
    server = make_server("127.0.0.1", 0, site.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    site.app.config[SERVED_AT] = base
    yield base
    site.app.config.pop(SERVED_AT)  # the site outlives this module (tests/conftest.py)
    server.shutdown()
    thread.join(timeout=5)


def html_pages(site, role: str) -> dict[str, str]:
    """Each GET rule's real URLs (with the query its links use) that answer `role` with a
    page, each with its rule: files, feeds, redirects and refusals are not pages."""
    client = client_for(site.app, site.users, role)
    urls = {}
    for rule, samples in site.samples.items():
        for sample in samples:
            url = sample.url() + ("?" + urlencode(sample.query) if sample.query else "")
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                urls.setdefault(url, rule)
    return dict(sorted(urls.items()))


def _email(site, role: str) -> str:
    with site.app.app_context():
        return db.session.get(User, site.users[role]).email


def _audit(axe, page) -> list[dict]:
    """axe-core's findings, less one: map markers crowding each other at a phone's zoom (each
    is a 28 px target, but neighbours overlap). Every place is also a link in the community
    map's list, which WCAG 2.5.8 accepts as the equivalent target."""
    on_map = ("sels => sels.every(s => document.querySelector(s[0])"
              "?.closest('.leaflet-marker-pane'))")
    return [v for v in axe(page)
            if not (v["id"] == "target-size" and page.evaluate(on_map, v["nodes"]))]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone(site, served, browser, axe, role):
    """At 390 px nothing scrolls sideways and the main controls are thumb-sized on any page;
    axe-core finds nothing on any page an admin or a visitor sees (staff and liaison see the
    same templates with less on them; their pages are measured, not audited again). Each
    URL is measured; axe audits one URL per rule (its other queries fill the same template
    with other rows)."""
    urls = html_pages(site, role)
    assert len(urls) > (3 if role == "anonymous" else 30), urls
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    if role != "anonymous":
        sign_in(page, served, _email(site, role))
    wide, small, violations, audited = {}, {}, {}, set()
    for url, rule in urls.items():
        page.goto(served + url)
        settled(page)
        if found := page.evaluate(WIDE):
            wide[url] = found
        if found := page.evaluate(SMALL, TOUCH):
            small[url] = found
        if role in ("admin", "anonymous") and rule not in audited:
            audited.add(rule)
            if found := _audit(axe, page):
                violations[url] = found
    context.close()
    assert not wide, f"wider than 390 px as {role}: {wide}"
    assert not small, f"controls under {TOUCH} px as {role}: {small}"
    assert not violations, f"axe-core as {role}: {violations}"


def test_main_menu_folds_behind_one_button_on_a_phone(site, served, browser):
    """On a phone the menu is one button; it opens, says so to screen readers, closes with
    Escape, and a boosted navigation lands with it closed again."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, served, _email(site, "admin"))
    toggle = page.locator(".nav-toggle")
    menu = page.locator("#main-menu")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and menu.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= 390")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not menu.is_visible()
    toggle.click()
    menu.get_by_role("link", name="People").click()
    page.wait_for_url(f"{served}/people/")
    assert page.locator(".nav-toggle").get_attribute("aria-expanded") == "false"
    assert not page.locator("#main-menu").is_visible()
    assert "People" in page.locator(".nav-toggle").inner_text()  # where you are
    context.close()

    # On a desktop, and on a phone without JavaScript, every item shows: nothing is hidden
    # behind a button that cannot open.
    for viewport, js in ((DESKTOP, True), (PHONE, False)):
        context = browser.new_context(viewport=viewport, java_script_enabled=js)
        page = context.new_page()
        sign_in(page, served, _email(site, "admin"))
        assert not page.locator(".nav-toggle").is_visible()
        links = page.locator("#main-menu a")
        assert links.count() >= 10
        assert all(links.nth(i).is_visible() for i in range(links.count()))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        context.close()


def test_pages_after_signing_in_use_the_full_width(site, served, browser):
    """Signing in is a boosted form post: the pages after it must not keep the sign-in page's
    narrow column, nor its (now replaced) CSRF token for htmx requests."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{served}/login")
    assert page.locator("main").bounding_box()["width"] <= 40 * 16 + 1
    page.get_by_label("Email").fill(_email(site, "liaison"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{served}/")
    assert page.evaluate("!document.querySelector('.page.narrow, body.narrow')")
    assert page.locator("main").bounding_box()["width"] > 1000
    page.get_by_role("link", name="People", exact=True).click()
    page.wait_for_url(f"{served}/people/")
    assert page.locator("main").bounding_box()["width"] > 1000
    # htmx requests carry the token of this session, the one the forms carry
    header = page.evaluate("JSON.parse(document.querySelector('[hx-headers]')"
                           ".getAttribute('hx-headers'))['X-CSRFToken']")
    assert header == page.locator("input[name=csrf_token]").first.input_value()
    context.close()

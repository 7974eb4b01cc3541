"""Two app servers on one PostgreSQL (issue 12, item 6): two gunicorn processes, as behind a
load balancer, and a visitor or a colleague whose requests land on either. Nothing that
must be shared lives in one process: sessions and their revocation at sign-out, the media
page's cache, the public forms' rate limits and sign-in throttling hold across both."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import delete

from app.auth.models import SignInFailure
from app.extensions import db
from tests.conftest import SECRET, TEST_DATABASE_URL, NoRedirect, free_port
from tests.factories import PASSWORD, make_page, make_spokesperson, make_user
from tests.tours.conftest import configure, form_data

pytestmark = pytest.mark.postgres_only
ROOT = Path(__file__).resolve().parents[2]
SIGNIN_LIMIT, TOUR_LIMIT = 3, 3


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TOURS_MIN_FILL_SECONDS": 0, "SIGNIN_MAX_FAILURES": SIGNIN_LIMIT}


@pytest.fixture(scope="module")
def servers(schema, tmp_path_factory):
    """Two gunicorn servers (their own processes, one worker each) on the tests' database,
    with the same settings, as an operator would deploy them; each test's `app` empties the
    database first. Yields their base URLs."""
    instance = tmp_path_factory.mktemp("servers") / "instance"
    instance.mkdir()
    # Settings that have no environment variable go in instance/config.py, as in production.
    (instance / "config.py").write_text(
        f"TOURS_MIN_FILL_SECONDS = 0\nTOURS_RATE_PER_IP = {TOUR_LIMIT}\n")
    env = {**os.environ, "DATABASE_URL": TEST_DATABASE_URL, "SECRET_KEY": SECRET,
           "LIAISON_INSTANCE": str(instance), "SIGNIN_MAX_FAILURES": str(SIGNIN_LIMIT),
           # The public address, and the one the test reaches both servers at (as an
           # operator lists a health check's name).
           "PUBLIC_BASE_URL": "http://liaison.test", "TRUSTED_HOSTS": "127.0.0.1"}
    ports = [free_port(), free_port()]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    procs = [subprocess.Popen([gunicorn, "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "app:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base, proc in zip(bases, procs, strict=True):
            deadline = time.monotonic() + 180  # a busy machine starts Python slowly
            while True:
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"{base} never answered"
                time.sleep(0.5)
        yield bases
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


class Browser:
    """One person's browser: its own cookies (which, like a browser's, go to either server:
    cookies don't care about ports), redirects not followed, CSRF tokens read from pages."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            NoRedirect, urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""

    def open(self, url: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as err:
            response = err
        with response:
            text = response.read().decode()
            for tag in re.findall(r"<input [^>]*>", text):
                if 'name="csrf_token"' in tag:
                    self.token = unescape(re.search(r'value="([^"]*)"', tag).group(1))
                    break
            return response.status, dict(response.headers), text

    def post(self, url: str, data: dict | None = None):
        return self.open(url, {**(data or {}), "csrf_token": self.token})

    def session_cookie(self) -> str:
        return next(c.value for c in self.jar if c.name == "liaison_session")


def _sign_in(browser: Browser, base: str, email: str, password: str = PASSWORD):
    browser.open(base + "/login")
    return browser.post(base + "/login", {"email": email, "password": password})


def test_sessions_and_sign_out_hold_across_servers(app, servers):
    a, b = servers
    make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    db.session.commit()
    dana = Browser()
    status, headers, _ = _sign_in(dana, a, "dana@example.org")
    assert status == 303 and headers["Location"].endswith("/")
    assert dana.open(b + "/people/")[0] == 200  # signed in on A, known on B
    stolen = dana.session_cookie()  # what a copied cookie would replay later

    status, headers, _ = dana.post(b + "/logout")  # sign out on B
    assert status == 303 and "/login" in headers["Location"]
    for base in (a, b):  # the old cookie is dead on both servers
        status, headers, _ = Browser().open(
            base + "/people/", headers={"Cookie": f"liaison_session={stolen}"})
        assert status == 302 and "/login" in headers["Location"], base


def test_the_media_page_cache_follows_a_change_made_on_the_other_server(app, servers):
    a, b = servers
    make_page()
    person = make_spokesperson(name="Morgan Speaker")
    make_user(email="dana@example.org", role="liaison")
    db.session.commit()
    visitor = Browser()
    status, first, page = visitor.open(a + "/press")
    assert status == 200 and "Morgan Speaker" in page
    status, other, _ = visitor.open(b + "/press")
    assert other["ETag"] == first["ETag"]  # one page, one validator, whichever server
    assert "Set-Cookie" not in first and "Cookie" not in first.get("Vary", "")

    dana = Browser()
    _sign_in(dana, b, "dana@example.org")
    dana.open(b + "/press/manage")
    assert dana.post(b + f"/press/manage/spokespeople/{person.id}/away",
                     {"away": "1"})[0] == 303

    # Each server reads the page's version through a one-second memo: within moments
    # both revalidate to the new page.
    for base in (a, b):
        deadline = time.monotonic() + 10
        while True:
            status, headers, page = visitor.open(base + "/press",
                                                 headers={"If-None-Match": first["ETag"]})
            if status == 200:
                break
            assert status == 304 and time.monotonic() < deadline, base
            time.sleep(0.2)
        assert "Morgan Speaker" not in page and headers["ETag"] != first["ETag"]


def test_a_public_forms_rate_limit_counts_requests_on_both_servers(app, servers):
    a, b = servers
    configure()
    visitor = Browser()
    statuses = []
    visitor.open(a + "/tours")  # the form (and its CSRF token, good on either server)
    for n in range(TOUR_LIMIT + 2):
        base = (a, b)[n % 2]
        status, _, _ = visitor.post(base + "/tours", form_data(
            email=f"visitor{n}@example.org", group_size="1"))
        statuses.append(status)
    assert statuses == [303] * TOUR_LIMIT + [429, 429]


def test_sign_in_throttling_counts_failures_on_both_servers(app, servers):
    a, b = servers
    make_user(email="dana@example.org", role="liaison")
    db.session.commit()
    db.session.execute(delete(SignInFailure))
    db.session.commit()
    guesser = Browser()
    statuses = [_sign_in(guesser, (a, b)[n % 2], "dana@example.org", "wrong guess")[0]
                for n in range(SIGNIN_LIMIT)]
    assert statuses == [422] * SIGNIN_LIMIT
    for base in (a, b):  # over the limit on both, even with the right password
        assert _sign_in(Browser(), base, "dana@example.org")[0] == 429, base

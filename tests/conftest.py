"""Fixtures in the style of Flask's tutorial: app, client, runner, sign-in per role, plus the
real parts: a database per test (SQLite, or PostgreSQL when TEST_DATABASE_URL says so), an
SMTP server, a live server and a headless Chromium."""

from __future__ import annotations

import contextvars
import functools
import os
import shutil
import socket
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.system.changes import untracked
from app.system.urls import SERVED_AT
from tests import factories

pytest_plugins = ["tests.relationships_fixtures"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL)
IN_CI = os.environ.get("CI", "").lower() == "true"
SECRET = "test-secret-key-" + "x" * 32


# Fixtures that drive Chromium: a test using any of them (directly or through another
# fixture) is a browser test.
BROWSER_FIXTURES = {"browser", "page"}
BROWSER_DIR = Path(__file__).parent / "browser"


def unmarked_browser_tests(items) -> list[str]:
    """Browser tests (in tests/browser/, or using a Chromium fixture) without the `browser`
    mark, which `-m "not browser"` would otherwise run."""
    return [item.nodeid for item in items
            if "browser" not in {m.name for m in item.iter_markers()}
            and (BROWSER_FIXTURES & set(getattr(item, "fixturenames", ()))
                 or BROWSER_DIR in Path(item.path).parents)]


def pytest_collection_modifyitems(config, items):
    """Refuse to run at all while a browser test lacks the `browser` mark (so `-m "not
    browser"` reliably leaves Chromium out). Tests about one database's own machinery don't
    apply to the other: deselect them (not skipped work; the other run covers its database).
    Tests of presentation alone (`one_database`) run in the SQLite run only."""
    unmarked = unmarked_browser_tests(items)
    if unmarked:
        raise pytest.UsageError(
            "these tests use Chromium but lack @pytest.mark.browser (add "
            "`pytestmark = pytest.mark.browser` to the module):\n  " + "\n  ".join(unmarked))
    unwanted = {"sqlite_only", "one_database"} if ON_POSTGRES else {"postgres_only"}
    keep = [item for item in items if not unwanted & set(item.keywords)]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if unwanted & set(i.keywords)])
        items[:] = keep


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per test session, not once per test's app: Jinja keys each
    by its name and checks the source's hash before using it."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def _compile_url_builders_once() -> None:
    """Every test makes an app, and werkzeug writes and compiles two Python functions for
    each of its 200-odd URL rules: a third of a short test's time. Such a function is made
    from the rule's text and parts alone (converters are looked up on the rule it is bound
    to, when it runs), so the session compiles each once. A rule with a default for one of
    its own variables is compiled as usual (the default is folded into the code)."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def once(self, append_unknown=True):
        defaults = self.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in self._trace):
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = once


_compile_url_builders_once()


def make_test_app(config: dict):
    """An app for tests: requests in contexts of their own, templates compiled once."""
    app = create_app(config)
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


def base_config(tmp: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "INSTANCE_PATH": str(tmp / "instance"),
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": None,
        "SERVER_NAME": None,
    }


# --- database ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def schema(tmp_path_factory):
    """Build the schema once with the real migrations; each test then gets a clean copy."""
    tmp = tmp_path_factory.mktemp("schema")
    url = TEST_DATABASE_URL or f"sqlite:///{tmp / 'template.sqlite'}"
    app = create_app(base_config(tmp, url))
    with app.app_context():
        if ON_POSTGRES:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        db.engine.dispose()  # closing the last connection checkpoints SQLite's WAL
    return url


@functools.cache
def _postgres_reset_plan() -> tuple[str, list[str]]:
    """The probe for tables holding rows, and every table's name, children first (the
    metadata's order, worked out once: 7 ms a test)."""
    tables = list(db.metadata.sorted_tables)
    probe = " UNION ALL ".join(  # table names come from our own metadata
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")"  # noqa: S608
        for t in tables
    )
    return probe, [t.name for t in reversed(tables)]


def _reset_postgres(app) -> None:
    """Empty the tables the last test wrote to. DELETE on a few small tables is far cheaper
    than TRUNCATE of all of them; the append-only audit table can only be TRUNCATEd."""
    probe, names = _postgres_reset_plan()
    with untracked(db.engine.connect()) as conn, conn.begin():
        used = {row[0] for row in conn.exec_driver_sql(probe)}
        for name in names:
            if name not in used:
                continue
            verb = "TRUNCATE" if name == "audit_events" else "DELETE FROM"
            conn.exec_driver_sql(f'{verb} "{name}"')


@pytest.fixture
def database_url(schema, tmp_path):
    if ON_POSTGRES:
        return schema
    template = Path(schema.removeprefix("sqlite:///"))
    target = tmp_path / "test.sqlite"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_config(tmp_path, database_url) -> dict:
    """Override keys here (via indirect fixtures) to configure one test's app."""
    return base_config(tmp_path, database_url)


def _names_host(args, kwargs) -> bool:
    """Whether a test request sets its own Host (a header, or an absolute URL)."""
    headers = kwargs.get("headers") or {}
    items = headers.items() if hasattr(headers, "items") else headers
    if any(str(k).lower() == "host" for k, _ in items):
        return True
    return bool(args) and isinstance(args[0], str) and "://" in args[0]


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as in production: a request never shares the
    test's app context, `g` or database session (Flask would otherwise reuse the test's)."""

    def _at_public_address(self, args, kwargs) -> None:
        """With PUBLIC_BASE_URL set, requests go to that address, as a browser's would
        (the app refuses other Host names), unless the test names a host itself."""
        base = self.application.config.get("PUBLIC_BASE_URL")
        if base and "base_url" not in kwargs and not _names_host(args, kwargs):
            kwargs["base_url"] = base

    def session_transaction(self, *args, **kwargs):
        self._at_public_address(args, kwargs)
        return super().session_transaction(*args, **kwargs)

    def open(self, *args, **kwargs):
        self._at_public_address(args, kwargs)
        if has_app_context():
            db.session.commit()  # the request sees the test's data; no lock or snapshot held
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.commit()  # a new snapshot: the test sees what the request committed
        return response


def demo_site(schema: str, tmp: Path, **config):
    """An app on the demo program for a whole module of requests that only read: its own
    copy of the migrated schema on SQLite, the emptied test database on PostgreSQL."""
    from app.system.demo import load_demo

    url = schema
    if not ON_POSTGRES:
        shutil.copyfile(Path(schema.removeprefix("sqlite:///")), tmp / "site.sqlite")
        url = f"sqlite:///{tmp / 'site.sqlite'}"
    app = make_test_app({**base_config(tmp, url), **config})
    with app.app_context():
        if ON_POSTGRES:
            _reset_postgres(app)
        load_demo()
        db.session.commit()
    return app


def _one_site_per(fixture_name: str, config) -> str:
    """The crawled demo site's scope: one for the whole run on SQLite (its own file), one per
    module on PostgreSQL (it lives in the test database, which other modules' tests empty)."""
    return "module" if ON_POSTGRES else "session"


@pytest.fixture(scope=_one_site_per)
def site(schema, tmp_path_factory):
    """The demo program, crawled (tests/crawl.py): for tests that only read it."""
    from tests.crawl import crawled_site

    yield from crawled_site(schema, tmp_path_factory.mktemp("crawled-site"))


@pytest.fixture
def app(app_config):
    app = make_test_app(app_config)
    with app.app_context():
        if ON_POSTGRES:
            _reset_postgres(app)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- signing in ----------------------------------------------------------------------------


def sign_in(client, user) -> None:
    """Put `user` in the client's session, as a successful sign-in would."""
    import time

    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["seen"] = int(time.time())


def _signed_in(app, role: str):
    user = factories.make_user(role=role, name=f"{role.title()} Person")
    db.session.commit()
    client = app.test_client()
    sign_in(client, user)
    client.user = user
    return client


@pytest.fixture
def as_admin(app):
    return _signed_in(app, "admin")


@pytest.fixture
def as_liaison(app):
    return _signed_in(app, "liaison")


@pytest.fixture
def as_staff(app):
    return _signed_in(app, "staff")


# --- counting SQL ----------------------------------------------------------------------------


@contextmanager
def count_queries():
    """Count SQL statements run inside the block: `with count_queries() as n: ...; n()`."""
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield lambda: len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def page_query_counts(client, pages, ids: dict, *, fragments: bool = False) -> dict[str, int]:
    """SQL statements per page (`pages` are URL patterns filled from `ids`), full page and,
    with `fragments`, as an htmx fragment too. Query-count tests compare these at 10 and at
    1,000 rows: a page's cost must not grow with the data."""
    counts = {}
    for page in pages:
        url = page.format(**ids)
        for headers in ({}, {"HX-Request": "true"}) if fragments else ({},):
            with count_queries() as n:
                response = client.get(url, headers=headers)
            assert response.status_code in (200, 303), (url, headers, response.status_code)
            counts[f"{page} {headers}" if fragments else page] = n()
    return counts


def session_cookie(app, user) -> str:
    """The Cookie header of a browser signed in as `user` (for real HTTP clients)."""
    client = app.test_client()
    sign_in(client, user)
    return f"liaison_session={client.get_cookie('liaison_session').value}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """For urllib openers that answer a redirect's own status, as a test reads it."""

    def redirect_request(self, *args, **kwargs):
        return None


def post_at_once(url: str, posts: list[tuple[bytes, str]]) -> list[int]:
    """POST each (form body, Cookie header) to `url` over real HTTP, each from its own
    thread, all released at the same moment (a double click, two people pressing Save);
    returns the statuses, redirects not followed."""
    opener = urllib.request.build_opener(NoRedirect)
    start, statuses = threading.Barrier(len(posts)), []

    def post(body: bytes, cookie: str) -> None:
        request = urllib.request.Request(url, data=body, headers={"Cookie": cookie})  # noqa: S310
        start.wait()
        try:
            with opener.open(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as err:
            statuses.append(err.code)

    threads = [threading.Thread(target=post, args=each) for each in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return statuses


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bound_socket() -> socket.socket:
    """A TCP socket bound to a localhost port the kernel picks, not listening: the port stays
    ours until it is closed, and connecting to it is refused until a server listens on it
    (start_smtp). A free_port() is free for any process until its server binds it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


# --- real SMTP server --------------------------------------------------------------------------


class Mailbox:
    """Messages received by a real aiosmtpd server, parsed with the standard email package."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self._lock = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self._lock:
            self.envelopes.append(envelope)
            self._lock.notify_all()
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        from email import policy
        from email.parser import BytesParser

        return [BytesParser(policy=policy.default).parsebytes(e.content) for e in self.envelopes]

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        with self._lock:
            self._lock.wait_for(lambda: len(self.envelopes) >= count, timeout)
        return self.messages


def start_smtp(handler, sock: socket.socket):
    """A running SMTP server (aiosmtpd's Controller: `.stop()` it) for `handler`, listening
    on `sock`, a bound_socket() (closed when the server stops): the port is held from the
    moment it is picked, never free for another process to take. aiosmtpd 1.4.6 can't be
    given port 0: start() checks the server by connecting to the port it was told."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class RoomySMTP(SMTP):
        # aiosmtpd 1.4.6 on Python 3.11.7 refuses any DATA over ~1 kB as "Line too long":
        # its line limit doubles as the stream reader's buffer limit. Real messages (with
        # calendar parts) are bigger, so give the reader room.
        line_length_limit = 1 << 20

    class OnSocket(Controller):
        def factory(self):
            return RoomySMTP(self.handler, **self.SMTP_kwargs)

        def _create_server(self):
            return self.loop.create_server(self._factory_invoker, sock=sock,
                                           ssl=self.ssl_context)

    controller = OnSocket(handler, hostname="127.0.0.1", port=sock.getsockname()[1])
    controller.start()
    return controller


@pytest.fixture
def smtp_server():
    """A real SMTP server on localhost; yields the Mailbox (with .host and .port)."""
    mailbox = Mailbox()
    sock = bound_socket()
    mailbox.host, mailbox.port = "127.0.0.1", sock.getsockname()[1]
    controller = start_smtp(mailbox, sock)
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def mailbox(app, smtp_server):
    """The real SMTP server, set as the app's mail server."""
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    return smtp_server


# --- real IMAP server ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dovecot_server():
    """Debian's dovecot (tests/dovecot.py), one per test session on a free port; skipped
    where it isn't installed, except under CI=true, where that is a failure."""
    from tests import dovecot

    server = dovecot.start()
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("dovecot is required under CI=true (tests/run.sh installs it)")
        pytest.skip("dovecot is not installed (tests/run.sh installs it)")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def imap_server(app, dovecot_server):
    """The real IMAP server, emptied, set as the app's mailbox for calendar replies."""
    dovecot_server.empty()
    app.config.update(dovecot_server.config())
    return dovecot_server


# --- live server and browser --------------------------------------------------------------------


@pytest.fixture
def live_server(app):
    """The test's app served over real HTTP on localhost (threaded), for browsers and
    concurrent clients. Yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    app.config[SERVED_AT] = base  # as `flask serve` does: links in mail lead here
    if app.config.get("TRUSTED_HOSTS"):  # as an operator lists the address tests reach it at
        app.config["TRUSTED_HOSTS"] = [*app.config["TRUSTED_HOSTS"], "127.0.0.1"]
    try:
        yield base
    finally:
        server.shutdown()
        thread.join(timeout=5)


CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Tests have no internet (CI neither): a page naming another host (the map's tile
    # server) fails at once instead of waiting seconds for DNS before "load".
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright. Skips locally without Chromium;
    fails under CI=true, where the test command must have installed it."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (the test command installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(20_000)  # generous: CI shares two cores
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
    page = context.new_page()
    yield page
    context.close()


# --- ical.js, an independent reader of our calendar files ---------------------------------------

ICALJS_VERSION = "2"


@pytest.fixture(scope="session")
def icaljs():
    """Parse calendar text with ical.js (npm `ical.js`, installed once into a cache dir
    outside the repository) under node: returns `read(text) -> list of events` as
    tests/system/ical_read.mjs prints them. Skips locally without node and npm; fails under
    CI=true, where tests/run.sh installs them."""
    import fcntl
    import json
    import subprocess

    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        message = "node and npm are needed to check calendar files with ical.js"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    cache = Path(os.environ.get("LIAISON_TEST_CACHE")
                 or Path.home() / ".cache" / "liaison-tests") / "npm"
    module = cache / "node_modules" / "ical.js" / "dist" / "ical.js"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:  # the SQLite and PostgreSQL runs, side by side
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not module.exists():
            subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache),
                            f"ical.js@{ICALJS_VERSION}"], check=True, capture_output=True,
                           timeout=300)
    script = Path(__file__).parent / "system" / "ical_read.mjs"

    def read(text: str) -> list[dict]:
        done = subprocess.run([node, str(script), str(module)], input=text, text=True,
                              capture_output=True, timeout=60, check=False,
                              env={**os.environ, "TZ": "UTC"})
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return read

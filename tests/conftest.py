"""Personas as fixtures, and the browser harness.

Personas: quality_manager, author, approver, staff, auditor, external_auditor,
outsider (active, no role). Each has the password `PASSWORD`.
"""

import os
import runpy
import shutil
from pathlib import Path

import pytest
from django.test import Client

from qms.permissions import Role
from tests.factories import PASSWORD, DepartmentFactory, UserFactory, ensure_reference_data

pytest_plugins = ["tests.storage_use"]


def pytest_configure(config):
    """The translations are compiled before any test runs (the .mo files are not in git):
    `make test` compiles them too, a bare `pytest` must not test stale or missing ones."""
    script = Path(__file__).resolve().parent.parent / "bin" / "compile_messages.py"
    if runpy.run_path(str(script))["compile_all"]():
        from django.utils.translation import trans_real

        trans_real._translations = {}  # a catalogue loaded before the compile is forgotten


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """A request through the test client activates its user's language on this thread
    and nothing turns it off (as in a server, where the next request sets its own):
    each test starts, and leaves, with none active, as a worker runs."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def department(db):
    return DepartmentFactory(code="QA", name="Quality Assurance")


def _persona(username, roles, **extra):
    ensure_reference_data()  # the role groups must exist before roles are given
    return UserFactory(username=username, roles=roles, **extra)


@pytest.fixture
def quality_manager(db):
    return _persona("qm", [Role.QUALITY_MANAGER], full_name="Quinn Marsh")


@pytest.fixture
def author(db):
    return _persona("author", [Role.AUTHOR, Role.STAFF], full_name="Alex Turner")


@pytest.fixture
def approver(db):
    return _persona("approver", [Role.APPROVER, Role.STAFF], full_name="Priya Shah")


@pytest.fixture
def staff(db):
    return _persona("staff", [Role.STAFF], full_name="Sam Lee")


@pytest.fixture
def auditor(db):
    return _persona("auditor", [Role.AUDITOR], full_name="Dana Ortiz")


@pytest.fixture
def external_auditor(db, quality_manager):
    """An external auditor with an open grant over everything (narrow it in a test to check scope)."""
    from datetime import timedelta

    from django.utils import timezone

    from auditor.models import AuditorAccess

    user = _persona("external", [Role.EXTERNAL_AUDITOR], full_name="Erik Berg")
    AuditorAccess.objects.create(
        user=user, organisation="CertBody AB", audit_reference="Stage 2 certification audit",
        valid_from=timezone.now() - timedelta(days=1), valid_until=timezone.now() + timedelta(days=7),
        all_scope=True, invited_by=quality_manager,
    )
    return user


@pytest.fixture
def outsider(db):
    return _persona("outsider", [], full_name="Olly Outsider")


@pytest.fixture
def client_for():
    """client_for(user) -> a Django test client logged in as `user`."""

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


# ------------------------------------------------------------------ browser
CHROMIUM = os.environ.get("QMS_CHROMIUM", "/usr/bin/chromium")
BROWSER_REQUIRED = os.environ.get("QMS_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright. Skips (or, in CI with
    QMS_REQUIRE_BROWSER=1, fails) when Chromium is not installed."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}: browser tests need Debian's chromium package"
        if BROWSER_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the Django ORM
    # calls made by the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def login(page):
    """login(user) in the browser through the real login form."""

    def do(user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("User name").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return do

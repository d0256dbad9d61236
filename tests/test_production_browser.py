"""Production as a visitor gets it: DEBUG off, the static files collected by the manifest
storage (hashed names, url()s rewritten inside the CSS), gunicorn, the real headers. The other
browser tests use Django's live server, which serves the source files as they are: a page
can pass there and be unstyled in production (it was, once: the integrity hashes of the DSFR
stylesheets were those of the pristine files)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from initiatives import importing
from initiatives.models import Milestone

from .browser import FIXTURES, launch_chromium, shot
from .factories import site_pages, user
from .processes import environment, gunicorn

pytestmark = pytest.mark.browser

PASSWORD = "mot-de-passe-admin-42"


@pytest.fixture
def production(transactional_db: None) -> Iterator[tuple[str, int, list[str]]]:
    """gunicorn, DEBUG off, on the seeded test database and the collected static files
    (conftest.py runs collectstatic with the production storage before the suite)."""
    importing.import_paths([FIXTURES])
    user("admin", staff=True, password=PASSWORD)
    env = environment(os.environ["REDIS_URL"], SECURE_COOKIES="0")
    milestone_id = Milestone.objects.get(key="plan-ficele").pk
    # The DSFR pages (the admin's login is Django's own, visited signed in below).
    pages = [path for path in site_pages() if not path.startswith("/admin/")]
    with gunicorn(env, workers=2) as base:
        yield base, milestone_id, pages


@pytest.fixture
def chromium() -> Iterator[object]:
    with launch_chromium() as browser:
        yield browser


class Problems:
    """Everything a page complains about: console errors (refused integrity, CSP
    violations), uncaught exceptions, failed or refused requests."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.seen: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.seen.append(f"exception: {error}"))
        page.on(
            "requestfailed",
            lambda request: self.seen.append(f"failed: {request.url} {request.failure}"),
        )
        page.on("response", self._response)

    def _response(self, response: object) -> None:
        status = response.status  # type: ignore[attr-defined]
        # The page's own status is the test's business; its resources must all load.
        if status >= 400 and response.request.resource_type != "document":  # type: ignore[attr-defined]
            self.seen.append(f"HTTP {status}: {response.url}")  # type: ignore[attr-defined]

    def _console(self, message: ConsoleMessage) -> None:
        # An error page's own status is logged as a failed load of the document itself.
        if (
            message.text.startswith("Failed to load resource")
            and message.location.get("url") == self.page.url
        ):
            return
        if message.type in ("error", "warning"):
            self.seen.append(f"console {message.type}: {message.text}")

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


def test_every_integrity_hash_matches_the_file_production_serves(
    production: tuple[str, int, list[str]],
) -> None:
    """The hashes in the page are those of the bytes gunicorn sends, CSS rewritten by the
    manifest storage included (django-dsfr's own hashes are of its pristine files)."""
    base, _milestone, _pages = production
    html = urllib.request.urlopen(base + "/", timeout=10).read().decode()
    tags = re.findall(r'(?:href|src)="(/static/[^"]+)"[^>]*integrity="(sha384-[^"]+)"', html)
    assert len(tags) >= 7  # DSFR (2 CSS, 2 JS), its overrides, ours (2 CSS, 1 JS), htmx
    for url, integrity in tags:
        body = urllib.request.urlopen(base + url, timeout=10).read()
        served = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
        assert served == integrity, url


def body_font(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.body).fontFamily"))


def test_production_pages_are_styled_and_log_no_error(
    production: tuple[str, int, list[str]], chromium: object
) -> None:
    base, milestone_id, paths = production
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    problems = Problems(page)
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert "Marianne" in body_font(page), (path, body_font(page))
        # The DSFR's script ran: it marks the document once its modules have started.
        assert page.evaluate("document.documentElement.hasAttribute('data-fr-js')"), path
        assert problems.take() == [], path
        if path in ("/frise/", "/recherche/?q=Gaia-X", "/lignee/"):
            # Named after the page it shows (the list has grown past the frise).
            shot(page, "production-" + path.strip("/").split("/")[0].split("?")[0])

    # Signed in: the bell (htmx), the notifications page, the administration.
    page.goto(base + "/connexion/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/connexion/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    # One bell asked for its count: the one on screen (the DSFR keeps a copy for small screens).
    expect(page.locator(".notification-bell:visible")).to_have_text("Notifications")
    for path in (
        "/",
        "/notifications/",
        f"/jalons/{milestone_id}/",
        "/admin/",
        "/admin/initiatives/milestone/",
        "/admin/initiatives/milestone/import/",
        "/admin/initiatives/milestone/export/",
        "/admin/initiatives/importdraft/",
        "/admin/initiatives/importdraft/add/",
    ):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        if path.endswith("/export/"):
            # django-import-export's own inline handler, allowed by its hash (settings).
            toggle = page.locator("input.select-toggle").first
            toggle.click()
            expect(toggle).not_to_be_checked()
        assert problems.take() == [], path
    context.close()

"""Browser fixtures: the seed data behind a live server, and Debian's Chromium driven by
Playwright. Loaded by conftest.py for every browser test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from initiatives import importing

from .factories import user

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
T = TypeVar("T")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def bare_site(live_server: object, transactional_db: None, settings: Any) -> str:
    """A live server on an empty database."""
    # The live server serves static files from the finders, which know the files by their
    # plain names, not by the hashed names of the production manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return str(live_server)


@pytest.fixture
def site(bare_site: str) -> str:
    """The seed data behind a live server, with an administrator."""
    importing.import_paths([FIXTURES])
    user("admin", staff=True, password="mot-de-passe-admin-42")
    return bare_site


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    assert executable, "Chromium is required for the browser tests (Debian package 'chromium')"
    with sync_playwright() as playwright:
        # Debian's Chromium, not a downloaded build; the background-networking flags keep it
        # from calling out to Google at start-up (this machine has no network).
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser(site: str) -> Iterator[Browser]:
    # Started after the data is in: Playwright's sync API runs an event loop in this thread,
    # and Django refuses ORM calls while one runs.
    with launch_chromium() as launched:
        yield launched


@pytest.fixture
def bare_page(bare_site: str) -> Iterator[Page]:
    """A page of a browser on the live server of an empty database (no seed data to wait for)."""
    with launch_chromium() as launched:
        yield from _page(launched)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _page(browser)


def _page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def orm(call: Callable[[], T]) -> T:
    """Run ORM code while Playwright's event loop runs in this thread: in a thread of its
    own, with its own connection (the browser tests commit, so it sees their data)."""
    from django.db import connections

    def run() -> T:
        try:
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def sign_in(page: Page, site: str, username: str, password: str, next_url: str = "/") -> None:
    """Log in through the login page, then on to `next_url`."""
    page.goto(f"{site}/connexion/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form[action='/connexion/'] button[type=submit]")


def open_inline_edit(page: Page, milestone: Any) -> None:
    """The milestone row's « Modifier », swapped for its form in place."""
    from playwright.sync_api import expect

    page.locator(f"#milestone-{milestone.pk}").get_by_role("link", name="Modifier").click()
    expect(page.locator(f"#milestone-{milestone.pk} form")).to_be_visible()
    # Visible is not yet live: htmx wires the swapped form's triggers (the due words' live
    # preview) a moment later, and text typed before that starts no request. A person is
    # slower than that; a test waits for htmx to have processed each element it swapped in.
    page.wait_for_function(
        """form => [...form.querySelectorAll('[hx-get], [hx-post]')].every(
               e => e['htmx-internal-data'] && e['htmx-internal-data'].initHash)""",
        arg=page.locator(f"#milestone-{milestone.pk} form").element_handle(),
    )


def save_inline_edit(page: Page, milestone: Any) -> None:
    page.locator(f"#milestone-{milestone.pk} form").get_by_role(
        "button", name="Enregistrer"
    ).click()

"""A civil servant's first look, in a real headless Chromium: the admin holds the seed data."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from initiatives import importing

from .factories import user

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def site(live_server: object, transactional_db: None, settings: Any) -> str:
    """The seed data behind a live server, with an administrator."""
    # The live server serves static files from the finders, which know the files by their
    # plain names, not by the hashed names of the production manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    importing.import_paths([FIXTURES])
    user("admin", staff=True, password="mot-de-passe-admin-42")
    return str(live_server)


@pytest.fixture
def browser(site: str) -> Iterator[Browser]:
    # Started after the data is in: Playwright's sync API runs an event loop in this thread,
    # and Django refuses ORM calls while one runs.
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
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page: Page, site: str, then: str) -> None:
    page.goto(f"{site}/admin/login/?next={then}")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "mot-de-passe-admin-42")
    page.click("input[type=submit]")


def test_administrator_logs_in_and_reads_a_mission_with_its_quotes(site: str, page: Page) -> None:
    log_in(page, site, "/admin/")
    page.click("text=Missions")
    page.wait_for_selector("#result_list")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 4
    shot(page, "admin-missions")

    page.click("text=Mission numérique des grands groupes")
    page.wait_for_selector("#workstreams-group")
    body = page.inner_text("body")
    assert "Soutenir la transformation des compétences et des formations" in body
    assert "à l'automne" in page.content() or "à l&#x27;automne" in page.content()
    assert page.locator("#workstreams-group tbody tr.has_original").count() == 5
    shot(page, "admin-mission")


def test_administrator_filters_overdue_milestones_and_reads_their_quotes(
    site: str, page: Page
) -> None:
    log_in(page, site, "/admin/initiatives/milestone/")
    page.wait_for_selector("#result_list")
    page.click("#changelist-filter >> text=en retard")
    page.wait_for_selector("#result_list")
    titles = page.locator("#result_list tbody th a").all_inner_texts()
    assert "Plan Cloud ficelé" in titles
    assert "Entretien des chefs de projet avec le ministre du Redressement productif" not in titles
    shot(page, "admin-milestones-overdue")

    page.click("text=Plan Cloud ficelé")
    page.wait_for_selector("#citations-group")
    assert page.input_value("#id_due_text") == "d'ici le printemps"
    body = page.inner_text("body")
    assert "20 mars 2014" in body and "20 juin 2014" in body and "saison" in body
    assert page.input_value("#id_citations-0-quote") == "Le plan Cloud ficelé d'ici le printemps"
    shot(page, "admin-milestone")

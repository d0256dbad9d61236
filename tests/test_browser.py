"""A civil servant's first look, in a real headless Chromium: the admin holds the seed data."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .browser import shot

pytestmark = pytest.mark.browser


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
    # Planned since 2014 and never spoken of since: "deadline passed, no news", not "overdue".
    page.click("#changelist-filter >> text=échéance passée, sans nouvelles")
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

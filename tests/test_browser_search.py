"""Daily use in a real Chromium (issue 15): the filters of the mission list stay those of
the list through Back and Forward, and the header's search bar finds what people type."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .browser import shot

pytestmark = pytest.mark.browser


def filters_say(page: Page, *, status: str, label: str, count: str) -> None:
    """The form shows these filters, and the list is theirs."""
    expect(page.locator("#id_status")).to_have_value(status)
    expect(page.locator("#id_label")).to_have_value(label)
    expect(page.locator("#results-heading")).to_have_text(count)


def test_back_and_forward_after_filtering_keep_the_filters_and_the_list_together(
    site: str, page: Page
) -> None:
    page.goto(f"{site}/missions/")
    filters_say(page, status="", label="", count="4 missions")
    page.evaluate("window.notReloaded = true")

    page.select_option("#id_status", "launched")
    expect(page).to_have_url(re.compile(r"\?.*status=launched"))
    filters_say(page, status="launched", label="", count="2 missions")
    page.select_option("#id_label", "cloud")
    expect(page).to_have_url(re.compile(r"label=cloud"))
    filters_say(page, status="launched", label="cloud", count="1 mission")
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the list each time

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"label=cloud"))
    expect(page).to_have_url(re.compile(r"status=launched"))
    # The issue: the list was still filtered while the form said « Statut : Tous ».
    filters_say(page, status="launched", label="", count="2 missions")
    shot(page, "missions-back-once")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/missions/$"))
    filters_say(page, status="", label="", count="4 missions")

    page.go_forward()
    expect(page).to_have_url(re.compile(r"status=launched"))
    filters_say(page, status="launched", label="", count="2 missions")
    assert page.evaluate("window.notReloaded") is True  # the page was never reloaded
    # Out to a mission and back: the same filters, the same list.
    page.locator("a.mission-title").first.click()
    expect(page.locator("h1")).not_to_have_text("Missions")
    page.go_back()
    expect(page).to_have_url(re.compile(r"status=launched"))
    filters_say(page, status="launched", label="", count="2 missions")
    # And the form still drives the list after coming back.
    page.select_option("#id_status", "announced")
    filters_say(page, status="announced", label="", count="2 missions")
    expect(page).to_have_url(re.compile(r"status=announced"))


def test_the_header_search_bar_finds_gaia_x_in_a_source_with_the_passage(
    site: str, page: Page
) -> None:
    page.goto(f"{site}/")
    page.get_by_role("search", name="Recherche dans le site").get_by_label(
        "Rechercher dans le site"
    ).fill("Gaia-X")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/recherche/\?q=Gaia-X$"))
    expect(page.locator("h1")).to_have_text("Recherche")
    expect(page.locator("#search-q")).to_have_value("Gaia-X")  # what was typed, kept
    missions = page.locator("#kind-missions")
    expect(missions.get_by_role("heading")).to_have_text("Missions (1)")
    expect(
        missions.get_by_role("link", name="Mission numérique des grands groupes", exact=True)
    ).to_be_visible()
    expect(missions.locator("mark")).to_have_text("Gaia-X")
    shot(page, "search-gaia-x")

    # The mission list reaches the source's text too.
    missions.get_by_role("link", name=re.compile("dans la liste des missions")).click()
    expect(page.locator("#results-heading")).to_have_text("1 mission")
    expect(page.locator("#id_q")).to_have_value("Gaia-X")


def test_the_search_bar_opens_from_its_button_on_a_small_screen(site: str, page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{site}/")
    # The modal is the DSFR script's (without it, the bar stays in the header, usable).
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true", timeout=20_000)
    field = page.locator("#header-search-input")
    expect(field).to_be_hidden()
    page.locator(".fr-header__navbar .fr-btn--search").click()
    expect(field).to_be_visible()
    field.fill("stratégie")
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"/recherche/\?q=strat"))
    expect(page.locator("#kind-missions mark").first).to_have_text("Stratégie")

"""Footnotes in a real Chromium: on the longest curated mission the notes are folded, and a
followed citation opens them at its note, with or without JavaScript; the note leads back."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .browser import shot

pytestmark = pytest.mark.browser

LONGEST = "/missions/mission-numerique-grands-groupes/"  # 27 notes (52 citations)


def follow_a_citation_there_and_back(page: Page, number: int) -> None:
    notes = page.locator("details#notes")
    expect(notes).not_to_have_attribute("open", "")
    marker = page.locator(f'a.note-ref[href="#note-{number}"]').first
    marker_id = marker.get_attribute("id")
    marker.click()
    expect(notes).to_have_attribute("open", "")
    expect(page.locator(f"#note-{number}")).to_be_in_viewport()
    # Back from the note to the citation just followed.
    page.locator(f'#note-{number} a.footnote__back[href="#{marker_id}"]').click()
    expect(page.locator(f"#{marker_id}")).to_be_in_viewport()


def test_a_citation_opens_the_folded_notes_at_its_note(site: str, page: Page) -> None:
    errors: list[str] = []  # a script the Content-Security-Policy refused would say so here
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(site + LONGEST)
    assert page.evaluate("typeof revealNote") == "function"
    folded_height = page.evaluate("document.documentElement.scrollHeight")
    follow_a_citation_there_and_back(page, 20)
    shot(page, "footnotes-followed")
    open_height = page.evaluate("document.documentElement.scrollHeight")
    # Folded, the 27 notes take a line: the page is shorter by almost all of their height.
    assert open_height - folded_height > 2000, (folded_height, open_height)
    # Folded again by hand, the same citation followed again (no new hash) opens them again.
    page.locator("details#notes > summary").click()
    expect(page.locator("details#notes")).not_to_have_attribute("open", "")
    page.locator('a.note-ref[href="#note-20"]').first.click()
    expect(page.locator("details#notes")).to_have_attribute("open", "")
    expect(page.locator("#note-20")).to_be_in_viewport()
    assert errors == []


def test_a_citation_opens_the_notes_without_javascript(site: str, browser: Browser) -> None:
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + LONGEST)
        follow_a_citation_there_and_back(page, 5)
    finally:
        context.close()


def test_a_link_to_a_note_from_elsewhere_opens_it(site: str, page: Page) -> None:
    page.goto(f"{site}{LONGEST}#note-27")
    expect(page.locator("details#notes")).to_have_attribute("open", "")
    expect(page.locator("#note-27")).to_be_in_viewport()

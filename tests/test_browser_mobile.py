"""The site on a phone (390 px wide, as at high zoom): the DSFR's menu carries the header's
tools (log in and out, the bell, the language), no page is wider than the screen, the frise
scrolls sideways inside its own labelled region, and no page logs a script error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from initiatives.models import Milestone

from .browser import shot
from .factories import user

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PASSWORD = "mot-de-passe-mobile-42"


@pytest.fixture
def phone_pages(site: str) -> dict[str, str]:
    """The main pages, and an agent to log in (made before the browser starts: Django
    refuses ORM calls while Playwright's event loop runs in this thread)."""
    user("agent-mobile", password=PASSWORD)
    milestone = Milestone.objects.get(key="plan-ficele")
    return {
        "dashboard": f"{site}/",
        "missions": f"{site}/missions/",
        "mission": f"{site}/missions/mission-numerique-grands-groupes/",
        "workstream": f"{site}/missions/mission-numerique-grands-groupes/chantiers/competences-formations/",
        "milestone": f"{site}/jalons/{milestone.pk}/",
        "frise": f"{site}/frise/",
        "frise-table": f"{site}/frise/?view=table",
        "source": f"{site}/sources/dge-mission-numerique-grands-groupes/",
        "sitemap": f"{site}/plan-du-site/",
        "methodology": f"{site}/methodologie/",
        "accessibility": f"{site}/accessibilite/",
        "legal-notice": f"{site}/mentions-legales/",
        "privacy": f"{site}/donnees-personnelles/",
    }


@pytest.fixture
def phone(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A phone-sized page, and every script error it logs (console errors, uncaught
    exceptions), as they come."""
    context = browser.new_context(locale="fr-FR", viewport=PHONE)  # type: ignore[arg-type]
    page = context.new_page()
    errors: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    yield page, errors
    context.close()


def open_menu(page: Page) -> Locator:
    """The DSFR's small-screen menu, opened by its button: the links copied from the tools."""
    page.locator("#button-menu").click()
    expect(page.locator("#menu-mobile")).to_be_visible()
    return page.locator("#menu-mobile .fr-header__menu-links")


def tour(page: Page, errors: list[str], pages: dict[str, str], suffix: str) -> None:
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")  # the bell and any region htmx loads
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1] == PHONE["width"], (name, widths)
        assert errors == [], name
        shot(page, f"mobile-{name}{suffix}")


def test_a_phone_reaches_every_tool_through_the_menu_and_every_page_fits(
    phone_pages: dict[str, str], phone: tuple[Page, list[str]]
) -> None:
    page, errors = phone
    tour(page, errors, phone_pages, "")

    # Signing in, through the menu: the header's own tools are hidden at this width.
    page.goto(phone_pages["mission"])
    expect(page.locator(".fr-header__tools-links")).to_be_hidden()
    menu = open_menu(page)
    shot(page, "mobile-menu")
    menu.get_by_role("link", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Se connecter")
    page.fill("#id_username", "agent-mobile")
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/connexion/'] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Mission numérique des grands groupes")

    menu = open_menu(page)
    expect(menu.get_by_role("button", name="Se déconnecter (agent-mobile)")).to_be_visible()
    expect(menu.get_by_role("link", name=re.compile("^Notifications"))).to_be_visible()
    shot(page, "mobile-menu-signed-in")

    # The language, through the menu: English from then on, on the same page.
    menu.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Mission numérique des grands groupes")
    menu = open_menu(page)
    expect(menu.get_by_role("button", name="Français")).to_be_visible()
    expect(menu.get_by_role("button", name="Log out (agent-mobile)")).to_be_visible()
    page.keyboard.press("Escape")

    tour(
        page,
        errors,
        {**phone_pages, "notifications": phone_pages["dashboard"] + "notifications/"},
        "-en",
    )

    # And out again, through the menu.
    open_menu(page).get_by_role("button", name="Log out (agent-mobile)").click()
    expect(open_menu(page).get_by_role("link", name="Log in")).to_be_visible()
    assert errors == []


def test_the_frise_scrolls_sideways_in_a_labelled_region_reached_by_keyboard(
    phone_pages: dict[str, str], phone: tuple[Page, list[str]]
) -> None:
    page, errors = phone
    page.goto(phone_pages["frise"])
    label = page.locator("#frise-scroll-label")
    expect(label).to_be_visible()
    region = page.get_by_role("region", name=label.inner_text())
    # The chart is wider than the screen, its region scrolls, the page does not.
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Each row's name stands whole above its track, within the screen.
    first = page.locator(".frise__label").first
    box = first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.frise-scroll').scrollLeft > 0")
    # The names stay in view while the chart moves under them.
    moved = first.bounding_box()
    assert moved is not None and moved["x"] == box["x"]
    shot(page, "mobile-frise-scrolled")
    assert errors == []


def test_a_signed_in_header_at_1024_px_keeps_the_whole_republique_francaise_block(
    site: str, browser: Browser
) -> None:
    """Signed in, the header holds four tool links; at 1024 px (a laptop at 125 % zoom) the
    DSFR's tools never shrink, and the brand's overflow once cut the State's signature."""
    page = browser.new_page(locale="fr-FR", viewport={"width": 1024, "height": 700})
    page.goto(f"{site}/connexion/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "mot-de-passe-admin-42")
    page.locator("main form [type=submit]").first.click()
    expect(page.locator(".fr-header__tools-links")).to_contain_text("Se déconnecter")
    top, logo = page.evaluate(
        "['.fr-header__brand-top', '.fr-header__logo'].map("
        "s => document.querySelector(s).getBoundingClientRect().width)"
    )
    assert top >= logo > 100, (top, logo)
    shot(page, "header-1024-signed-in")

"""The demo reader follows missions in a real Chromium: the button swaps in place with htmx
(focus kept), works without JavaScript too, the page of followed missions stops following,
and a coordinator's edit then shows under the reader's bell."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from initiatives import services
from initiatives.models import Follow, Milestone

from .browser import orm, shot, sign_in
from .test_browser_pages import serious_violations

pytestmark = pytest.mark.browser
CLICKED = "strategie-nationale-cloud"  # followed by a click in these tests
SEEDED = "mission-numerique-grands-groupes"  # followed by the demo command


@pytest.fixture
def demo(site: str, settings: Any) -> str:
    """The demo accounts (the command refuses to run unless DEBUG is on): the reader already
    follows the coordinator's mission."""
    settings.DEBUG = True
    call_command("seed_demo_users", stdout=io.StringIO())
    settings.DEBUG = False
    return site


def log_in(page: Page, site: str, next_url: str) -> None:
    sign_in(page, site, "lecteur", "lecture-demo-2026", next_url)
    expect(page).to_have_url(f"{site}{next_url}")


def followed_keys() -> list[str]:
    return sorted(
        orm(
            lambda: list(
                Follow.objects.filter(user__username="lecteur").values_list(
                    "mission__key", flat=True
                )
            )
        )
    )


def test_the_reader_follows_a_mission_with_one_click_and_stops_from_the_list(
    demo: str, page: Page
) -> None:
    assert followed_keys() == [SEEDED]
    log_in(page, demo, f"/missions/{CLICKED}/")
    assert serious_violations(page) == []
    page.evaluate("window.notReloaded = true")
    follow = page.get_by_role("button", name="Suivre cette mission")
    follow.click()

    stop = page.get_by_role("button", name="Ne plus suivre")
    expect(stop).to_be_visible()
    expect(stop).to_be_focused()  # the swapped button keeps the focus
    expect(page.locator(f"#follow-{CLICKED}")).to_contain_text("Vous suivez cette mission")
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the region only
    assert followed_keys() == sorted([CLICKED, SEEDED])
    assert serious_violations(page) == []
    shot(page, "follow-mission")

    # Reloaded, the page says so (the cached page is not the one before the follow).
    page.reload()
    expect(page.get_by_role("button", name="Ne plus suivre")).to_be_visible()

    page.get_by_role("link", name="Missions suivies").click()
    expect(page.locator("h1")).to_have_text("Missions suivies")
    expect(page.get_by_role("button", name="Ne plus suivre")).to_have_count(2)
    assert serious_violations(page) == []
    shot(page, "followed-missions")
    page.get_by_role("button", name=re.compile("Ne plus suivre « Stratégie nationale")).click()
    expect(
        page.locator(f"#follow-{CLICKED}").get_by_role("button", name="Suivre cette mission")
    ).to_be_visible()
    assert followed_keys() == [SEEDED]

    # In English too, the page passes axe.
    page.click("button[name=language][value=en]")
    expect(page.locator("h1")).to_have_text("Missions you follow")
    assert serious_violations(page) == []


def test_following_works_without_javascript(demo: str, browser: Browser) -> None:
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, demo, f"/missions/{CLICKED}/")
        page.get_by_role("button", name="Suivre cette mission").click()
        expect(page).to_have_url(f"{demo}/missions/{CLICKED}/")
        expect(page.locator(".fr-alert--success")).to_contain_text("Vous suivez « Stratégie")
        expect(page.get_by_role("button", name="Ne plus suivre")).to_be_visible()
        assert CLICKED in followed_keys()
    finally:
        context.close()


def test_a_visitor_is_offered_to_sign_in_then_follows(demo: str, page: Page) -> None:
    page.goto(f"{demo}/missions/{CLICKED}/")
    page.get_by_role("link", name="Se connecter pour suivre").click()
    page.fill("#id_username", "lecteur")
    page.fill("#id_password", "lecture-demo-2026")
    page.click("form[action='/connexion/'] button[type=submit]")
    expect(page).to_have_url(f"{demo}/missions/{CLICKED}/")  # back where they were
    page.get_by_role("button", name="Suivre cette mission").click()
    expect(page.get_by_role("button", name="Ne plus suivre")).to_be_visible()


def test_a_coordinators_edit_shows_under_the_readers_bell(demo: str, page: Page) -> None:
    log_in(page, demo, "/notifications/")
    expect(page.locator(".notification")).to_have_count(0)

    def coordinator_edits() -> int:
        from django.contrib.auth import get_user_model

        coordinator = get_user_model().objects.get(username="coordinatrice")
        milestone = Milestone.objects.filter(
            mission__key=SEEDED, workstream__coordinators=coordinator, status="planned"
        ).order_by("pk")[0]
        services.milestone_update(
            coordinator,
            milestone.pk,
            services.MilestoneChange(status="in_progress", progress=30),
            base_version=milestone.version,
        )
        return services.notify_followers()  # beat's pass, within a minute

    assert orm(coordinator_edits) == 1
    page.reload()
    expect(page.locator(".notification-bell").first).to_contain_text("1 non lue")
    item = page.locator(".notification").first
    expect(item).to_contain_text("Statut : prévu → en cours")
    expect(item).to_contain_text("par Coordinatrice")
    assert serious_violations(page) == []
    shot(page, "follow-notification")

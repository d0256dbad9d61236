"""The public pages in a real headless Chromium: accessibility (axe-core), HTMX behaviour,
the language switch, and a screenshot of each page under var/screenshots/."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from initiatives.models import Milestone

from .browser import shot

pytestmark = pytest.mark.browser
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def pages(site: str) -> dict[str, str]:
    milestone = Milestone.objects.get(key="plan-ficele")
    today = timezone.localdate().isoformat()
    return {
        "dashboard": f"{site}/",
        "missions": f"{site}/missions/",
        "mission": f"{site}/missions/mission-numerique-grands-groupes/",
        "milestone": f"{site}/jalons/{milestone.pk}/",
        "source": f"{site}/sources/dge-mission-numerique-grands-groupes/",
        "workstream": f"{site}/missions/mission-numerique-grands-groupes/chantiers/competences-formations/",
        "login": f"{site}/connexion/",
        "frise": f"{site}/frise/",
        "frise-table": f"{site}/frise/?view=table",
        "lineage": f"{site}/lignee/",
        "sitemap": f"{site}/plan-du-site/",
        "accessibility": f"{site}/accessibilite/",
        "legal-notice": f"{site}/mentions-legales/",
        "privacy": f"{site}/donnees-personnelles/",
        "methodology": f"{site}/methodologie/",
        "open-data": f"{site}/donnees/",
        "search": f"{site}/recherche/?q=Gaia-X",
        # As known on a day (today: the seeded history begins when the site was seeded).
        "dashboard-as-of": f"{site}/?au={today}",
        "mission-as-of": f"{site}/missions/mission-numerique-grands-groupes/?au={today}",
        "milestone-as-of": f"{site}/jalons/{milestone.pk}/?au={today}",
        "frise-as-of": f"{site}/frise/?au={today}",
        "mission-compare": f"{site}/missions/mission-numerique-grands-groupes/comparer/",
    }


def test_every_page_passes_axe_in_french_and_english(pages: dict[str, str], page: Page) -> None:
    for name, url in pages.items():
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        assert serious_violations(page) == [], name
        shot(page, f"page-{name}")
    # The switch in the header: English from then on, for every page.
    page.goto(pages["dashboard"])
    page.click("button[name=language][value=en]")
    expect(page.locator("h1")).to_have_text("Dashboard")
    for name, url in pages.items():
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert serious_violations(page) == [], name
        shot(page, f"page-{name}-en")


def test_label_filter_updates_list_and_url_without_reloading(
    pages: dict[str, str], page: Page
) -> None:
    page.goto(pages["missions"])
    expect(page.locator("#results-heading")).to_have_text("4 missions")
    page.evaluate("window.notReloaded = true")

    page.select_option("#id_label", "cloud")

    expect(page.locator("#results-heading")).to_have_text("2 missions")
    expect(page).to_have_url(re.compile(r"label=cloud"))
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the list, no page load
    shot(page, "missions-filtered")
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"label=cloud"))
    expect(page.locator("#results-heading")).to_have_text("4 missions")


def test_deadline_panel_refreshes_every_minute_until_paused(
    pages: dict[str, str], page: Page
) -> None:
    page.clock.install()  # htmx's `every 60s` timer runs on this clock
    page.goto(pages["dashboard"])
    page.evaluate("window.notReloaded = true")
    # The panel's polls, counted in the page as htmx handles them: each tick of its timer
    # asks (htmx:confirm, which the switch vetoes), and a tick not vetoed sends. Both happen
    # inside run_for(), so the counts are final when it returns: no wait for stray requests.
    page.evaluate(
        """() => {
          window.polls = {asked: 0, sent: 0};
          const count = (name, what) => document.addEventListener(name, (event) => {
            if (event.detail.elt.hasAttribute("data-refresh-unless-paused")) window.polls[what] += 1;
          });
          count("htmx:confirm", "asked");
          count("htmx:beforeRequest", "sent");
        }"""
    )

    with page.expect_response(re.compile(r"panel=deadlines")) as response:
        page.clock.run_for("01:01")
    assert response.value.status == 200
    assert page.evaluate("window.polls") == {"asked": 1, "sent": 1}
    assert response.value.request.headers.get("x-csrftoken")  # CSRF rides along
    expect(page.locator("#deadlines")).to_contain_text("en retard")
    assert page.evaluate("window.notReloaded") is True

    # WCAG 2.2.2: the reader can stop it (the switch is shown only where it works, with JS).
    toggle = page.get_by_label("Actualiser les jalons chaque minute")
    expect(toggle).to_be_checked()
    page.locator("label[for=auto-refresh]").click()
    expect(toggle).not_to_be_checked()
    page.clock.run_for("03:00")
    polls = page.evaluate("window.polls")
    assert polls["asked"] > 1 and polls["sent"] == 1  # the timer ticked; nothing was sent
    shot(page, "dashboard-paused")


def test_results_count_is_announced_after_filtering(pages: dict[str, str], page: Page) -> None:
    """The results region is replaced on each filter; the live region that announces the
    count stays in place, as screen readers need."""
    page.goto(pages["missions"])
    status = page.locator("#results-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("")
    page.select_option("#id_label", "cloud")
    expect(status).to_have_text("2 missions")


def test_axe_really_runs(pages: dict[str, str], page: Page) -> None:
    # A guard for the test above: the same check must catch an image with no alternative.
    page.goto(pages["dashboard"])
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"x.png\">')"
    )
    assert any(v.startswith("image-alt (critical)") for v in serious_violations(page))


def test_timeline_zooms_on_a_year_without_reloading(pages: dict[str, str], page: Page) -> None:
    page.goto(pages["frise"])
    page.evaluate("window.notReloaded = true")

    page.select_option("#frise-zoom", "2020")

    expect(page.locator(".frise__ticks")).to_contain_text("T4")
    expect(page).to_have_url(re.compile(r"year=2020"))
    assert page.evaluate("window.notReloaded") is True
    shot(page, "frise-2020")

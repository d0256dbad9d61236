"""« Mes jalons » in a real Chromium: a coordinator updates milestones of two missions on one
page, in place; a deadline set in the past is saved with a warning in its row; due words
typed again are read as of today; and with DEBUG on, as `make run` serves it, a refused edit
(400) stays in its row instead of replacing the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from initiatives.models import Milestone

from .browser import open_inline_edit, orm, save_inline_edit, shot, sign_in
from .factories import MilestoneFactory, MissionFactory, UserFactory, WorkstreamFactory
from .test_browser_pages import serious_violations

pytestmark = pytest.mark.browser
PASSWORD = "pw-claire-2026"


@pytest.fixture
def claire(site: str) -> dict[str, Milestone]:
    """Claire coordinates a workstream in each of two new missions."""
    user = UserFactory(username="claire", password=PASSWORD, first_name="Claire")
    cloud = WorkstreamFactory(mission=MissionFactory(title="Plan cloud"), coordinators=[user])
    skills = WorkstreamFactory(
        mission=MissionFactory(title="Plan compétences"), coordinators=[user]
    )
    return {
        "late": MilestoneFactory(workstream=cloud, title="Offres qualifiées", due="T2 2020"),
        "soon": MilestoneFactory(
            workstream=skills,
            title="Premier module",
            due="dans 10 jours",
            read_on=timezone.localdate(),
        ),
        "autumn": MilestoneFactory(
            workstream=skills, title="Bilan", due="à l'automne", read_on=dt.date(2020, 3, 10)
        ),
    }


def log_in(page: Page, site: str) -> None:
    sign_in(page, site, "claire", PASSWORD)
    expect(page.locator("h1")).to_have_text("Tableau de bord")


open_form, save = open_inline_edit, save_inline_edit


def test_a_coordinator_updates_milestones_of_two_missions_on_one_page(
    site: str, claire: dict[str, Milestone], page: Page
) -> None:
    late, soon, autumn = claire["late"], claire["soon"], claire["autumn"]
    log_in(page, site)
    page.locator(".fr-header__tools").get_by_role("link", name="Mes jalons").click()
    expect(page.locator("h1")).to_have_text("Mes jalons")
    expect(page.locator("#window-late")).to_have_text(
        "En retard, ou échéance passée sans nouvelles"
    )
    assert serious_violations(page) == []
    shot(page, "my-milestones")
    page.evaluate("window.notReloaded = true")

    # A deadline moved into the past: saved, and said so in the row.
    open_form(page, soon)
    page.fill(f"#due-{soon.pk}", "T2 2020")
    expect(page.locator(f"#due-preview-{soon.pk}")).to_contain_text("est déjà passée")
    save(page, soon)
    row = page.locator(f"#milestone-{soon.pk}")
    expect(row.locator(".fr-alert--warning")).to_contain_text(
        "L'échéance « T2 2020 » est déjà passée : elle va du 1er avril 2020 au 30 juin 2020."
    )
    expect(row).to_contain_text("en retard")
    assert serious_violations(page) == []
    shot(page, "my-milestones-past-deadline")

    # Another mission's milestone, on the same page.
    open_form(page, late)
    page.fill(f"#progress-{late.pk}", "60")
    page.select_option(f"#status-{late.pk}", "in_progress")
    save(page, late)
    expect(page.locator(f"#milestone-{late.pk}")).to_contain_text("60 %")

    # « à l'automne » read in 2020, typed again: the box that reads it as of today ticks.
    open_form(page, autumn)
    reread = page.get_by_label("Relire « à l'automne » à la date d'aujourd'hui")
    expect(reread).not_to_be_checked()
    assert serious_violations(page) == []
    page.fill(f"#due-{autumn.pk}", "")
    page.locator(f"#due-{autumn.pk}").press_sequentially("à l'automne")
    expect(reread).to_be_checked()
    shot(page, "my-milestones-reread")
    save(page, autumn)
    expect(page.locator(f"#milestone-{autumn.pk} form")).to_have_count(0)

    assert page.evaluate("window.notReloaded") is True
    saved = orm(
        lambda: {m.pk: m for m in Milestone.objects.filter(pk__in=[late.pk, soon.pk, autumn.pk])}
    )
    assert (saved[soon.pk].due_text, saved[soon.pk].due_end) == ("T2 2020", dt.date(2020, 6, 30))
    assert (saved[late.pk].progress, saved[late.pk].status) == (60, "in_progress")
    assert saved[autumn.pk].due_reference == orm(timezone.localdate)
    assert saved[autumn.pk].due_end > dt.date(2020, 12, 20)

    # Her deadlines in her calendar application: the private address, from this page.
    page.get_by_role("link", name="Mon calendrier").first.click()
    expect(page.locator("h1")).to_contain_text("Mon calendrier")
    address = page.locator("input[readonly]").first.input_value()
    assert "/calendrier/" in address and address.endswith(".ics")
    assert serious_violations(page) == []
    shot(page, "my-calendar")


def test_with_debug_on_a_refused_edit_stays_in_its_row(
    site: str, claire: dict[str, Milestone], page: Page, settings: Any
) -> None:
    """`make run` serves pages with DEBUG on: django-htmx's debug script, were it loaded,
    would write the 400 over the whole document (the bare form, unstyled, no header)."""
    settings.DEBUG = True
    milestone = claire["late"]
    log_in(page, site)
    page.goto(f"{site}/mes-jalons/")
    expect(page.locator("script[src*='django-htmx']")).to_have_count(0)
    page.evaluate("window.notReloaded = true")
    open_form(page, milestone)
    page.select_option(f"#status-{milestone.pk}", "missed")
    page.fill(f"#comment-{milestone.pk}", "")
    page.fill(f"#progress-{milestone.pk}", "40")
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        save(page, milestone)
    assert response.value.status == 400

    row = page.locator(f"#milestone-{milestone.pk}")
    expect(row.locator(f"#comment-{milestone.pk}-error")).to_contain_text("commentaire")
    expect(row.locator(f"#progress-{milestone.pk}")).to_have_value("40")
    # The page is still the page: its header, its title, its stylesheets.
    expect(page.locator("header.fr-header")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Mes jalons")
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("Marianne")
    shot(page, "my-milestones-debug-400")
    assert orm(lambda: Milestone.objects.get(pk=milestone.pk).status) == "planned"

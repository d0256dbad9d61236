"""A coordinator updates a milestone from the mission page, in a real Chromium: the form
comes in place of the row, the save swaps the row back and refreshes the progress bars,
without a page load; a conflict keeps what was typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from initiatives.models import Milestone, Mission

from .browser import open_inline_edit, orm, save_inline_edit, shot, sign_in
from .test_browser_pages import serious_violations

pytestmark = pytest.mark.browser
MISSION = "mission-numerique-grands-groupes"


@pytest.fixture
def coordinator(site: str) -> dict[str, Any]:
    mission = Mission.objects.get(key=MISSION)
    workstream = mission.workstreams.order_by("position").first()
    user = get_user_model().objects.create_user(
        "claire", password="pw-claire-2026", first_name="Claire", last_name="Dupont"
    )
    workstream.coordinators.add(user)
    milestone = workstream.milestones.exclude(status="done").order_by("pk").first()
    return {"user": user, "milestone": milestone, "workstream": workstream}


def log_in(page: Page, site: str) -> None:
    sign_in(page, site, "claire", "pw-claire-2026", f"/missions/{MISSION}/")
    expect(page.locator("h1")).to_contain_text("Mission numérique des grands groupes")


def open_edit(page: Page, site: str, milestone: Milestone) -> None:
    """Log in as the coordinator and open the milestone's inline form on the mission page."""
    log_in(page, site)
    open_inline_edit(page, milestone)


save = save_inline_edit


def test_inline_edit_saves_and_refreshes_progress_without_reload(
    site: str, coordinator: dict[str, Any], page: Page
) -> None:
    milestone: Milestone = coordinator["milestone"]
    log_in(page, site)
    page.evaluate("window.notReloaded = true")
    row = page.locator(f"#milestone-{milestone.pk}")

    row.get_by_role("link", name="Modifier").click()
    form = page.locator(f"#milestone-{milestone.pk} form")
    expect(form).to_be_visible()
    assert serious_violations(page) == []
    page.fill(f"#due-{milestone.pk}", "T3 2027")
    expect(page.locator(f"#due-preview-{milestone.pk}")).to_contain_text("1er juillet 2027")
    page.select_option(f"#status-{milestone.pk}", "in_progress")
    page.fill(f"#progress-{milestone.pk}", "100")
    shot(page, "edit-inline")
    form.get_by_role("button", name="Enregistrer").click()

    expect(page.locator(f"#milestone-{milestone.pk}")).to_contain_text("« T3 2027 »")
    expect(page.locator(f"#milestone-{milestone.pk}")).to_contain_text("100 %")
    # The workstream's bar was read again after the save event.
    expect(page.locator("#workstreams")).to_contain_text("100 %")
    assert page.evaluate("window.notReloaded") is True
    saved = orm(lambda: Milestone.objects.get(pk=milestone.pk))
    assert (saved.due_text, saved.progress, saved.status) == ("T3 2027", 100, "in_progress")
    shot(page, "edit-saved")
    # The change is in the milestone's history, signed.
    page.goto(f"{site}/jalons/{milestone.pk}/")
    history = page.locator("ol.timeline").first
    expect(history).to_contain_text("Claire Dupont")
    expect(history).to_contain_text("→ T3 2027")
    expect(history).to_contain_text("→ 100 %")
    shot(page, "milestone-history")


def test_an_invalid_edit_keeps_the_form_and_what_was_typed(
    site: str, coordinator: dict[str, Any], page: Page
) -> None:
    milestone: Milestone = coordinator["milestone"]
    open_edit(page, site, milestone)
    page.select_option(f"#status-{milestone.pk}", "missed")
    page.fill(f"#comment-{milestone.pk}", "")
    page.fill(f"#progress-{milestone.pk}", "40")
    save(page, milestone)
    expect(page.locator(f"#comment-{milestone.pk}-error")).to_contain_text("commentaire")
    expect(page.locator(f"#progress-{milestone.pk}")).to_have_value("40")
    assert serious_violations(page) == []
    assert orm(lambda: Milestone.objects.get(pk=milestone.pk).status) == milestone.status


def test_a_conflict_shows_their_values_and_keeps_mine(
    site: str, coordinator: dict[str, Any], page: Page
) -> None:
    milestone: Milestone = coordinator["milestone"]
    open_edit(page, site, milestone)
    page.fill(f"#progress-{milestone.pk}", "70")

    # Meanwhile, someone else saves: the progress, which I change too, and a comment.
    orm(
        lambda: Milestone.objects.filter(pk=milestone.pk).update(
            progress=15, comment="Leur commentaire", version=milestone.version + 1
        )
    )
    save(page, milestone)
    table = page.locator(f"#milestone-{milestone.pk} table")
    expect(table.locator("tr", has_text="Avancement")).to_contain_text("15 %")
    expect(table.locator("tr", has_text="Avancement")).to_contain_text("le vôtre est écrit")
    expect(table.locator("tr", has_text="Commentaire")).to_contain_text("le sien est conservé")
    expect(page.locator(f"#progress-{milestone.pk}")).to_have_value("70")
    shot(page, "edit-conflict")
    page.get_by_role("button", name="Enregistrer mes valeurs quand même").click()
    expect(page.locator(f"#milestone-{milestone.pk}")).to_contain_text(
        "Enregistré. Le jalon indique désormais"
    )
    expect(page.locator(f"#milestone-{milestone.pk}")).to_contain_text("70 %")
    # Mine written, theirs kept: the comment I never touched is not put back.
    assert orm(
        lambda: Milestone.objects.values_list("progress", "comment").get(pk=milestone.pk)
    ) == (70, "Leur commentaire")


def test_the_milestone_page_edits_in_place_too(
    site: str, coordinator: dict[str, Any], page: Page
) -> None:
    milestone: Milestone = coordinator["milestone"]
    log_in(page, site)
    page.goto(f"{site}/jalons/{milestone.pk}/")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Modifier").click()
    page.fill(f"#comment-{milestone.pk}", "Point fait en comité")
    save(page, milestone)
    expect(page.locator(f"#milestone-{milestone.pk}")).to_contain_text("Point fait en comité")
    expect(page.locator("#milestone-history")).to_contain_text("Point fait en comité")
    expect(page.locator(f"#milestone-{milestone.pk} dl.facts")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True

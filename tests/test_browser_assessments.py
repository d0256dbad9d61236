"""The demo observer assesses milestones in a real Chromium, without JavaScript needed: the
assessed status and its quote show on the milestone page, a refused form keeps what was
typed, and a divergence from the declared status is flagged there and on the mission page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from initiatives.models import Assessed, Milestone

from .browser import orm, shot, sign_in
from .test_browser_pages import serious_violations

pytestmark = pytest.mark.browser
SOURCE = "plan-cloud-nfi-2014"
QUOTE = "Le plan Cloud ficelé d'ici le printemps"


@pytest.fixture
def demo(site: str, settings: Any) -> dict[str, Any]:
    """The demo accounts (the command refuses to run unless DEBUG is on), and two milestones:
    one planned and late, one declared done that nobody assessed yet."""
    settings.DEBUG = True
    call_command("seed_demo_users", stdout=io.StringIO())
    settings.DEBUG = False
    done = (
        Milestone.objects.filter(
            status="done", assessed_status=Assessed.NOT_ASSESSED, citations__isnull=False
        )
        .select_related("mission")
        .order_by("pk")
        .first()
    )
    citation = done.citations.select_related("source").order_by("pk").first()
    return {
        "late": Milestone.objects.get(key="plan-ficele"),
        "done": done,
        "done_source": citation.source.key,
        "done_quote": citation.quote,
    }


def log_in(page: Page, site: str, milestone: Milestone) -> None:
    sign_in(page, site, "observatrice", "observation-demo-2026", f"/jalons/{milestone.pk}/")
    expect(page.locator("h1")).to_contain_text(milestone.title)


def submit(page: Page) -> None:
    page.get_by_role("button", name="Enregistrer l’évaluation").click()


def test_the_observer_records_an_assessment_with_a_quote(
    site: str, demo: dict[str, Any], page: Page
) -> None:
    milestone: Milestone = demo["late"]
    log_in(page, site, milestone)
    expect(page.locator("#assessed-status")).to_contain_text("Non évalué")
    page.get_by_role("link", name="Enregistrer une évaluation").click()
    expect(page.locator("h1")).to_contain_text("Évaluer")
    assert serious_violations(page) == []
    page.locator("label[for=rating-stalled]").click()
    page.fill("#id_rationale", "Aucun texte ne rapporte le plan après janvier 2014.")
    page.select_option("#id_evidence-0-source", SOURCE)
    page.fill("#id_evidence-0-quote", QUOTE)
    shot(page, "assessment-form")
    submit(page)

    expect(page).to_have_url(f"{site}/jalons/{milestone.pk}/")
    expect(page.locator(".fr-alert--success")).to_contain_text("Évaluation enregistrée")
    assessed = page.locator("#assessed-status")
    expect(assessed).to_contain_text("Au point mort")
    expect(assessed).to_contain_text("Observatrice")
    expect(assessed).to_contain_text(f"« {QUOTE} »")
    expect(
        assessed.get_by_role("link", name="La nouvelle France industrielle affûte son plan Cloud")
    ).to_have_attribute("href", f"/sources/{SOURCE}/")
    expect(page.locator("#declared-status")).to_contain_text("Prévu")
    expect(page.locator(".assessment-timeline > li")).to_have_count(1)
    assert serious_violations(page) == []
    shot(page, "assessment-recorded")
    saved = orm(lambda: Milestone.objects.get(pk=milestone.pk))
    assert saved.assessed_status == Assessed.STALLED


def test_without_evidence_the_form_says_so_and_keeps_the_rationale(
    site: str, demo: dict[str, Any], page: Page
) -> None:
    milestone: Milestone = demo["late"]
    log_in(page, site, milestone)
    page.goto(f"{site}/jalons/{milestone.pk}/evaluer/")
    page.locator("label[for=rating-engaged]").click()
    page.fill("#id_rationale", "Les travaux semblent avoir commencé.")
    submit(page)

    expect(page.locator("#form-errors")).to_contain_text("L’évaluation n’a pas été enregistrée")
    expect(page.locator("#evidence-messages")).to_contain_text("au moins un élément probant")
    expect(page.locator("#id_rationale")).to_have_value("Les travaux semblent avoir commencé.")
    expect(page.locator("#rating-engaged")).to_be_checked()
    assert serious_violations(page) == []
    shot(page, "assessment-refused")
    assert (
        orm(lambda: Milestone.objects.get(pk=milestone.pk).assessed_status) == Assessed.NOT_ASSESSED
    )


def test_a_divergence_is_flagged_on_the_milestone_and_the_mission_pages(
    site: str, demo: dict[str, Any], page: Page
) -> None:
    milestone: Milestone = demo["done"]
    log_in(page, site, milestone)
    expect(page.locator("#statuses .divergence")).to_have_count(0)
    page.get_by_role("link", name="Enregistrer une évaluation").click()
    page.locator("label[for=rating-partial]").click()
    page.fill("#id_rationale", "Le texte ne rapporte qu'une partie de ce qui était annoncé.")
    page.select_option("#id_evidence-0-source", demo["done_source"])
    page.fill("#id_evidence-0-quote", demo["done_quote"])
    page.select_option("#id_evidence-0-weight", "secondary")
    submit(page)

    expect(page.locator("#assessed-status")).to_contain_text("Partiellement réalisé")
    expect(page.locator("#assessed-status .divergence")).to_be_visible()
    expect(page.locator("#assessed-status")).to_contain_text("preuve secondaire")
    shot(page, "assessment-divergence")
    page.goto(f"{site}/missions/{milestone.mission.key}/")
    row = page.locator(f"#assessed-{milestone.pk}")
    expect(row).to_contain_text("Partiellement réalisé")
    expect(row.locator(".divergence")).to_be_visible()
    shot(page, "assessment-divergence-mission")

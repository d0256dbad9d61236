"""The pages civil servants browse: full renders, HTMX partials, bad input, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Milestone, Mission, Workstream

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def add_milestones(count: int) -> None:
    """More data of every kind, to show the page's query count does not grow with it."""
    mission = Mission.objects.create(key="synthetique", title="Mission synthétique", status="launched")
    workstream = Workstream.objects.create(mission=mission, key="axe", position=1, title="Axe")
    today = timezone.localdate()
    Milestone.objects.bulk_create(
        Milestone(
            mission=mission, workstream=workstream, key=f"jalon-{i}", title=f"Jalon {i}",
            due_text="fin 2030", due_start=today + dt.timedelta(days=i - count // 2),
            due_end=today + dt.timedelta(days=i - count // 2), due_precision="day", due_reference=today,
            progress=i % 100,
        )
        for i in range(count)
    )


def test_dashboard_shows_counts_deadlines_and_progress_in_french(seeded: None, client: Client) -> None:
    page = client.get(reverse("initiatives:dashboard"))
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Content-Language"] == "fr"
    assert "<h1>Tableau de bord</h1>" in html
    assert "Plan Cloud ficelé" in html  # overdue since June 2014
    assert "en retard" in html
    assert "Mission numérique des grands groupes" in html
    # CSRF goes with every HTMX request.
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_dashboard_is_english_through_the_switch_only(seeded: None, client: Client) -> None:
    # A browser asking for English still gets French: French first.
    assert "Tableau de bord" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert page["Content-Language"] == "en"
    assert "<h1>Dashboard</h1>" in page.content.decode()


def test_deadline_panel_partial_is_small_and_polls_itself(seeded: None, client: Client) -> None:
    panel = client.get("/?panel=deadlines", **HTMX)
    html = panel.content.decode()
    assert panel.status_code == 200
    assert html.lstrip().startswith('<section id="deadlines"')
    assert "<html" not in html
    assert 'hx-trigger="every 60s"' in html and 'hx-get="/?panel=deadlines"' in html
    assert len(panel.content) < 15_000


@pytest.mark.parametrize("query", ["?panel=<script>", "?panel=", "?x=1&panel=deadlines&panel=autre", "?%ff=%fe"])
def test_dashboard_ignores_strange_parameters(seeded: None, client: Client, query: str) -> None:
    assert client.get("/" + query).status_code == 200
    assert client.get("/" + query, **HTMX).status_code == 200


def test_health_is_computed_as_of_today_not_read_from_a_stale_column(seeded: None, client: Client) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # The stored health still says "on track": the sweep has not run since the window closed.
    Milestone.objects.filter(key="octroi-label").update(
        due_text="hier", due_start=yesterday, due_end=yesterday, due_precision="day",
        due_reference=timezone.localdate(), health="on_track",
    )
    html = client.get("/?panel=deadlines", **HTMX).content.decode()
    assert "Octroi du label « cloud de confiance » aux fournisseurs de service" in html
    row = html.split("Octroi du label")[1].split("</tr>")[0]
    assert "en retard" in row


def test_dashboard_escapes_what_it_shows(seeded: None, client: Client) -> None:
    Mission.objects.filter(key="strategie-nationale-cloud").update(title="<script>alert(1)</script>")
    html = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_dashboard_query_count_does_not_grow_with_the_data(seeded: None, client: Client) -> None:
    client.get("/")  # warm caches that are not per-request (content types, translations)
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    add_milestones(2000)
    with CaptureQueriesContext(connection) as large:
        client.get("/")
    assert len(small) == len(large) <= 8
    assert settings.DEADLINE_HORIZON_DAYS == 30

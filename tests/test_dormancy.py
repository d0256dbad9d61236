"""« Sans nouvelles »: a mission silent for longer than its expected rhythm is flagged, on
the dashboard and on its page; news is a new source or a change a person made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives import history, selectors, services
from initiatives.models import Milestone, Mission, Source

from . import factories
from .test_views import add_milestones

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)
FRANCO_ALLEMANDE = "declaration-franco-allemande-suite-souveraine"
GRANDS_GROUPES = "mission-numerique-grands-groupes"


def silent(today: dt.date = TODAY) -> list[str]:
    return sorted(
        m.key for m in selectors.with_news(Mission.objects.all(), today).filter(no_news=True)
    )


def test_the_seed_missions_have_had_no_news_for_years(seeded: None) -> None:
    # Their latest sources date from 2014 to 2024, nobody has edited them: all four.
    assert len(silent()) == 4
    missions, total = selectors.missions_without_news(TODAY)
    assert total == 4
    assert missions[0].key == "plan-cloud-nouvelle-france-industrielle"  # silent longest
    # In 2015, only the 2014 plan was silent.
    assert silent(dt.date(2015, 11, 23)) == ["plan-cloud-nouvelle-france-industrielle"]


def test_the_rhythm_sets_the_day_the_flag_rises(seeded: None) -> None:
    mission = selectors.with_news(Mission.objects.filter(key=FRANCO_ALLEMANDE), TODAY).get()
    days = (TODAY - mission.last_news_on).days
    Mission.objects.filter(pk=mission.pk).update(rhythm_days=days)
    assert FRANCO_ALLEMANDE not in silent()  # exactly the rhythm: not yet
    Mission.objects.filter(pk=mission.pk).update(rhythm_days=days - 1)
    assert FRANCO_ALLEMANDE in silent()  # one day longer: no news


def test_a_coordinators_change_is_news_but_the_sweep_and_imports_are_not(seeded: None) -> None:
    services.deadlines_sweep(TODAY)  # rewrites healths: bookkeeping
    assert GRANDS_GROUPES in silent()
    coordinator = factories.user("claire")
    milestone = Milestone.objects.filter(
        mission__key=GRANDS_GROUPES, workstream__isnull=False
    ).first()
    milestone.workstream.coordinators.add(coordinator)
    services.milestone_update(
        coordinator,
        milestone.pk,
        services.MilestoneChange(
            status="in_progress",
            progress=40,
            completed_on=None,
            due_text=milestone.due_text,
            comment="",
        ),
        base_version=milestone.version,
        today=TODAY,
    )
    assert GRANDS_GROUPES not in silent()
    mission = selectors.with_news(Mission.objects.filter(key=GRANDS_GROUPES), TODAY).get()
    assert mission.last_news_on == dt.date.today()


def test_an_admin_change_and_a_new_source_are_news(seeded: None) -> None:
    admin = factories.user("admin", staff=True)
    with history.acting_as(admin, "admin"):
        Mission.objects.filter(key=FRANCO_ALLEMANDE).update(summary="Mise à jour.")
    assert FRANCO_ALLEMANDE not in silent()
    recent = Source.objects.first()
    Source.objects.filter(pk=recent.pk).update(published_on=TODAY - dt.timedelta(days=10))
    for mission in recent.missions.all():
        assert mission.key not in silent()


def test_dashboard_and_mission_page_show_the_flag(seeded: None, client: Client) -> None:
    html = client.get("/").content.decode()
    assert "Sans nouvelles" in html
    assert "4 missions n’ont eu ni nouvelle source, ni mise à jour, ni changement de jalon" in html
    assert "dernière nouvelle le 6 février 2024" in html
    page = client.get(reverse("initiatives:mission", args=[FRANCO_ALLEMANDE])).content.decode()
    assert (
        'id="no-news"' in page
        and "rien de nouveau depuis plus longtemps que le rythme attendu (180 jours)" in page
    )
    Mission.objects.filter(key=FRANCO_ALLEMANDE).update(rhythm_days=10000)
    page = client.get(reverse("initiatives:mission", args=[FRANCO_ALLEMANDE])).content.decode()
    assert 'id="no-news"' not in page and "dans le rythme attendu (10000 jours)" in page
    assert "3 missions n’ont eu" in client.get("/").content.decode()


@pytest.mark.parametrize("extra", [0, 2000])
def test_the_dashboard_reads_dormancy_in_the_same_queries_at_any_size(
    seeded: None, uncached: None, client: Client, extra: int
) -> None:
    add_milestones(extra)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    # The missions without news and their count: one query (of 8: statuses, the deadline
    # panel's four, progress, dormancy, assessed statuses).
    assert len(queries) == 8

"""« Sans nouvelles »: a mission silent for longer than its expected rhythm is flagged, on
the dashboard and on its page; news is a new source or a change a person made."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives import history, selectors, services
from initiatives.models import Milestone, Mission, Source

from . import factories
from .factories import MilestoneFactory, MissionFactory, SourceFactory
from .test_views import add_milestones

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


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


def heard_of_on(day: dt.date, **fields: object) -> Mission:
    """A mission whose latest source was published on `day`, and nothing said of it since,
    with a milestone (late by now) in a workstream."""
    mission = MissionFactory(sources=[SourceFactory(published_on=day)], **fields)
    MilestoneFactory(workstream__mission=mission, due="d'ici fin 2025")
    return mission


def test_the_rhythm_sets_the_day_the_flag_rises() -> None:
    key = heard_of_on(dt.date(2024, 2, 6)).key
    mission = selectors.with_news(Mission.objects.filter(key=key), TODAY).get()
    assert mission.last_news_on == dt.date(2024, 2, 6)
    days = (TODAY - mission.last_news_on).days
    Mission.objects.filter(pk=mission.pk).update(rhythm_days=days)
    assert key not in silent()  # exactly the rhythm: not yet
    Mission.objects.filter(pk=mission.pk).update(rhythm_days=days - 1)
    assert key in silent()  # one day longer: no news


def test_a_coordinators_change_is_news_but_the_sweep_and_imports_are_not(
    tmp_path: Path,
) -> None:
    from initiatives import importing

    # Its source is of March 2025; the import itself (today) is not news of it.
    importing.import_paths([factories.write_document(tmp_path, factories.document())])
    imported = "plan-cloud-souverain"
    services.deadlines_sweep(TODAY)  # rewrites healths: bookkeeping
    assert silent() == [imported]
    coordinator = factories.user("claire")
    milestone = Milestone.objects.filter(mission__key=imported, workstream__isnull=False).first()
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
    assert imported not in silent()
    mission = selectors.with_news(Mission.objects.filter(key=imported), TODAY).get()
    assert mission.last_news_on == dt.date.today()


def test_an_admin_change_and_a_new_source_are_news() -> None:
    changed, published = heard_of_on(dt.date(2024, 2, 6)), heard_of_on(dt.date(2024, 2, 6))
    assert silent() == sorted([changed.key, published.key])
    admin = factories.user("admin", staff=True)
    with history.acting_as(admin, "admin"):
        Mission.objects.filter(key=changed.key).update(summary="Mise à jour.")
    assert silent() == [published.key]
    recent = published.sources.get()
    Source.objects.filter(pk=recent.pk).update(published_on=TODAY - dt.timedelta(days=10))
    assert silent() == []


def four_silent_missions() -> Mission:
    """Four missions last heard of from 2014 to 2024 (rhythm: 180 days); the latest."""
    for day in (dt.date(2014, 1, 20), dt.date(2018, 6, 1), dt.date(2020, 8, 5)):
        heard_of_on(day)
    return heard_of_on(dt.date(2024, 2, 6))


def test_dashboard_and_mission_page_show_the_flag(client: Client) -> None:
    latest = four_silent_missions().key
    html = client.get("/").content.decode()
    assert "Sans nouvelles" in html
    assert "4 missions n’ont eu ni nouvelle source, ni mise à jour, ni changement de jalon" in html
    assert "dernière nouvelle le 6 février 2024" in html
    page = client.get(reverse("initiatives:mission", args=[latest])).content.decode()
    assert (
        'id="no-news"' in page
        and "rien de nouveau depuis plus longtemps que le rythme attendu (180 jours)" in page
    )
    Mission.objects.filter(key=latest).update(rhythm_days=10000)
    page = client.get(reverse("initiatives:mission", args=[latest])).content.decode()
    assert 'id="no-news"' not in page and "dans le rythme attendu (10000 jours)" in page
    assert "3 missions n’ont eu" in client.get("/").content.decode()


@pytest.mark.parametrize("extra", [0, 2000])
def test_the_dashboard_reads_dormancy_in_the_same_queries_at_any_size(
    uncached: None, client: Client, extra: int
) -> None:
    four_silent_missions()
    add_milestones(extra)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    # The missions without news and their count: one query (of 8: statuses, the deadline
    # panel's four, progress, dormancy, assessed statuses).
    assert len(queries) == 8

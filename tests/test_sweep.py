"""The deadline sweep: set-based, idempotent, safe when two run at once, right on the day."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from initiatives import periods, selectors, services
from initiatives.models import DeadlineAlert, Milestone, Mission, Workstream
from initiatives.tasks import sweep_deadlines
from sovereignty import celery_app

from . import factories
from .factories import MilestoneFactory, WorkstreamFactory, at_once
from .test_views import add_milestones

pytestmark = pytest.mark.django_db


def milestone_due(text: str, reference: dt.date) -> Milestone:
    mission, _ = Mission.objects.get_or_create(key="balayage", defaults={"title": "Balayage"})
    workstream, _ = Workstream.objects.get_or_create(
        mission=mission, key="axe", defaults={"position": 1, "title": "Axe"}
    )
    period = periods.parse_period(text, reference)
    return Milestone.objects.create(
        mission=mission,
        workstream=workstream,
        key=f"jalon-{Milestone.objects.count()}",
        title=f"Jalon « {text} »",
        due_text=text,
        due_start=period.start,
        due_end=period.end,
        due_precision=period.precision.value,
        due_reference=period.reference,
    )


def test_the_sweep_takes_the_same_few_statements_at_any_size() -> None:
    today = dt.date(2026, 11, 23)
    # A few milestones last swept in 2025: two are late by now, one due soon, one ahead.
    workstream = WorkstreamFactory()
    for due in ("mars 2026", "juin 2026", "le 10 décembre 2026", "au premier semestre 2027"):
        MilestoneFactory(
            workstream=workstream, due=due, read_on=dt.date(2025, 6, 1), health="on_track"
        )
    with CaptureQueriesContext(connection) as small:
        assert len(services.deadlines_sweep(today).new_alerts) == 3
    add_milestones(3000)
    with CaptureQueriesContext(connection) as large:
        services.deadlines_sweep(today)
    assert len(small) == len(large) <= 8  # context, UPDATE, INSERT, unsent alerts; no loop
    assert not any(
        "SELECT" in q["sql"][:10]
        and "initiatives_milestone" in q["sql"]
        and "UPDATE" not in q["sql"]
        and "INSERT" not in q["sql"]
        for q in large
    )


def test_stale_health_is_exactly_the_rows_whose_stored_health_is_wrong() -> None:
    # Every status × stored health × due date around today and the horizon: the
    # index-friendly filter the sweep uses names the same rows as "stored ≠ computed".
    today = dt.date(2026, 11, 23)
    horizon = today + dt.timedelta(days=30)
    mission = Mission.objects.create(key="toutes-les-sante", title="Toutes les santés")
    ends = [None, today - dt.timedelta(days=1), today, horizon, horizon + dt.timedelta(days=1)]
    Milestone.objects.bulk_create(
        Milestone(
            mission=mission,
            key=f"{status}-{health}-{n}",
            title="Cas",
            status=status,
            progress=100 if status == "done" else 0,
            health=health,
            **(
                {
                    "due_text": "un jour",
                    "due_start": end,
                    "due_end": end,
                    "due_precision": "day",
                    "due_reference": today,
                }
                if end
                else {}
            ),
        )
        for status in Milestone.Status.values
        for health in Milestone.Health.values
        for n, end in enumerate(ends)
    )
    cases = Milestone.objects.filter(mission=mission)
    wrong = set(
        cases.exclude(health=selectors.health_expression(today)).values_list("pk", flat=True)
    )
    assert wrong and len(wrong) < cases.count()
    assert set(cases.filter(selectors.stale_health(today)).values_list("pk", flat=True)) == wrong
    services.deadlines_sweep(today)
    assert not cases.filter(selectors.stale_health(today)).exists()


def test_every_arm_of_the_stale_filter_is_answered_by_an_index() -> None:
    # With sequential scans priced out, PostgreSQL still scans the table if a single arm of
    # the filter has no index to answer it; so no "Seq Scan" means the sweep can find its
    # rows from indexes alone. (Whether it does at a million rows, make bench measures.)
    add_milestones(300)
    stale = Milestone.objects.filter(selectors.stale_health(dt.date(2026, 11, 23)))
    compiler = stale.query.get_compiler(connection=connection)
    where, params = compiler.compile(stale.query.where)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN UPDATE initiatives_milestone SET health = health WHERE {where}", params
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    # Which index answers the "no news" arms (the health index or the partial drift index,
    # both can) is the planner's choice on 300 rows; that one of them does is the point.
    assert "milestone_health_due_idx" in plan, plan


def test_a_second_sweep_creates_nothing() -> None:
    late = [milestone_due("mars 2027", dt.date(2026, 1, 1)) for _ in range(3)]
    first = services.deadlines_sweep(dt.date(2027, 4, 2))
    assert len(first.new_alerts) == 3 and first.health_changed >= 3
    again = services.deadlines_sweep(dt.date(2027, 4, 2))
    assert (again.health_changed, again.new_alerts) == (0, [])
    assert DeadlineAlert.objects.filter(milestone__in=late).count() == 3


def test_an_import_records_the_alerts_of_what_it_brings_late(tmp_path: Path) -> None:
    # The importer stores each health itself, so the sweep sees no change there: the import
    # records the alerts (sent once it commits), and a sweep the same day adds nothing.
    from initiatives import importing

    today = dt.date(2026, 11, 23)  # both milestones of the document are late by then
    importing.import_paths([factories.write_document(tmp_path, factories.document())], today=today)
    recorded = DeadlineAlert.objects.count()
    assert recorded == 2
    assert services.deadlines_sweep(today).new_alerts == []
    assert DeadlineAlert.objects.count() == recorded


PRECISIONS = {
    "day": "le 5 mars 2027",
    "month": "mars 2027",
    "season": "au printemps 2027",
    "quarter": "T1 2027",
    "half": "premier semestre 2027",
    "year": "en 2027",
}


@pytest.mark.parametrize("precision", PRECISIONS)
def test_the_day_before_the_day_of_and_the_day_after_due_end(precision: str) -> None:
    milestone = milestone_due(PRECISIONS[precision], dt.date(2026, 1, 1))
    assert milestone.due_precision == precision
    end = milestone.due_end

    def health_on(day: dt.date) -> str:
        services.deadlines_sweep(day)
        return Milestone.objects.get(pk=milestone.pk).health

    assert health_on(end - dt.timedelta(days=31)) == "on_track"
    assert health_on(end - dt.timedelta(days=1)) == "due_soon"
    assert health_on(end) == "due_soon"  # due today is not late yet
    # Still planned and nobody said a word since: not known to be late, no news.
    assert health_on(end + dt.timedelta(days=1)) == "no_news"
    alerts = DeadlineAlert.objects.filter(milestone=milestone).order_by("kind")
    assert [(a.kind, a.deadline, a.resolution) for a in alerts] == [
        ("due_soon", end, "passed"),  # closed by the sweep that raised the next one
        ("no_news", end, ""),
    ]
    # In progress, it is known to be late: the "no news" alert closes, an overdue one opens.
    Milestone.objects.filter(pk=milestone.pk).update(status="in_progress")
    assert health_on(end + dt.timedelta(days=2)) == "overdue"
    alerts = DeadlineAlert.objects.filter(milestone=milestone, resolved_at__isnull=True)
    assert [(a.kind, a.deadline) for a in alerts] == [("overdue", end)]


def test_a_slipped_deadline_may_alert_again_and_done_stops_alerting() -> None:
    milestone = milestone_due("mars 2027", dt.date(2026, 1, 1))
    services.deadlines_sweep(dt.date(2027, 4, 2))
    coordinator = factories.user("claire")
    milestone.workstream.coordinators.add(coordinator)
    milestone.refresh_from_db()
    services.milestone_update(
        coordinator,
        milestone.pk,
        services.MilestoneChange(
            status="in_progress", progress=50, completed_on=None, due_text="juin 2027", comment=""
        ),
        base_version=milestone.version,
        today=dt.date(2027, 4, 2),
    )
    # The edit moved the deadline: the alert raised on the old one closed, keeping its words.
    old = DeadlineAlert.objects.get(milestone=milestone, kind="no_news")
    assert (old.deadline, old.due_text, old.resolution) == (
        dt.date(2027, 3, 31),
        "mars 2027",
        "moved",
    )
    services.deadlines_sweep(dt.date(2027, 7, 2))
    assert list(
        DeadlineAlert.objects.filter(milestone=milestone, kind="overdue").values_list(
            "deadline", "due_text"
        )
    ) == [(dt.date(2027, 6, 30), "juin 2027")]
    # Even a write around the services (a raw UPDATE) is caught by the sweep, which closes
    # the alert of what is now done.
    Milestone.objects.filter(pk=milestone.pk).update(
        status="done", progress=100, completed_on=dt.date(2027, 7, 1)
    )
    result = services.deadlines_sweep(dt.date(2027, 7, 3))
    assert Milestone.objects.get(pk=milestone.pk).health == "done"
    assert result.new_alerts == []
    assert not DeadlineAlert.objects.filter(milestone=milestone, resolved_at__isnull=True).exists()
    assert DeadlineAlert.objects.get(milestone=milestone, kind="overdue").resolution == "closed"


def test_two_sweeps_at_once_create_each_alert_once(transactional_db: None) -> None:
    late = [milestone_due("mars 2027", dt.date(2026, 1, 1)) for _ in range(40)]
    results = at_once(lambda: services.deadlines_sweep(dt.date(2027, 4, 2)), 2)
    created = [pk for result in results for pk in result.new_alerts]
    assert (
        len(created)
        == len(set(created))
        == DeadlineAlert.objects.filter(milestone__in=late).count()
        == 40
    )


def test_check_deadlines_prints_what_changed() -> None:
    from io import StringIO

    milestone_due("mars 2027", dt.date(2026, 1, 1))
    out = StringIO()
    call_command("check_deadlines", "--today", "2027-04-02", stdout=out)
    assert "1 new alert(s)" in out.getvalue() and "sans nouvelles" in out.getvalue()
    out = StringIO()
    call_command("check_deadlines", "--today", "2027-04-02", stdout=out)
    assert "0 new alert(s)" in out.getvalue()


def test_beat_schedules_the_sweep_and_a_real_worker_runs_it(transactional_db: None) -> None:
    from django.conf import settings

    celery_app.finalize()
    entry = celery_app.conf.beat_schedule["sweep-deadlines"]
    assert (entry["task"], entry["schedule"]) == (
        "initiatives.sweep_deadlines",
        settings.SWEEP_MINUTES * 60,
    )
    late = milestone_due("2020", dt.date(2020, 1, 1))  # stored as undated: the sweep moves it
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # The sweep keeps no result: the worker's work is read from the database.
        sweep_deadlines.delay()
        wait = time.monotonic() + 30
        while not DeadlineAlert.objects.filter(milestone=late).exists() and time.monotonic() < wait:
            time.sleep(0.2)
    assert Milestone.objects.get(pk=late.pk).health == "no_news"
    assert DeadlineAlert.objects.filter(milestone=late, kind="no_news").count() == 1

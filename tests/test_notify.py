"""Alerts reach the coordinators by email, once, through a real worker on Redis."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from initiatives import services
from initiatives.models import DeadlineAlert, Notification, Workstream
from initiatives.tasks import notify_alert
from sovereignty import celery_app

from . import factories
from .factories import MilestoneFactory, WorkstreamFactory
from .processes import wait_until_broker_idle

MISSION = "plan-cloud-souverain"  # of factories.document()
TODAY = dt.date(2026, 11, 23)


def two_coordinators() -> list[object]:
    User = get_user_model()
    return [
        User.objects.create_user("claire", email="claire@numerique.gouv.fr", first_name="Claire"),
        User.objects.create_user("paul", email="paul@numerique.gouv.fr"),
    ]


def coordinate_everything() -> list[str]:
    """Two coordinators on every workstream of the mission; their emails."""
    people = two_coordinators()
    for workstream in Workstream.objects.filter(mission__key=MISSION):
        workstream.coordinators.add(*people)
    return [p.email for p in people]


def a_late_milestone_coordinated() -> list[str]:
    """A milestone of a workstream with two coordinators, last swept before its deadline
    passed (the next sweep alerts); their emails."""
    people = two_coordinators()
    MilestoneFactory(
        workstream=WorkstreamFactory(coordinators=people),
        due="juin 2026",
        read_on=dt.date(2025, 6, 1),
        health="on_track",
    )
    return [p.email for p in people]


@pytest.mark.django_db
def test_a_notify_delivered_twice_sends_one_email() -> None:
    emails = a_late_milestone_coordinated()
    services.deadlines_sweep(TODAY)
    alert = DeadlineAlert.objects.get()
    assert services.notify_alert(alert.pk) == 2
    assert services.notify_alert(alert.pk) == 0  # redelivered: claimed already
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == emails
    # The subject says what the alert is about: a late planned milestone with nothing said
    # since asks for news.
    subject = {
        "overdue": "En retard :",
        "no_news": "Donnez des nouvelles :",
        "due_soon": "Bientôt dû :",
    }
    assert message.subject == f"{subject[alert.kind]} {alert.milestone.title}"
    assert alert.milestone.title in message.body and "/modifier/" in message.body
    assert DeadlineAlert.objects.get(pk=alert.pk).notified_at is not None


@pytest.mark.django_db
def test_a_failed_send_leaves_the_alert_to_send_again(settings: object) -> None:
    a_late_milestone_coordinated()
    services.deadlines_sweep(TODAY)
    alert = DeadlineAlert.objects.get()
    # A mail server that refuses connections (nothing listens on port 1).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # type: ignore[attr-defined]
    with pytest.raises(OSError):
        services.notify_alert(alert.pk)
    assert DeadlineAlert.objects.get(pk=alert.pk).notified_at is None


def test_the_sweep_enqueues_the_imports_alerts_that_a_real_worker_sends(
    transactional_db: None, tmp_path: Path
) -> None:
    from initiatives import importing

    # The document's two milestones, late by TODAY: one of its workstream, one of the
    # mission as a whole (which nobody coordinates).
    doc = factories.document()
    (workstream,) = doc["missions"][0]["workstreams"]
    doc["missions"][0]["milestones"] = [workstream["milestones"].pop()]
    importing.import_paths([factories.write_document(tmp_path, doc)], today=TODAY)
    emails = coordinate_everything()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = services.deadlines_sweep(TODAY)  # commits: tasks go on commit
        ours = DeadlineAlert.objects.filter(milestone__workstream__mission__key=MISSION).count()
        deadline = time.monotonic() + 30
        while len(mail.outbox) < ours and time.monotonic() < deadline:
            time.sleep(0.2)
        # A second sweep, and the same task delivered again: nothing more.
        again = services.deadlines_sweep(TODAY)
        notify_alert.delay(DeadlineAlert.objects.first().pk)
        wait_until_broker_idle(settings.CELERY_BROKER_URL)
    assert (result.new_alerts, again.new_alerts) == ([], [])  # the import recorded them
    assert len(mail.outbox) == ours > 0
    assert all(sorted(m.to) == emails for m in mail.outbox)
    assert not DeadlineAlert.objects.filter(
        milestone__workstream__mission__key=MISSION, notified_at__isnull=True
    ).exists()
    # Alerts of milestones nobody coordinates are claimed too: no mail, no bell, and no
    # task left to send them again.
    others = DeadlineAlert.objects.exclude(milestone__workstream__mission__key=MISSION).filter(
        resolved_at__isnull=True
    )
    assert others.exists()
    assert not others.filter(notified_at__isnull=True).exists()
    assert not Notification.objects.filter(alert__in=others).exists()

"""The daily digest: per coordinator, what is overdue and due soon, once a day."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from django.conf import settings

from initiatives import selectors, services
from initiatives.models import DigestDelivery, Milestone, Workstream
from sovereignty import celery_app

from . import factories
from .conftest import FIXTURES
from .processes import wait_until_broker_idle
from .test_sweep import milestone_due

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def coordinator(db: None) -> object:
    """Coordinates the workstream "Axe" of a mission with one milestone of each health."""
    person = factories.user("claire")
    overdue = milestone_due("30 septembre 2026", TODAY)
    # In progress past its window: overdue. (Planned and never spoken of, it would be
    # "deadline passed, no news", like the next one.)
    Milestone.objects.filter(pk=overdue.pk).update(status="in_progress", progress=40)
    silent = milestone_due("31 octobre 2026", TODAY)
    soon = milestone_due("10 décembre 2026", TODAY)
    later = milestone_due("2028", TODAY)
    done = milestone_due("1 octobre 2026", TODAY)
    Milestone.objects.filter(pk=done.pk).update(status="done", progress=100, completed_on=TODAY)
    overdue.workstream.coordinators.add(person)
    # Someone else's workstream: not in Claire's digest.
    other = Workstream.objects.create(
        mission=overdue.mission, key="autre", position=2, title="Autre axe"
    )
    elsewhere = milestone_due("2020", TODAY)
    Milestone.objects.filter(pk=elsewhere.pk).update(workstream=other, title="Ailleurs")
    person.expected = ([overdue.title], [silent.title], [soon.title], later)  # type: ignore[attr-defined]
    return person


@pytest.mark.django_db
def test_the_digest_lists_overdue_then_no_news_then_due_soon_of_ones_workstreams(
    coordinator, mailoutbox
) -> None:
    overdue_titles, silent_titles, soon_titles, _ = coordinator.expected
    digest = selectors.digest_for(coordinator, TODAY)
    assert [m.title for m in digest.overdue] == overdue_titles
    assert [m.title for m in digest.no_news] == silent_titles
    assert [m.title for m in digest.due_soon] == soon_titles
    assert services.send_digest(coordinator.pk, TODAY) == 3
    (message,) = mailoutbox
    assert message.to == [coordinator.email]
    assert message.subject == (
        "Vos échéances du 23 novembre 2026 — en retard : 1, sans nouvelles : 1, bientôt dus : 1"
    )
    body = message.body
    assert "EN RETARD : 1 jalon" in body and "BIENTÔT DÛ : 1 jalon" in body
    # The third section asks for news of what passed its deadline with nothing said since.
    assert "SANS NOUVELLES DEPUIS L’ÉCHÉANCE : 1 jalon" in body
    assert "donnez des nouvelles de chacun" in body
    assert body.index(overdue_titles[0]) < body.index(silent_titles[0]) < body.index(soon_titles[0])
    assert "Ailleurs" not in body and "2028" not in body
    assert "/notifications/" in body and "/modifier/" in body
    # The delivery counts overdue and due soon only (it has no column for the others).
    delivery = DigestDelivery.objects.get(user=coordinator)
    assert (delivery.overdue, delivery.due_soon) == (1, 1)


@pytest.mark.django_db
def test_milestones_without_news_alone_make_a_digest(db: None, mailoutbox) -> None:
    person = factories.user("silencieux")
    milestone_due("31 octobre 2026", TODAY).workstream.coordinators.add(person)
    assert selectors.digest_recipients(TODAY) == [person.pk]
    assert services.send_digest(person.pk, TODAY) == 1
    (message,) = mailoutbox
    assert "SANS NOUVELLES DEPUIS L’ÉCHÉANCE : 1 jalon" in message.body
    assert "EN RETARD" not in message.body and "BIENTÔT" not in message.body


@pytest.mark.django_db
def test_a_digest_goes_out_once_a_day(coordinator, mailoutbox) -> None:
    assert services.send_digest(coordinator.pk, TODAY) == 3
    assert services.send_digest(coordinator.pk, TODAY) == 0  # beat twice, or redelivered
    assert len(mailoutbox) == 1
    assert services.send_digest(coordinator.pk, TODAY + dt.timedelta(days=1)) == 3
    assert len(mailoutbox) == 2
    assert DigestDelivery.objects.filter(user=coordinator).count() == 2


@pytest.mark.django_db
def test_nothing_late_means_no_digest(db: None, mailoutbox) -> None:
    person = factories.user("serein")
    milestone_due("2030", TODAY).workstream.coordinators.add(person)
    assert selectors.digest_recipients(TODAY) == []
    assert services.send_digest(person.pk, TODAY) == 0
    assert mailoutbox == [] and not DigestDelivery.objects.exists()


@pytest.mark.django_db
def test_a_failed_send_leaves_the_digest_to_send_again(coordinator, settings, mailoutbox) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(OSError):
        services.send_digest(coordinator.pk, TODAY)
    assert not DigestDelivery.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_digest(coordinator.pk, TODAY) == 3


def test_beat_sends_the_digest_at_eight_paris_time() -> None:
    celery_app.finalize()
    entry = celery_app.conf.beat_schedule["daily-digest"]
    assert entry["task"] == "initiatives.send_digests"
    assert entry["schedule"] == crontab(hour=8, minute=0)
    assert celery_app.conf.timezone == "Europe/Paris"


def test_the_digest_runs_through_a_real_worker(transactional_db: None, mailoutbox) -> None:
    from initiatives import importing

    importing.import_paths([FIXTURES])
    people = [factories.user("claire"), factories.user("paul")]
    for workstream in Workstream.objects.filter(mission__key="mission-numerique-grands-groupes"):
        workstream.coordinators.add(*people)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert services.send_digests(TODAY) == 2  # enqueued when this (autocommit) returns
        deadline = time.monotonic() + 30
        while DigestDelivery.objects.count() < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert services.send_digests(TODAY) == 2  # beat again: enqueued, sends nothing
        wait_until_broker_idle(settings.CELERY_BROKER_URL)
    # (The import's own alerts went out too, by the same worker.)
    digests = [m for m in mailoutbox if m.subject.startswith("Vos échéances")]
    assert sorted(m.to[0] for m in digests) == ["claire@example.org", "paul@example.org"]
    assert DigestDelivery.objects.count() == 2

"""Faults, with real processes: a worker killed mid-task, Redis stopped or paused under a
coordinator's edit, PostgreSQL restarted under the web server. Nothing is lost, nothing is
sent twice, no request fails."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import time
from pathlib import Path

import pytest
import requests
from django.test import Client

from initiatives.models import DeadlineAlert, Milestone, Notification

from . import factories
from .conftest import REPORT
from .factories import MilestoneFactory, WorkstreamFactory
from .processes import (
    PostgresServer,
    RedisServer,
    celery_worker,
    environment,
    gunicorn,
    manage,
    sent_mails,
    wait_for,
    wait_until_broker_idle,
)

MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
)


@pytest.fixture
def redis_server() -> RedisServer:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def coordinator(transactional_db: None) -> object:
    """Claire, coordinator of a workstream with a milestone far off (committed: the
    processes a test starts see it)."""
    person = factories.user("claire")
    MilestoneFactory(
        workstream=WorkstreamFactory(coordinators=[person]), due="en 2030", read_on=dt.date.today()
    )
    return person


def mail_env(redis: RedisServer, outbox: Path, **extra: str) -> dict[str, str]:
    return environment(
        redis.url,
        # Four slashes: django-environ drops the first of an absolute path.
        EMAIL_URL=f"filemail:///{outbox}",
        EMAIL_BACKEND="tests.gated_mail.EmailBackend",
        **extra,
    )


def test_a_worker_killed_mid_notification_sends_it_once_when_delivered_again(
    coordinator: object, redis_server: RedisServer, tmp_path: Path
) -> None:
    outbox, gate = tmp_path / "outbox", tmp_path / "gate"
    outbox.mkdir()
    gate.touch()  # the first send stops inside the mail backend
    env = mail_env(redis_server, outbox, MAIL_GATE=str(gate))
    alert = DeadlineAlert.objects.create(
        milestone=Milestone.objects.get(),
        kind="overdue",
        deadline=dt.date(2021, 12, 31),
    )
    with celery_worker(env, log=tmp_path / "worker.log") as worker:
        manage(
            env,
            "shell",
            "-c",
            f"from initiatives.tasks import notify_alert; notify_alert.delay({alert.pk})",
        )
        reached = Path(f"{gate}.reached")
        # The backend creates the file, then writes its pid: wait for the pid, not the file.
        pid = wait_for(
            lambda: reached.exists() and reached.read_text().strip(),
            60,
            "the task to reach the mail server",
        )
        child = int(pid)
        assert child != worker.pid  # the pool's child, mid-transaction, alert claimed
        os.kill(child, signal.SIGKILL)
        reached.unlink()
        gate.unlink()  # the mail server answers again
        # The parent requeues the message (task_reject_on_worker_lost); a new child runs it.
        wait_for(lambda: sent_mails(outbox), 60, "the redelivered task to send")
        wait_until_broker_idle(redis_server.url)  # a duplicate, were there one, has run
    mails = sent_mails(outbox)
    assert len(mails) == 1 and mails[0].count("Subject:") == 1
    assert DeadlineAlert.objects.get(pk=alert.pk).notified_at is not None
    assert Notification.objects.filter(alert=alert).count() == 1


def in_ten_days() -> str:
    day = dt.date.today() + dt.timedelta(days=10)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@pytest.mark.parametrize("fault", ["stopped", "paused"])
def test_an_edit_is_answered_while_redis_is_away_and_the_next_sweep_sends_once(
    coordinator: object, redis_server: RedisServer, tmp_path: Path, fault: str
) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = mail_env(redis_server, outbox)
    # Far off, then brought within the horizon by the edit: due soon, an alert to send.
    milestone = Milestone.objects.get()
    assert (milestone.status, milestone.health, milestone.due_end) == (
        "planned",
        "on_track",
        dt.date(2030, 12, 31),
    )
    assert not DeadlineAlert.objects.exists()
    django_client = Client()
    django_client.force_login(coordinator)
    with gunicorn(env) as base:
        browser = requests.Session()
        browser.cookies.set("sessionid", django_client.cookies["sessionid"].value)
        form = browser.get(f"{base}/jalons/{milestone.pk}/modifier/", timeout=10)
        assert form.status_code == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)

        redis_server.stop() if fault == "stopped" else redis_server.pause()
        started = time.monotonic()
        answer = browser.post(
            f"{base}/jalons/{milestone.pk}/modifier/",
            data={
                "csrfmiddlewaretoken": token,
                "status": "in_progress",
                "progress": "60",
                "completed_on": "",
                "due_text": in_ten_days(),
                "comment": "",
                "version": milestone.version,
            },
            headers={"HX-Request": "true", "Referer": form.url},
            timeout=30,
        )
        elapsed = time.monotonic() - started
    REPORT.append(f"edit with Redis {fault}: answered {answer.status_code} in {elapsed:.2f} s")
    assert answer.status_code == 200, answer.text[:500]
    assert elapsed < 3
    milestone.refresh_from_db()
    assert (milestone.progress, milestone.health) == (60, "due_soon")  # committed
    alert = DeadlineAlert.objects.get(milestone=milestone, kind="due_soon")
    assert alert.notified_at is None  # recorded, not yet sent

    redis_server.start() if fault == "stopped" else redis_server.resume()
    with celery_worker(env):
        manage(env, "check_deadlines")  # the next sweep
        wait_for(
            lambda: DeadlineAlert.objects.filter(pk=alert.pk, notified_at__isnull=False).exists(),
            60,
            "the alert to be sent",
        )
        manage(env, "check_deadlines")  # and the one after: nothing more
        wait_until_broker_idle(redis_server.url)
    about = [m for m in sent_mails(outbox) if f"/jalons/{milestone.pk}/modifier/" in m]
    assert len(about) == 1


def test_no_request_fails_after_postgresql_restarts(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """gunicorn's persistent connections die with the server: the next requests reconnect
    (CONN_HEALTH_CHECKS) instead of failing. On a PostgreSQL of this test's own, never the
    machine's shared one."""
    database = PostgresServer()
    database.start()
    try:
        env = environment(redis_server.url, DATABASE_URL=database.url)
        manage(env, "migrate", "--noinput")
        factories.write_document(tmp_path, factories.document())
        manage(env, "import_initiatives", str(tmp_path))
        pages = ["/healthz", "/", "/missions/", "/missions/plan-cloud-souverain/"]
        with gunicorn(env) as base:
            session = requests.Session()
            for page in pages:  # persistent connections are open now
                assert session.get(base + page, timeout=10).status_code == 200
            database.restart()
            statuses = [
                session.get(base + pages[i % len(pages)], timeout=10).status_code
                for i in range(100)
            ]
    finally:
        database.stop()
    failed = [s for s in statuses if s != 200]
    REPORT.append(f"after a PostgreSQL restart: {100 - len(failed)}/100 requests answered 200")
    assert failed == []

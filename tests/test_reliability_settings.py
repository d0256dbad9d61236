"""The Celery and database settings that keep tasks and requests alive through faults."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from initiatives import tasks
from sovereignty import celery_app

from .test_settings import settings_of


def our_tasks() -> list[object]:
    celery_app.finalize()
    return [task for name, task in celery_app.tasks.items() if name.startswith("initiatives.")]


def test_messages_outlive_every_task_so_none_runs_twice_while_running() -> None:
    conf = celery_app.conf
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert our_tasks()
    for task in our_tasks():
        hard_limit = task.time_limit or conf.task_time_limit
        assert hard_limit and hard_limit < visibility, task.name
        # A retry waits at most retry_backoff_max (backoff), or default_retry_delay.
        longest_wait = (
            task.retry_backoff_max
            if getattr(task, "retry_backoff", False)
            else task.default_retry_delay
        )
        assert hard_limit + longest_wait < visibility, task.name
    # The beat-driven tasks come back sooner than a message could reappear.
    assert settings.SWEEP_MINUTES * 60 < visibility


def test_delivery_is_at_least_once_and_effects_are_claimed() -> None:
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True  # a killed child's task is requeued
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    # Retries for transient errors only, with backoff.
    for task in (tasks.notify_alert, tasks.send_digest):
        assert set(task.autoretry_for) == {OSError, __import__("smtplib").SMTPException}
        assert task.retry_backoff and task.max_retries == 5


def test_publishing_fails_fast_when_redis_is_away() -> None:
    options = celery_app.conf.broker_transport_options
    assert options["socket_timeout"] <= 1 and options["socket_connect_timeout"] <= 1
    policy = celery_app.conf.task_publish_retry_policy
    # Worst case for one .delay(): each try waits a socket timeout, then the interval.
    tries = policy["max_retries"] + 1
    worst = tries * options["socket_timeout"] + policy["max_retries"] * policy["interval_max"]
    assert worst < 2
    assert all(task.ignore_result for task in our_tasks() if task.name != "initiatives.heartbeat")


def test_database_connections_are_checked_after_a_restart() -> None:
    db = settings.DATABASES["default"]
    assert db["CONN_HEALTH_CHECKS"] is True
    assert 0 < db["CONN_MAX_AGE"] <= 600


def test_the_schedule_reads_the_environment(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from sovereignty.celery_app import app; app.finalize();"
        "s = app.conf.beat_schedule;"
        "print(s['sweep-deadlines']['schedule'], s['daily-digest']['schedule'])"
    )
    done = settings_of(tmp_path, code, DEBUG="1", SWEEP_MINUTES="5", DIGEST_TIME="07:30")
    assert done.returncode == 0, done.stderr
    assert "300.0" in done.stdout and "<crontab: 30 7 * * *" in done.stdout
    bad = settings_of(tmp_path, DEBUG="1", DIGEST_TIME="huit heures")
    assert bad.returncode != 0 and "DIGEST_TIME must read HH:MM" in bad.stderr

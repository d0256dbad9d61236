"""Celery: a real worker on the real Redis broker runs our tasks."""

from __future__ import annotations

from celery.contrib.testing.worker import start_worker
from django.conf import settings

from initiatives.tasks import heartbeat
from sovereignty import celery_app


def test_worker_on_redis_runs_the_heartbeat_round_trip(transactional_db: None) -> None:
    assert celery_app.conf.broker_url == settings.REDIS_URL
    # A real worker thread consuming from Redis; the task touches the real database.
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = heartbeat.delay()
        assert result.get(timeout=30) == "ok"
        assert result.state == "SUCCESS"


def test_beat_schedules_the_heartbeat() -> None:
    celery_app.finalize()
    entry = celery_app.conf.beat_schedule["heartbeat"]
    assert entry["task"] == "initiatives.heartbeat"
    assert entry["schedule"] == settings.HEARTBEAT_SECONDS


def test_only_json_crosses_the_broker() -> None:
    # Pickle would let whoever can write to the broker run code in the worker.
    assert celery_app.conf.accept_content == ["json"]
    assert celery_app.conf.task_serializer == celery_app.conf.result_serializer == "json"

"""Celery tasks: a few lines each; the rules they run live in services.

No task keeps a result (ignore_result): nothing reads them, and a result backend that is
away must not slow down the request that enqueues. Tasks import services; services enqueue
tasks by name (services.enqueue_on_commit; the names are services.NOTIFY_ALERT_TASK and
SEND_DIGEST_TASK) and never import this module."""

import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.db import connection

from . import auth, services

logger = logging.getLogger(__name__)

# Transient failures only, retried with backoff: the mail server or the network. Anything
# else is a bug, and retrying it would only repeat it. The broker's visibility timeout must
# stay longer than the longest backoff (tests/test_settings.py checks it).
TRANSIENT = (OSError, smtplib.SMTPException)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="initiatives.heartbeat")
def heartbeat() -> str:
    """Beat's pulse: proves beat, broker and worker are wired, and that the worker reaches
    the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    logger.info("heartbeat: worker alive, database reachable")
    return "ok"


@shared_task(name="initiatives.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> dict[str, int]:
    """Beat's deadline sweep (every SWEEP_MINUTES): services.deadlines_sweep, as of today."""
    result = services.deadlines_sweep()
    logger.info(
        "sweep: %s health changes, %s new alerts", result.health_changed, len(result.new_alerts)
    )
    return {"health_changed": result.health_changed, "new_alerts": len(result.new_alerts)}


@shared_task(name=services.NOTIFY_ALERT_TASK, ignore_result=True, **RETRY)
def notify_alert(alert_id: int) -> int:
    """Tell the coordinators of one deadline alert, once (see services.notify_alert)."""
    return services.notify_alert(alert_id)


@shared_task(name="initiatives.notify_followers", ignore_result=True)
def notify_followers() -> int:
    """Beat's followers' pass (at the bell's pace, BELL_POLL_SECONDS): people's changes told
    to the followers of their missions, once (see services.notify_followers). Nothing to
    retry: a failed pass leaves its changes untold, and the next tick tells them."""
    told = services.notify_followers()
    if told:
        logger.info("followers: %s notifications", told)
    return told


@shared_task(name="initiatives.send_digests", ignore_result=True)
def send_digests() -> int:
    """Beat's daily digest (DIGEST_TIME, Europe/Paris): one task per coordinator or follower
    with something to read."""
    count = services.send_digests()
    logger.info("digest: %s people to write to", count)
    return count


@shared_task(name=services.SEND_DIGEST_TASK, ignore_result=True, **RETRY)
def send_digest(user_id: int, day: str) -> int:
    """One person's digest for one day, once (see services.send_digest)."""
    return services.send_digest(user_id, dt.date.fromisoformat(day))


@shared_task(name="initiatives.forget_old_logins", ignore_result=True)
def forget_old_logins() -> int:
    """Beat's nightly pass: successful-login records past their retention (auth.py)."""
    return auth.forget_old_logins()

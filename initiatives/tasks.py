"""Celery tasks: a few lines each; the rules they run live in services.py."""

import logging
import smtplib

from celery import shared_task
from django.db import connection

logger = logging.getLogger(__name__)


@shared_task(name="initiatives.heartbeat")
def heartbeat() -> str:
    """Beat's pulse until the deadline sweep lands: proves beat, broker and worker are wired,
    and that the worker reaches the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    logger.info("heartbeat: worker alive, database reachable")
    return "ok"


@shared_task(name="initiatives.sweep_deadlines")
def sweep_deadlines() -> dict[str, int]:
    """Beat's deadline sweep (every SWEEP_MINUTES): services.deadlines_sweep, as of today."""
    from . import services

    result = services.deadlines_sweep()
    logger.info(
        "sweep: %s health changes, %s new alerts", result.health_changed, len(result.new_alerts)
    )
    return {"health_changed": result.health_changed, "new_alerts": len(result.new_alerts)}


@shared_task(
    name="initiatives.notify_alert",
    # Transient failures only: the mail server or the network. Anything else is a bug.
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def notify_alert(alert_id: int) -> int:
    """Email one deadline alert to its coordinators, once (see services.notify_alert)."""
    from . import services

    return services.notify_alert(alert_id)

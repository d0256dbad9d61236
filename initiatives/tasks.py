"""Celery tasks: a few lines each; the rules they run live in services.py."""

import logging

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

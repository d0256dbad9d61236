"""The Celery application: configured from Django settings (CELERY_* names).

The schedule lives here, in code, read from the environment (SWEEP_MINUTES, DIGEST_TIME)
rather than in the database with django-celery-beat: it is operations' configuration, set
per deployment like the rest, and every job stays harmless if run twice (alerts are unique
in the database, a digest is claimed per user and day, a change told to followers is
claimed in the history). Run exactly one beat process anyway:
two beats send every tick twice."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sovereignty.settings")

app = Celery("sovereignty")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule(sender: Celery, **_: object) -> None:
    # Imported late: settings are only readable once the app is finalized.
    from django.conf import settings

    sender.add_periodic_task(
        settings.HEARTBEAT_SECONDS, sender.signature("initiatives.heartbeat"), name="heartbeat"
    )
    sender.add_periodic_task(
        settings.SWEEP_MINUTES * 60,
        sender.signature("initiatives.sweep_deadlines"),
        name="sweep-deadlines",
    )
    # A change reaches its followers' bells at the pace the bells ask for their count.
    sender.add_periodic_task(
        settings.BELL_POLL_SECONDS,
        sender.signature("initiatives.notify_followers"),
        name="notify-followers",
    )
    hour, minute = settings.DIGEST_TIME
    # In CELERY_TIMEZONE (Europe/Paris): 08:00 stays 08:00 across daylight saving.
    sender.add_periodic_task(
        crontab(hour=hour, minute=minute),
        sender.signature("initiatives.send_digests"),
        name="daily-digest",
    )
    sender.add_periodic_task(
        crontab(hour=3, minute=30),
        sender.signature("initiatives.forget_old_logins"),
        name="forget-old-logins",
    )

"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

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
    # The deadline sweep; harmless if two beats ever ran (alerts are unique in the database).
    sender.add_periodic_task(
        settings.SWEEP_MINUTES * 60,
        sender.signature("initiatives.sweep_deadlines"),
        name="sweep-deadlines",
    )

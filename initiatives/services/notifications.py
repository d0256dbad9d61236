"""Notifications: an alert told to its coordinators (a notification under each one's bell,
an email) and to the followers of its mission (under their bells), the bell's notifications
marked read, the daily digest; and how work is handed to the worker.

Tasks are enqueued by name, after commit (enqueue_on_commit): services never import
initiatives.tasks, which imports them."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .. import dates, selectors
from ..models import DeadlineAlert, DigestDelivery, Notification

logger = logging.getLogger("initiatives.services")  # the name it logged under before the split

# The names of the tasks enqueued here: initiatives/tasks.py declares its tasks under them.
NOTIFY_ALERT_TASK = "initiatives.notify_alert"
SEND_DIGEST_TASK = "initiatives.send_digest"


def notify_alert(alert_id: int) -> int:
    """Tell the coordinators of an alert's workstream, once: a notification under each one's
    bell, and an email to those with an address. The followers of its mission get it under
    their bells too (one notification each, a coordinator who follows included), with no
    email: the email asks the coordinators to act.

    The alert is claimed by a compare-and-swap (notified_at: null → now) in the transaction
    that writes the notifications and sends the mail: a task delivered twice finds it claimed
    and does nothing; a send that fails rolls everything back, so the retry does it all.
    Returns the number of emails sent."""
    with transaction.atomic():
        # An alert that closed before its turn came says nothing any more.
        claimed = DeadlineAlert.objects.filter(
            pk=alert_id, notified_at__isnull=True, resolved_at__isnull=True
        ).update(notified_at=timezone.now())
        if not claimed:
            return 0
        alert = DeadlineAlert.objects.select_related(
            "milestone__mission", "milestone__workstream"
        ).get(pk=alert_id)
        milestone = alert.milestone
        coordinators = (
            list(workstream.coordinators.filter(is_active=True).order_by("pk"))
            if (workstream := milestone.workstream) is not None  # fetched with the alert
            else []
        )
        followers = list(
            get_user_model()
            .objects.filter(follows__mission_id=milestone.mission_id, is_active=True)
            .exclude(pk__in=[user.pk for user in coordinators])
            .order_by("pk")
        )
        Notification.objects.bulk_create(
            [Notification(user=user, alert=alert) for user in [*coordinators, *followers]],
            ignore_conflicts=True,
        )
        recipients = sorted({user.email for user in coordinators if user.email})
        if recipients:
            subjects: dict[str, str] = {
                DeadlineAlert.Kind.OVERDUE: gettext_noop("Overdue: %(title)s"),
                DeadlineAlert.Kind.NO_NEWS: gettext_noop("News wanted: %(title)s"),
            }
            subject = subjects.get(alert.kind, gettext_noop("Due soon: %(title)s"))
            send_french_mail(
                subject,
                {"title": milestone.title},
                "emails/deadline_alert.txt",
                {"alert": alert, "milestone": milestone},
                recipients,
            )
    return len(recipients)


def send_french_mail(
    subject: str,
    subject_values: dict[str, Any],
    template: str,
    context: dict[str, Any],
    recipients: list[str],
) -> None:
    """Render a mail in the site's language (French) and send it; errors are the caller's.
    `subject` is a msgid, translated here with its %-values."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _(subject) % subject_values
        body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    send_mail(" ".join(subject.split())[:200], body, settings.DEFAULT_FROM_EMAIL, recipients)


def enqueue_notifications(alert_ids: list[int]) -> None:
    """After commit, one notify task per alert (see enqueue_on_commit)."""
    enqueue_on_commit(NOTIFY_ALERT_TASK, [(alert_id,) for alert_id in alert_ids])


def enqueue_on_commit(task_name: str, calls: list[tuple[Any, ...]]) -> None:
    """After the transaction commits, one task named `task_name` per tuple of arguments: a
    rolled-back transaction enqueues nothing. A broker that is away costs the bounded publish
    retry of the settings, then is logged, never raised: what was to be sent stays recorded
    in the database, and the next sweep or digest run sends it.

    By name, as beat sends its own: the web process need not import the tasks, and services
    never import initiatives.tasks (which imports them). No result is kept, as the tasks say
    (ignore_result): a result backend that is away must not slow down the request."""

    def send() -> None:
        for args in calls:
            try:
                current_app.send_task(task_name, args=args, ignore_result=True)
            except Exception:
                logger.warning(
                    "could not enqueue %s%s: the broker is unreachable",
                    task_name,
                    args,
                    exc_info=True,
                )
                return  # the others would wait for the same broker: the sweep catches up

    if calls:
        transaction.on_commit(send)


def mark_notifications_read(user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark `user`'s unread notifications read: those of `ids`, or all of them. Only their
    own: another user's ids mark nothing. One UPDATE; returns how many were marked."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def send_digests(today: dt.date | None = None) -> int:
    """Enqueue, on commit, one digest per coordinator who has something overdue, past its
    deadline with no news, or due soon, and per follower of a mission changed yesterday.
    Returns how many."""
    today = today or timezone.localdate()
    users = selectors.digest_recipients(today)
    enqueue_on_commit(SEND_DIGEST_TASK, [(user_id, today.isoformat()) for user_id in users])
    return len(users)


def send_digest(user_id: int, day: dt.date) -> int:
    """Email `user_id` the day's digest: what is overdue, what passed its deadline with no
    news, and what is due soon in the workstreams they coordinate; what people changed
    yesterday in the missions they follow. Once per user and day: the delivery row is
    claimed (a unique insert) in the transaction that sends, so a second run finds it and a
    failed send leaves nothing. Returns the number of milestones and changes listed (0:
    nothing sent)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    digest = selectors.digest_for(user, day)
    if not digest:
        return 0
    with transaction.atomic():
        try:
            with transaction.atomic():
                # The delivery counts overdue and due soon milestones; those past their
                # deadline with no news are in the mail, in neither count (no column yet).
                DigestDelivery.objects.create(
                    user=user, day=day, overdue=len(digest.overdue), due_soon=len(digest.due_soon)
                )
        except IntegrityError:
            return 0  # already sent today
        deadlines = len(digest.overdue) + len(digest.no_news) + len(digest.due_soon)
        if deadlines:
            subject = gettext_noop(
                "Your deadlines on %(day)s: %(overdue)s overdue, %(no_news)s without news, %(due_soon)s due soon"
            )
        else:  # a follower's digest: yesterday's changes only
            subject = gettext_noop("Missions you follow, changes of %(yesterday)s: %(changes)s")
        send_french_mail(
            subject,
            {
                "day": dates.day(day, settings.LANGUAGE_CODE),
                "yesterday": dates.day(day - dt.timedelta(days=1), settings.LANGUAGE_CODE),
                "overdue": len(digest.overdue),
                "no_news": len(digest.no_news),
                "due_soon": len(digest.due_soon),
                "changes": len(digest.followed),
            },
            "emails/digest.txt",
            {
                "user": user,
                "day": day,
                "sections": _digest_sections(digest),
                "deadlines": deadlines,
                "followed": digest.followed[:DIGEST_LINES],
                "followed_total": len(digest.followed),
                "followed_more": max(0, len(digest.followed) - DIGEST_LINES),
            },
            [user.email],
        )
    return deadlines + len(digest.followed)


# A digest lists this many milestones per section, then says how many more there are.
DIGEST_LINES = 30


def _digest_sections(digest: Any) -> list[dict[str, Any]]:
    """Each part of a digest: its kind, the milestones listed, how many more, in all."""
    return [
        {
            "kind": kind,
            "listed": rows[:DIGEST_LINES],
            "more": max(0, len(rows) - DIGEST_LINES),
            "total": len(rows),
        }
        for kind, rows in (
            ("overdue", digest.overdue),
            ("no_news", digest.no_news),
            ("due_soon", digest.due_soon),
        )
    ]

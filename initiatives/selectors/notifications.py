"""Notifications and digests: the bell's count, a user's notifications, the daily digest
(the coordinators' deadlines, the followers' changes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..models import Milestone
from .follows import FollowedChange, describe_changes
from .health import health_filters, with_current_health


def unread_notifications(user: Any) -> int:
    """The bell's count: one indexed count. An alert that closed itself (the milestone was
    done, its deadline moved, news was given) asks nothing of anyone any more: its
    notification no longer counts, read or not; a followed change has no alert (the outer
    join reads no resolution) and counts until read. The user's unread rows come from the
    partial index, each joined to its alert by primary key."""
    from ..models import Notification

    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(
        user=user, read_at__isnull=True, alert__resolved_at__isnull=True
    ).count()


def notifications_of(user: Any) -> QuerySet[Any]:
    """A user's own notifications, newest first, with what they are about."""
    from ..models import Notification

    return Notification.objects.filter(user=user).select_related(
        "alert__milestone__mission", "alert__milestone__workstream", "change__actor"
    )


@dataclass(frozen=True)
class Digest:
    overdue: list[Milestone]
    due_soon: list[Milestone]
    # Past their window, still planned, nothing said since: the digest asks for news.
    no_news: list[Milestone] = field(default_factory=list)
    # Yesterday's changes to the missions the user follows, as their bell told them.
    followed: list[FollowedChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due_soon or self.no_news or self.followed)


# What a digest is about: overdue, "deadline passed, no news" and due soon milestones.
_DIGESTED = (Milestone.Health.OVERDUE, Milestone.Health.NO_NEWS, Milestone.Health.DUE_SOON)


def _digested(today: dt.date) -> Q:
    filters = health_filters(today)
    return filters[_DIGESTED[0]] | filters[_DIGESTED[1]] | filters[_DIGESTED[2]]


def _yesterday(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day before `today`, from midnight to midnight in the site's time zone: each change
    falls in one such day, so it is in one digest, whenever and however often it runs."""
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time()))
    return start, timezone.make_aware(dt.datetime.combine(today, dt.time()))


def _followed_changes(today: dt.date) -> QuerySet[Any]:
    """The notifications of changes made yesterday. A notification is made after its
    change: those made since yesterday's midnight are all the candidates (the partial
    index on created_at), the change's own time decides."""
    from ..models import Notification

    start, end = _yesterday(today)
    return Notification.objects.filter(
        change__isnull=False, created_at__gte=start, change__at__gte=start, change__at__lt=end
    )


def digest_for(user: Any, today: dt.date) -> Digest:
    """What is overdue, what passed its deadline with no news, and what is due soon, as of
    `today`, among the milestones of the workstreams `user` coordinates (one query); and
    what people changed yesterday in the missions they follow (two)."""
    rows = list(
        with_current_health(
            Milestone.objects.filter(workstream__coordinators=user).select_related(
                "mission", "workstream"
            ),
            today,
        )
        .filter(_digested(today))
        .order_by("due_end", "mission__title", "pk")
    )

    def of(health: str) -> list[Milestone]:
        return [m for m in rows if m.current_health == health]  # type: ignore[attr-defined]

    told = [
        n.change
        for n in _followed_changes(today)
        .filter(user=user)
        .select_related("change__actor")
        .order_by("change__at", "change_id")
    ]
    described = describe_changes(told)
    H = Milestone.Health
    return Digest(
        overdue=of(H.OVERDUE),
        due_soon=of(H.DUE_SOON),
        no_news=of(H.NO_NEWS),
        followed=[described[entry.pk] for entry in told],
    )


def digest_recipients(today: dt.date) -> list[int]:
    """The active users with an email and, among the workstreams they coordinate, at least
    one milestone overdue, past its deadline with no news, or due soon; or a change made
    yesterday to a mission they follow."""
    from django.contrib.auth import get_user_model

    late = Milestone.objects.filter(_digested(today), workstream__coordinators=OuterRef("pk"))
    told = _followed_changes(today).filter(user=OuterRef("pk"))
    return list(
        get_user_model()
        .objects.filter(Exists(late) | Exists(told), is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )

"""Notifications and digests: the bell's count, a user's notifications, the daily digest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from ..models import Milestone
from .health import health_filters, with_current_health


def unread_notifications(user: Any) -> int:
    """The bell's count: one indexed count. An alert that closed itself (the milestone was
    done, its deadline moved, news was given) asks nothing of anyone any more: its
    notification no longer counts, read or not. The user's unread rows come from the
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
        "alert__milestone__mission", "alert__milestone__workstream"
    )


@dataclass(frozen=True)
class Digest:
    overdue: list[Milestone]
    due_soon: list[Milestone]
    # Past their window, still planned, nothing said since: the digest asks for news.
    no_news: list[Milestone] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due_soon or self.no_news)


# What a digest is about: overdue, "deadline passed, no news" and due soon milestones.
_DIGESTED = (Milestone.Health.OVERDUE, Milestone.Health.NO_NEWS, Milestone.Health.DUE_SOON)


def _digested(today: dt.date) -> Q:
    filters = health_filters(today)
    return filters[_DIGESTED[0]] | filters[_DIGESTED[1]] | filters[_DIGESTED[2]]


def digest_for(user: Any, today: dt.date) -> Digest:
    """What is overdue, what passed its deadline with no news, and what is due soon, as of
    `today`, among the milestones of the workstreams `user` coordinates (one query)."""
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

    H = Milestone.Health
    return Digest(overdue=of(H.OVERDUE), due_soon=of(H.DUE_SOON), no_news=of(H.NO_NEWS))


def digest_recipients(today: dt.date) -> list[int]:
    """The active coordinators with an email and at least one milestone overdue, past its
    deadline with no news, or due soon."""
    from django.contrib.auth import get_user_model

    late = Milestone.objects.filter(_digested(today), workstream__coordinators=OuterRef("pk"))
    return list(
        get_user_model()
        .objects.filter(Exists(late), is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )

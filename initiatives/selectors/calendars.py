"""The calendars of deadlines (calendars.py writes them): the dated milestones of a mission,
those of a reader (the workstreams they coordinate, the missions they follow), and whose a
secret calendar address is. One query each, whatever the number of milestones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from ..models import CalendarToken, Milestone, Mission
from .follows import followed_missions
from .health import with_current_health
from .permissions import coordinated_workstreams


def _dated(milestones: QuerySet[Milestone], today: dt.date) -> QuerySet[Milestone]:
    """Dated milestones only (an undated one has no day to show), with what an event says of
    them: mission, workstream, health as of today; in window order, stable."""
    return (
        with_current_health(milestones.filter(due_start__isnull=False), today)
        .select_related("mission", "workstream")
        .order_by("due_start", "due_end", "mission__title", "key", "pk")
    )


def mission_calendar(mission: Mission, today: dt.date) -> QuerySet[Milestone]:
    """The dated milestones of `mission`, its workstreams' and its own."""
    return _dated(Milestone.objects.filter(mission=mission), today)


def user_calendar(user: Any, today: dt.date) -> QuerySet[Milestone]:
    """The dated milestones of the workstreams `user` coordinates and of the missions they
    follow, each once (subqueries of selectors.coordinated_workstreams and followed_missions:
    one query)."""
    return _dated(
        Milestone.objects.filter(
            Q(workstream__in=coordinated_workstreams(user).values("pk"))
            | Q(mission__in=followed_missions(user).values("pk"))
        ),
        today,
    )


def calendar_owner(token: str) -> Any | None:
    """The active user whose calendar address holds `token`; None otherwise (an unknown
    token, a replaced one, an inactive account: the same answer). One indexed query."""
    found = (
        CalendarToken.objects.filter(token=token, user__is_active=True)
        .select_related("user")
        .first()
    )
    return found.user if found is not None else None

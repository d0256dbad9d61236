"""Which of the rows a page lists a user may write (the services hold the rules)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..models import Milestone, Workstream


def coordinated_workstreams(user: Any) -> QuerySet[Workstream]:
    """The workstreams `user` coordinates, whose milestones and weather they write (an
    administrator writes every one besides): none for visitors and inactive accounts."""
    if not (user.is_authenticated and user.is_active):
        return Workstream.objects.none()
    return Workstream.objects.filter(coordinators=user)


def _writable_workstreams(user: Any) -> set[int] | None:
    """The workstreams whose milestones and weather `user` may write: None for all (an
    administrator), their own for a coordinator (one query), none for visitors."""
    if not (user.is_authenticated and user.is_active):
        return set()
    if user.is_staff:
        return None
    return set(coordinated_workstreams(user).values_list("pk", flat=True))


def editable_milestone_ids(user: Any, milestones: list[Milestone]) -> set[int]:
    """Which of these milestones `user` may edit (services.can_edit_milestone holds the rule)."""
    mine = _writable_workstreams(user)
    return {m.pk for m in milestones if mine is None or m.workstream_id in mine}


def forecastable_workstream_ids(user: Any, workstreams: list[Workstream]) -> set[int]:
    """For which of these workstreams `user` may record a forecast (services.record_forecast
    holds the rule)."""
    mine = _writable_workstreams(user)
    return {w.pk for w in workstreams if mine is None or w.pk in mine}

"""« Mes jalons »: the milestones a coordinator keeps, across missions, by due window."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F

from ..models import Milestone, Workstream
from .health import with_current_health
from .permissions import coordinated_workstreams, editable_milestone_ids

# The windows, in the order the page lists them, each a set of healths (health_filters'
# values, computed by the database as of today); "upcoming" is cut at the quarter's end.
H = Milestone.Health
LATE, SOON, QUARTER, LATER, UNDATED, CLOSED = (
    "late",
    "soon",
    "quarter",
    "later",
    "undated",
    "closed",
)
_BY_HEALTH = {
    H.OVERDUE: LATE,
    H.NO_NEWS: LATE,
    H.DUE_SOON: SOON,
    H.UNDATED: UNDATED,
    H.DONE: CLOSED,
    H.MISSED: CLOSED,
    H.CANCELLED: CLOSED,
}


@dataclass(frozen=True)
class MilestoneGroup:
    window: str  # LATE, SOON, QUARTER, LATER, UNDATED or CLOSED
    milestones: list[Milestone]


@dataclass(frozen=True)
class MyMilestones:
    workstreams: list[Workstream]  # those the user coordinates, with their mission
    groups: list[MilestoneGroup]  # every window, in page order, empty ones included
    editable: set[int]  # the listed milestones the user may edit
    quarter_end: dt.date

    @property
    def total(self) -> int:
        return sum(len(group.milestones) for group in self.groups)


def quarter_end(today: dt.date) -> dt.date:
    month = (today.month - 1) // 3 * 3 + 3
    return dt.date(today.year, month, calendar.monthrange(today.year, month)[1])


def window_of(milestone: Any, today: dt.date) -> str:
    """Which window of the page a milestone (annotated with `current_health`) falls in."""
    window = _BY_HEALTH.get(milestone.current_health)
    if window is not None:
        return window
    return QUARTER if milestone.due_end <= quarter_end(today) else LATER


def my_milestones(user: Any, today: dt.date) -> MyMilestones:
    """Every milestone of the workstreams `user` coordinates, across missions, by due window
    and then by due date, in three queries whatever their number: the workstreams, their
    milestones with mission, workstream and health, and who may edit them (the rule of
    selectors.editable_milestone_ids)."""
    workstreams = list(
        coordinated_workstreams(user)
        .select_related("mission")
        .order_by("mission__title", "position")
    )
    milestones = list(
        with_current_health(
            Milestone.objects.filter(workstream_id__in=[w.pk for w in workstreams]), today
        )
        .select_related("mission", "workstream")
        .order_by(F("due_end").asc(nulls_last=True), "due_start", "mission__title", "key")
    )
    by_window: dict[str, list[Milestone]] = {
        window: [] for window in (LATE, SOON, QUARTER, LATER, UNDATED, CLOSED)
    }
    for milestone in milestones:
        by_window[window_of(milestone, today)].append(milestone)
    return MyMilestones(
        workstreams=workstreams,
        groups=[MilestoneGroup(window, listed) for window, listed in by_window.items()],
        editable=editable_milestone_ids(user, milestones),
        quarter_end=quarter_end(today),
    )

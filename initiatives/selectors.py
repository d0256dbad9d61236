"""Read queries that cross relations: what the pages show, in a fixed number of queries.

Health is computed here from status, window and today, not read from the stored column: the
stored one is only as fresh as the last sweep, and a page must never say "on track" about a
milestone whose window closed this morning."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from .models import Milestone, Mission, Workstream

OPEN = ~Q(status__in=[Milestone.Status.DONE, Milestone.Status.CANCELLED])

# A workstream's progress is the mean of its milestones (done counts 100, cancelled does not
# count); a mission's is the mean of its workstreams. SQL, whatever the number of rows.
_EFFECTIVE = (
    "CASE WHEN ms.status = 'done' THEN 100 WHEN ms.status = 'cancelled' THEN NULL "
    "ELSE ms.progress END"
)
_WORKSTREAM_PROGRESS = (
    f"SELECT AVG({_EFFECTIVE}) FROM {Milestone._meta.db_table} ms "
    f"WHERE ms.workstream_id = {Workstream._meta.db_table}.id"
)
_MISSION_PROGRESS = (
    f"SELECT AVG(wp.p) FROM (SELECT AVG({_EFFECTIVE}) AS p FROM {Milestone._meta.db_table} ms "
    f"JOIN {Workstream._meta.db_table} w ON w.id = ms.workstream_id "
    f"WHERE w.mission_id = {Mission._meta.db_table}.id GROUP BY w.id) wp"
)


def missions_with_progress() -> QuerySet[Mission]:
    return Mission.objects.annotate(progress=RawSQL(_MISSION_PROGRESS, ()))


def workstreams_with_progress() -> QuerySet[Workstream]:
    return Workstream.objects.annotate(progress=RawSQL(_WORKSTREAM_PROGRESS, ()))


def health_filters(today: dt.date) -> dict[str, Q]:
    """Each health as a filter on milestones, as of `today`."""
    horizon = today + dt.timedelta(days=settings.DEADLINE_HORIZON_DAYS)
    return {
        Milestone.Health.OVERDUE: OPEN & Q(due_end__lt=today),
        Milestone.Health.DUE_SOON: OPEN & Q(due_end__gte=today, due_end__lte=horizon),
        Milestone.Health.ON_TRACK: OPEN & Q(due_end__gt=horizon),
        Milestone.Health.UNDATED: OPEN & Q(due_end__isnull=True),
        Milestone.Health.DONE: Q(status=Milestone.Status.DONE),
        Milestone.Health.CANCELLED: Q(status=Milestone.Status.CANCELLED),
    }


def with_current_health(milestones: QuerySet[Milestone], today: dt.date) -> QuerySet[Milestone]:
    """Annotate `current_health`: the health as of today, computed by the database."""
    whens = [When(q, then=Value(health)) for health, q in health_filters(today).items()]
    return milestones.annotate(current_health=Case(*whens, output_field=CharField()))


@dataclass(frozen=True)
class Dashboard:
    missions_by_status: list[tuple[str, str, int]]  # (status, label, count)
    milestones_by_health: dict[str, int]
    next_deadlines: list[Milestone]
    overdue: list[Milestone]
    overdue_total: int
    missions: list[Mission]


def dashboard(today: dt.date, *, deadlines: int = 10, overdue: int = 20) -> Dashboard:
    """Everything the dashboard shows, in five queries whatever the data size."""
    by_status = dict(
        Mission.objects.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    filters = health_filters(today)
    counts: dict[str, Any] = Milestone.objects.aggregate(
        **{health: Count("id", filter=q) for health, q in filters.items()}
    )
    listed = with_current_health(Milestone.objects.select_related("mission", "workstream"), today).only(
        "key", "title", "due_text", "due_start", "due_end", "due_precision", "status", "progress",
        "mission__key", "mission__title", "workstream__title",
    )
    return Dashboard(
        missions_by_status=[(s.value, s.label, by_status.get(s.value, 0)) for s in Mission.Status],
        milestones_by_health=counts,
        next_deadlines=list(
            listed.filter(OPEN, due_end__gte=today).order_by("due_end", "pk")[:deadlines]
        ),
        overdue=list(listed.filter(filters[Milestone.Health.OVERDUE]).order_by("due_end", "pk")[:overdue]),
        overdue_total=counts[Milestone.Health.OVERDUE],
        missions=list(missions_with_progress().only("key", "title", "status").order_by("title")),
    )

"""Health and progress as SQL: each health as a filter, the health of a milestone as one
expression, the milestones whose stored health went stale, and the progress of workstreams
and missions.

Health is computed here from status, window and today, not read from the stored column: the
stored one is only as fresh as the last sweep, and a page must never say "on track" about a
milestone whose window closed this morning. The same rule in Python is
`Milestone.health_on`; a test holds the two to the same answers."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from ..models import HEALTH_DRIFT, Milestone, Mission, Workstream


# Still to be delivered: neither done, cancelled nor missed.
OPEN = Q(status__in=[Milestone.Status.PLANNED, Milestone.Status.IN_PROGRESS])
# Said something of since its window ended (news_on is set by every person's write).
_SAID_SINCE = Q(news_on__gt=F("due_end"))

# Progress (the methodology page states it): a workstream's is the mean, over its dated
# deliverables not cancelled, of 100 for a done one and its stated progress otherwise; events
# (announcements, meetings, signatures) never count. A mission's is the mean of its
# workstreams' that have such deliverables, the milestones of the mission as a whole weighing
# as one more workstream. None: no dated deliverable, nothing to measure. SQL, whatever the
# number of rows.
_EFFECTIVE = (
    "CASE WHEN ms.kind <> 'deliverable' OR ms.due_end IS NULL OR ms.status = 'cancelled' "
    "THEN NULL WHEN ms.status = 'done' THEN 100 ELSE ms.progress END"
)
_WORKSTREAM_PROGRESS = (
    f"SELECT AVG({_EFFECTIVE}) FROM {Milestone._meta.db_table} ms "
    f"WHERE ms.workstream_id = {Workstream._meta.db_table}.id"
)
# Milestones carry their mission_id, so a mission's rows come from the (mission, key) index
# alone: no join, no scan of the other missions' milestones.
_MISSION_PROGRESS = (
    f"SELECT AVG(wp.p) FROM (SELECT AVG({_EFFECTIVE}) AS p FROM {Milestone._meta.db_table} ms "
    f"WHERE ms.mission_id = {Mission._meta.db_table}.id "
    f"GROUP BY COALESCE(ms.workstream_id, 0)) wp"
)


def missions_with_progress() -> QuerySet[Mission]:
    return Mission.objects.annotate(progress=RawSQL(_MISSION_PROGRESS, ()))


def workstreams_with_progress() -> QuerySet[Workstream]:
    return Workstream.objects.annotate(progress=RawSQL(_WORKSTREAM_PROGRESS, ()))


def health_filters(today: dt.date) -> dict[str, Q]:
    """Each health as a filter on milestones, as of `today`."""
    horizon = today + dt.timedelta(days=settings.DEADLINE_HORIZON_DAYS)
    S = Milestone.Status
    ended = Q(due_end__lt=today)
    return {
        # In progress past its window, or planned and said of since: someone knows it is late.
        Milestone.Health.OVERDUE: ended
        & (Q(status=S.IN_PROGRESS) | Q(status=S.PLANNED) & _SAID_SINCE),
        # Planned past its window and nothing said since: not known to be late, not known at all.
        Milestone.Health.NO_NEWS: ended & Q(status=S.PLANNED) & ~_SAID_SINCE,
        Milestone.Health.DUE_SOON: OPEN & Q(due_end__gte=today, due_end__lte=horizon),
        Milestone.Health.ON_TRACK: OPEN & Q(due_end__gt=horizon),
        Milestone.Health.UNDATED: OPEN & Q(due_end__isnull=True),
        Milestone.Health.MISSED: Q(status=S.MISSED),
        Milestone.Health.DONE: Q(status=S.DONE),
        Milestone.Health.CANCELLED: Q(status=S.CANCELLED),
    }


def stale_health_arms(today: dt.date) -> list[Q]:
    """The milestones whose stored health is not their health as of `today`, as filters
    whose union is exactly `~Q(health=health_expression(today))`, each answered by an index
    instead of a scan of the table (tests/test_sweep.py checks both).

    Stored health goes stale in two ways:
    - by a write that bypassed the services (HEALTH_DRIFT, whatever the day): the partial
      index over those rows is empty in steady state;
    - by the passing of days: a due date crossed the horizon or passed. Each such row lies
      in a short range of the (health, due_end) index, e.g. "on track" with a due_end now
      within the horizon; the rows still right lie outside those ranges and are not read.
    """
    horizon = today + dt.timedelta(days=settings.DEADLINE_HORIZON_DAYS)
    H = Milestone.Health
    return [
        HEALTH_DRIFT,
        Q(health=H.OVERDUE, due_end__gte=today),
        Q(health=H.NO_NEWS, due_end__gte=today),
        Q(health=H.DUE_SOON, due_end__lt=today),
        Q(health=H.DUE_SOON, due_end__gt=horizon),
        Q(health=H.ON_TRACK, due_end__lte=horizon),
    ]


def stale_health(today: dt.date) -> Q:
    """stale_health_arms as one filter."""
    arms = stale_health_arms(today)
    combined = arms[0]
    for arm in arms[1:]:
        combined |= arm
    return combined


def health_expression(today: dt.date) -> Case:
    """A milestone's health as of `today`, as one SQL expression (pages and the sweep)."""
    whens = [When(q, then=Value(health)) for health, q in health_filters(today).items()]
    return Case(*whens, output_field=CharField())


# What a milestone row shows of its deadline (the `when` filter and the kind badge): with
# `.only()`, the lists load these and nothing would need a query per row. `editorial`: a due
# date from public record is said so, not quoted.
SHOWN_DUE_FIELDS = ("kind", "due_text", "due_start", "due_end", "due_precision", "editorial")


def with_current_health(milestones: QuerySet[Milestone], today: dt.date) -> QuerySet[Milestone]:
    """Annotate `current_health`: the health as of today, computed by the database."""
    return milestones.annotate(current_health=health_expression(today))

"""The deadline sweep, and the alerts: recorded when a milestone turns due soon, overdue or
"no news", resolved once they no longer hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from .. import history, selectors
from ..models import DeadlineAlert, Milestone
from .notifications import enqueue_notifications


@dataclass(frozen=True)
class SweepResult:
    today: dt.date
    health_changed: int  # milestones whose stored health moved
    new_alerts: list[int]  # ids of the DeadlineAlerts this sweep created


def deadlines_sweep(today: dt.date | None = None) -> SweepResult:
    """Bring every milestone's stored health to `today`; resolve the alerts of the
    milestones whose health moved; record an alert for each change into due soon, overdue or
    "no news"; enqueue the oldest unsent alerts.

    Set-based, no loop over rows in Python, and it reads only what changed: the stale rows
    come from indexes (selectors.stale_health), as healthchecks finds its late checks by an
    indexed deadline. On PostgreSQL one statement: an UPDATE of the stale rows, whose
    RETURNING feeds the UPDATE that resolves their alerts that no longer hold and an INSERT …
    ON CONFLICT of the new ones, unique per (milestone, kind, deadline). (SQLite has no writing CTE: the UPDATE, then every late milestone's INSERT …
    ON CONFLICT.) Running it twice, or two at once, never duplicates an alert; a slipped
    deadline is a new deadline, so it may alert again. Writers that store a health
    themselves (write_milestones) record their alerts with record_alerts()."""
    today = today or timezone.localdate()
    health = selectors.health_expression(today)
    stale = Milestone.objects.filter(selectors.stale_health(today))
    with history.acting_as(None, "sweep"):
        if connection.vendor == "postgresql":
            changed, new_alerts = _sweep_in_one_statement(
                selectors.stale_health_arms(today), health
            )
        else:
            changed = stale.update(health=health)
            resolve_alerts()
            new_alerts = record_alerts()
        # The outbox: the oldest unsent alerts, new ones included, a batch per sweep (a
        # broker that was away, or a first sweep over years of deadlines, catches up). An
        # alert resolved before it was sent is not sent.
        enqueue_notifications(
            list(
                DeadlineAlert.objects.filter(notified_at__isnull=True, resolved_at__isnull=True)
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)[: settings.NOTIFY_PER_SWEEP]
            )
        )
    return SweepResult(today, changed, new_alerts)


def _sweep_in_one_statement(arms: list[Q], health: Any) -> tuple[int, list[int]]:
    # The stale rows as a UNION ALL of one SELECT per arm, in an array the UPDATE takes by
    # primary key. One OR of the arms is planned as a whole: PostgreSQL multiplies the
    # selectivities of columns it takes as independent (health, due_end, news_on), estimates
    # hundreds of thousands of stale rows at a million milestones where there are none, and
    # scans the table. Planned one by one, each arm takes its index; the array's unknown size
    # keeps the UPDATE on the primary key.
    selects: list[str] = []
    where_params: list[Any] = []
    for arm in arms:
        sql, params = Milestone.objects.filter(arm).order_by().values("id").query.sql_with_params()
        selects.append(f"({sql})")
        where_params += params
    where_sql = f"id = ANY(ARRAY({' UNION ALL '.join(selects)}))"
    query = Milestone.objects.all().query
    compiler = query.get_compiler(connection=connection)
    case_sql, case_params = compiler.compile(health.resolve_expression(query))
    R = DeadlineAlert.Resolution
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH changed AS (UPDATE {Milestone._meta.db_table} SET health = {case_sql} "
            f"WHERE {where_sql} RETURNING id, health, status, due_end, due_text), "
            # The open alerts of the rows that moved, which no longer hold (resolve_alerts).
            f"resolved AS (UPDATE {_ALERT_TABLE} AS a SET resolved_at = %s, resolution = CASE "
            "WHEN c.status IN (%s, %s, %s) THEN %s WHEN c.due_end IS DISTINCT FROM a.deadline THEN %s "
            "WHEN a.kind = %s AND c.health = %s THEN %s ELSE %s END "
            "FROM changed c WHERE a.milestone_id = c.id AND a.resolved_at IS NULL "
            "AND NOT (a.kind = c.health AND a.deadline = c.due_end) RETURNING a.id), "
            f"alerted AS ({_INSERT_ALERTS.format(rows='changed', only='')}) "
            "SELECT (SELECT count(*) FROM changed), (SELECT count(*) FROM resolved), "
            "(SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM alerted)",
            [
                *case_params,
                *where_params,
                timezone.now(),
                *_CLOSED,
                R.CLOSED,
                R.MOVED,
                DeadlineAlert.Kind.NO_NEWS,
                Milestone.Health.OVERDUE,
                R.NEWS,
                R.PASSED,
                *_alert_params(),
            ],
        )
        changed, _resolved, new_alerts = cursor.fetchone()
    return changed, list(new_alerts)


# An alert for each late row of {rows} (id, health, due_end, due_text) that has none yet for
# its deadline, or whose alert for it was resolved (the milestone was reopened: it holds
# again); parameters from _alert_params(), then those of {only}.
_ALERT_TABLE = DeadlineAlert._meta.db_table
_INSERT_ALERTS = (
    f"INSERT INTO {_ALERT_TABLE} (milestone_id, kind, deadline, due_text, created_at, resolution) "
    "SELECT id, health, due_end, due_text, %s, '' FROM {rows} "
    "WHERE health IN (%s, %s, %s) AND due_end IS NOT NULL {only}"
    # Reopened, an alert is due again: notified_at goes back to NULL so the notify task's
    # claim takes it. One an observer answered stays answered.
    "ON CONFLICT (milestone_id, kind, deadline) DO UPDATE SET resolved_at = NULL, resolution = '', "
    "notified_at = NULL "
    f"WHERE {_ALERT_TABLE}.resolved_at IS NOT NULL AND {_ALERT_TABLE}.resolution <> 'assessed' "
    "RETURNING id"
)


def _alert_params() -> list[Any]:
    return [
        timezone.now(),
        Milestone.Health.DUE_SOON,
        Milestone.Health.OVERDUE,
        Milestone.Health.NO_NEWS,
    ]


def record_alerts(milestone_ids: Iterable[int] | None = None) -> list[int]:
    """Record an alert for each milestone (all, or those given) whose stored health is due
    soon, overdue or "no news" and that has none open for that deadline: one INSERT … SELECT
    … ON CONFLICT. Returns the ids of the new (or reopened) alerts."""
    ids = None if milestone_ids is None else list(milestone_ids)
    if ids == []:
        return []
    only = "" if ids is None else f"AND id IN ({', '.join(['%s'] * len(ids))}) "
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_ALERTS.format(rows=Milestone._meta.db_table, only=only),
            _alert_params() + (ids or []),
        )
        return sorted(row[0] for row in cursor.fetchall())


_CLOSED = [Milestone.Status.DONE, Milestone.Status.CANCELLED, Milestone.Status.MISSED]


def resolve_alerts(milestone_ids: Iterable[int] | None = None, *, assessed: bool = False) -> int:
    """Resolve the open alerts (of these milestones, or all) that no longer hold: an alert
    holds while its milestone keeps the health it was raised for, at the same deadline. It
    keeps the words and window it was raised on, and says why it closed. `assessed`: an
    observer just assessed these milestones, which answers every open alert of theirs.
    One UPDATE; returns how many were resolved."""
    ids = None if milestone_ids is None else list(milestone_ids)
    if ids == []:
        return 0
    alerts = DeadlineAlert.objects.filter(resolved_at__isnull=True)
    if ids is not None:
        alerts = alerts.filter(milestone_id__in=ids)
    if assessed:
        return alerts.update(
            resolved_at=timezone.now(), resolution=DeadlineAlert.Resolution.ASSESSED
        )
    milestone = Milestone.objects.filter(pk=OuterRef("milestone_id"))
    R = DeadlineAlert.Resolution
    why = Case(
        When(Exists(milestone.filter(status__in=_CLOSED)), then=Value(R.CLOSED)),
        When(~Exists(milestone.filter(due_end=OuterRef("deadline"))), then=Value(R.MOVED)),
        When(
            Q(kind=DeadlineAlert.Kind.NO_NEWS)
            & Exists(milestone.filter(health=Milestone.Health.OVERDUE)),
            then=Value(R.NEWS),
        ),
        default=Value(R.PASSED),
    )
    return alerts.exclude(
        Exists(milestone.filter(health=OuterRef("kind"), due_end=OuterRef("deadline")))
    ).update(resolved_at=timezone.now(), resolution=why)

"""Writes with rules: what a coordinator may change on a milestone, and how.

Permissions are checked here as well as in the views: a crafted request that reaches the
service for another workstream's milestone is refused, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import history, periods
from .models import HistoryEntry, Milestone, MilestoneSlip, period_error_message


@dataclass(frozen=True)
class MilestoneChange:
    """What the edit form sends: the words of the deadline, not its dates."""

    status: str
    progress: int
    completed_on: dt.date | None
    due_text: str
    comment: str


class EditConflict(Exception):
    """The milestone changed since the form was opened: nothing was written."""

    def __init__(self, current: Milestone, last_change: HistoryEntry | None) -> None:
        super().__init__(f"milestone {current.pk} is at version {current.version}")
        self.current = current
        self.last_change = last_change

    @property
    def changed_by(self) -> str:
        """Who saved first, for the person whose save was refused."""
        entry = self.last_change
        if entry is None or entry.actor is None:
            return _("an import or the system") if entry is None or entry.via != "admin" else _("an administrator")
        return entry.actor.get_full_name() or entry.actor.username


def can_edit_milestone(user: Any, milestone: Milestone) -> bool:
    """Administrators edit every milestone; a coordinator, those of the workstreams they are
    assigned to. A milestone of the mission itself (no workstream) is the administrators'."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    return milestone.workstream_id is not None and milestone.workstream.coordinators.filter(
        pk=user.pk
    ).exists()


def milestone_update(
    user: Any,
    milestone_id: int,
    change: MilestoneChange,
    *,
    base_version: int,
    today: dt.date | None = None,
) -> Milestone:
    """Apply `change` to a milestone as `user`, if it is still at `base_version`.

    Raises PermissionDenied, ValidationError (field -> messages; nothing written) or
    EditConflict (someone saved first; nothing written)."""
    today = today or timezone.localdate()
    milestone = Milestone.objects.select_related("workstream").filter(pk=milestone_id).first()
    if milestone is None or not can_edit_milestone(user, milestone):
        raise PermissionDenied
    values = _checked_values(milestone, change, today)
    with history.acting_as(user, "edit"):
        # The compare-and-swap: written only if nobody saved since the form was opened.
        written = Milestone.objects.filter(pk=milestone.pk, version=base_version).update(
            **values, version=F("version") + 1, updated_at=timezone.now()
        )
        if not written:
            current = Milestone.objects.select_related("workstream").get(pk=milestone.pk)
            raise EditConflict(current, last_change_of(current))
        if values["due_end"] and milestone.due_end and values["due_end"] > milestone.due_end:
            MilestoneSlip.objects.create(
                milestone=milestone,
                old_text=milestone.due_text,
                old_start=milestone.due_start,
                old_end=milestone.due_end,
                new_text=values["due_text"],
                new_start=values["due_start"],
                new_end=values["due_end"],
                recorded_by=user,
            )
    from .selectors import milestone_row

    saved = milestone_row(milestone.pk, today)  # as pages show it, health as of today
    assert saved is not None  # written above, in this very request
    return saved


def _checked_values(milestone: Milestone, change: MilestoneChange, today: dt.date) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    progress = change.progress
    if not 0 <= progress <= 100:
        errors["progress"] = [_("progress is a percentage, from 0 to 100")]
    if change.status == Milestone.Status.DONE:
        progress = 100  # done is done: the bar is full
    rule_errors = Milestone.rule_errors(
        status=change.status,
        progress=None if change.status == Milestone.Status.DONE else progress,
        completed_on=change.completed_on,
        comment=change.comment,
        today=today,
    )
    for field, message in rule_errors.items():
        errors.setdefault(field, []).append(message)
    if change.status not in Milestone.Status.values:
        errors["status"] = [_("unknown status")]
    due: dict[str, Any] = {
        "due_text": milestone.due_text,
        "due_start": milestone.due_start,
        "due_end": milestone.due_end,
        "due_precision": milestone.due_precision,
        "due_reference": milestone.due_reference,
    }
    text = change.due_text.strip()
    if text != milestone.due_text.strip():
        if not text:
            due = dict.fromkeys(due, None) | {"due_text": "", "due_precision": ""}
        else:
            try:
                period = periods.parse_period(text, today)  # new words: read against today
            except periods.PeriodParseError as error:
                errors["due_text"] = [period_error_message(error)]
            else:
                due = {
                    "due_text": text,
                    "due_start": period.start,
                    "due_end": period.end,
                    "due_precision": period.precision.value,
                    "due_reference": period.reference,
                }
    if errors:
        raise ValidationError(errors)
    values = {
        "status": change.status,
        "progress": progress,
        "completed_on": change.completed_on,
        "comment": change.comment,
        **due,
    }
    candidate = Milestone(**values)
    values["health"] = candidate.health_on(today, settings.DEADLINE_HORIZON_DAYS)
    return values


def last_change_of(milestone: Milestone) -> HistoryEntry | None:
    return (
        HistoryEntry.objects.filter(table_name=Milestone._meta.db_table, row_id=milestone.pk)
        .select_related("actor")
        .order_by("-pk")
        .first()
    )


# --------------------------------------------------------------------------------------------
# The deadline sweep


@dataclass(frozen=True)
class SweepResult:
    today: dt.date
    health_changed: int  # milestones whose stored health moved
    new_alerts: list[int]  # ids of the DeadlineAlerts this sweep created


def deadlines_sweep(today: dt.date | None = None) -> SweepResult:
    """Recompute every milestone's health and record each entry into due soon or overdue.

    Two statements whatever the number of milestones, no loop over rows in Python:
    an UPDATE of the rows whose health changed, then an INSERT … SELECT … ON CONFLICT DO
    NOTHING of the alerts, unique per (milestone, kind, deadline). Running it twice, or two
    at once, never duplicates an alert; a slipped deadline is a new deadline, so it may alert
    again."""
    from django.db import connection

    from .models import DeadlineAlert
    from .selectors import health_expression

    today = today or timezone.localdate()
    health = health_expression(today)
    with history.acting_as(None, "sweep"):
        changed = Milestone.objects.exclude(health=health).update(health=health)
        alert = DeadlineAlert._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {alert} (milestone_id, kind, deadline, created_at) "
                f"SELECT id, health, due_end, %s FROM {Milestone._meta.db_table} "
                "WHERE health IN (%s, %s) AND due_end IS NOT NULL "
                "ON CONFLICT (milestone_id, kind, deadline) DO NOTHING RETURNING id",
                [timezone.now(), Milestone.Health.DUE_SOON, Milestone.Health.OVERDUE],
            )
            new_alerts = sorted(row[0] for row in cursor.fetchall())
        # Alerts a broker outage left unsent go again with the new ones.
        unsent = list(
            DeadlineAlert.objects.filter(notified_at__isnull=True)
            .exclude(pk__in=new_alerts)
            .values_list("pk", flat=True)[:1000]
        )
        enqueue_notifications(new_alerts + unsent)
    return SweepResult(today, changed, new_alerts)


def notify_alert(alert_id: int) -> int:
    """Email an alert to the coordinators of its milestone's workstream, once.

    The alert is claimed by a compare-and-swap (notified_at: null → now) in the transaction
    that sends the mail: a task delivered twice finds it claimed and sends nothing; a send
    that fails rolls the claim back, so the retry sends it. Returns the number of recipients."""
    from django.core.mail import send_mail
    from django.db import transaction
    from django.template.loader import render_to_string
    from django.utils import translation

    from .models import DeadlineAlert

    with transaction.atomic():
        claimed = DeadlineAlert.objects.filter(pk=alert_id, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if not claimed:
            return 0
        alert = DeadlineAlert.objects.select_related(
            "milestone__mission", "milestone__workstream"
        ).get(pk=alert_id)
        milestone = alert.milestone
        recipients = sorted(
            {
                user.email
                for user in (
                    milestone.workstream.coordinators.filter(is_active=True)
                    if milestone.workstream_id
                    else []
                )
                if user.email
            }
        )
        if not recipients:
            return 0
        with translation.override(settings.LANGUAGE_CODE):
            subject = (
                _("Overdue: %(title)s") if alert.kind == "overdue" else _("Due soon: %(title)s")
            ) % {"title": milestone.title}
            body = render_to_string(
                "emails/deadline_alert.txt",
                {"alert": alert, "milestone": milestone, "site_url": settings.SITE_URL},
            )
        send_mail(subject[:200], body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)


def enqueue_notifications(alert_ids: list[int]) -> None:
    """After commit, one notify task per new alert. A broker that is away is logged, never
    raised: the alerts stay unnotified in the database and a later sweep sends them."""
    import logging

    from django.db import transaction

    def send() -> None:
        from .tasks import notify_alert as task

        for alert_id in alert_ids:
            try:
                task.delay(alert_id)
            except Exception:
                logging.getLogger(__name__).warning(
                    "could not enqueue the notification of alert %s", alert_id, exc_info=True
                )

    if alert_ids:
        transaction.on_commit(send)

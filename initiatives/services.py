"""Writes with rules: what a coordinator may change on a milestone, and how.

Permissions are checked here as well as in the views: a crafted request that reaches the
service for another workstream's milestone is refused, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import history, periods, selectors
from .models import (
    DeadlineAlert,
    DigestDelivery,
    HistoryEntry,
    Milestone,
    MilestoneSlip,
    Notification,
    period_error_message,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MilestoneChange:
    """What the edit form sends: the words of the deadline, not its dates."""

    status: str
    progress: int
    completed_on: dt.date | None
    due_text: str
    comment: str
    # A spreadsheet row may retitle a milestone; None (the edit form) keeps the title.
    title: str | None = None


@dataclass(frozen=True)
class CheckedEdit:
    """An edit that passed the rules, ready to write: the milestone as read before it (not
    saved yet: one to create), whose version is the one the edit was based on (the rules
    checked it), and the values to store."""

    milestone: Milestone
    values: dict[str, Any]


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
    via: str = "edit",
) -> Milestone:
    """Apply `change` to a milestone as `user` (through `via`: the edit page, or the admin),
    if it is still at `base_version`: check_milestone_edit, then write_milestone_edits.

    Raises PermissionDenied, ValidationError (field -> messages; nothing written) or
    EditConflict (someone saved first; nothing written)."""
    today = today or timezone.localdate()
    milestone = Milestone.objects.select_related("workstream").filter(pk=milestone_id).first()
    if milestone is None:
        raise PermissionDenied
    edit = check_milestone_edit(user, milestone, change, base_version=base_version, today=today)
    write_milestone_edits(user, [edit], via=via)
    saved = selectors.milestone_row(milestone.pk, today)  # as pages show it, health as of today
    assert saved is not None  # written above, in this very request
    return saved


def check_milestone_edit(
    user: Any, milestone: Milestone, change: MilestoneChange, *, base_version: int | None, today: dt.date
) -> CheckedEdit:
    """The rules of an edit, the same for the edit page and each row of a spreadsheet: may
    `user` edit `milestone` (PermissionDenied), are the values right (ValidationError, field ->
    messages), was it read at `base_version` (EditConflict; a milestone not saved yet is being
    created and has none). Writes nothing, and reads nothing for an administrator, so a sheet
    checks thousands of rows against milestones it read once."""
    if not can_edit_milestone(user, milestone):
        raise PermissionDenied
    values = _checked_values(milestone, change, today)
    if milestone.pk is not None and milestone.version != base_version:
        raise EditConflict(milestone, last_change_of(milestone))
    return CheckedEdit(milestone, values)


# Written by an edit; the version moves on and updated_at is stamped besides.
_EDITED_FIELDS = (
    "title", "status", "progress", "completed_on", "comment",
    "due_text", "due_start", "due_end", "due_precision", "due_reference", "health",
)
_BATCH = 1000  # rows per UPDATE on PostgreSQL


def write_milestone_edits(user: Any, edits: Sequence[CheckedEdit], *, via: str) -> list[int]:
    """Write checked edits as `user` through `via`, all or none, in one transaction: the new
    milestones in one INSERT; the others locked in id order, their versions compared (someone
    saved since: EditConflict, nothing written), then updated a thousand per statement. History
    comes from the triggers, row by row; a deadline that moved later is recorded as a slip;
    the alerts of what is now late or due soon are recorded, and sent after commit. Returns
    the ids written."""
    created = [edit for edit in edits if edit.milestone.pk is None]
    updated = [edit for edit in edits if edit.milestone.pk is not None]
    with history.acting_as(user, via):
        for edit in created:
            for name, value in edit.values.items():
                setattr(edit.milestone, name, value)
        Milestone.objects.bulk_create([edit.milestone for edit in created])
        if updated:
            _compare_and_swap(updated)
            MilestoneSlip.objects.bulk_create(
                [
                    MilestoneSlip(
                        milestone_id=old.pk,
                        old_text=old.due_text,
                        old_start=old.due_start,
                        old_end=old.due_end,
                        new_text=new["due_text"],
                        new_start=new["due_start"],
                        new_end=new["due_end"],
                        recorded_by=user if getattr(user, "pk", None) else None,
                    )
                    for old, new in ((edit.milestone, edit.values) for edit in updated)
                    if new["due_end"] and old.due_end and new["due_end"] > old.due_end
                ]
            )
        ids = [edit.milestone.pk for edit in edits]
        # An edit that makes a milestone late or due soon alerts now, not at the next sweep.
        # A sheet can make thousands late at once: as many are enqueued now as a sweep would
        # send, the sweep's outbox sends the rest (they are recorded, unsent).
        enqueue_notifications(record_alerts(ids)[: settings.NOTIFY_PER_SWEEP])
    return ids


def _compare_and_swap(edits: list[CheckedEdit]) -> None:
    table = connection.ops.quote_name(Milestone._meta.db_table)
    fields = [Milestone._meta.get_field(name) for name in _EDITED_FIELDS]
    base = {edit.milestone.pk: edit.milestone.version for edit in edits}
    # Locked in id order (two sheets over the same rows wait for each other, never
    # deadlock), so no one can save between the comparison and the write.
    current = dict(
        Milestone.objects.select_for_update().filter(pk__in=base).order_by("pk").values_list("pk", "version")
    )
    for pk, version in base.items():
        if current.get(pk) != version:
            now = Milestone.objects.select_related("workstream").filter(pk=pk).first()
            if now is None:
                raise PermissionDenied  # deleted meanwhile: nothing to edit
            raise EditConflict(now, last_change_of(now))
    stamp = Milestone._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    rows = [
        [edit.milestone.pk, edit.milestone.version, *(f.get_db_prep_save(edit.values[f.name], connection) for f in fields)]
        for edit in edits
    ]
    columns = [connection.ops.quote_name(f.column) for f in fields]
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per thousand rows, the new values joined in by id: half the time
            # of a statement per row, each parsed and planned anew.
            first = ", ".join(
                ["%s::bigint", "%s::integer", *(f"%s::{f.cast_db_type(connection)}" for f in fields)]
            )
            rest = ", ".join(["%s"] * (2 + len(fields)))
            sets = ", ".join(f"{column} = v.{column}" for column in columns)
            for start in range(0, len(rows), _BATCH):
                batch = rows[start : start + _BATCH]
                values = ", ".join([f"({first})"] + [f"({rest})"] * (len(batch) - 1))
                cursor.execute(
                    f"UPDATE {table} AS m SET {sets}, version = m.version + 1, updated_at = %s "
                    f"FROM (VALUES {values}) AS v(id, base, {', '.join(columns)}) "
                    "WHERE m.id = v.id AND m.version = v.base",
                    [stamp, *(value for row in batch for value in row)],
                )
                written += cursor.rowcount
        else:
            cursor.executemany(
                f"UPDATE {table} SET {', '.join(f'{column} = %s' for column in columns)}, "
                "version = version + 1, updated_at = %s WHERE id = %s AND version = %s",
                [[*row[2:], stamp, row[0], row[1]] for row in rows],
            )
            written = cursor.rowcount
    if written != len(edits):  # the rows are locked: only a broken invariant gets here
        raise RuntimeError(f"{written} of {len(edits)} milestones written under lock")


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
    title = milestone.title if change.title is None else change.title.strip()
    if not title:
        errors["title"] = [_("a milestone needs a title")]
    for name, text in (("title", title), ("due_text", change.due_text.strip())):
        limit = Milestone._meta.get_field(name).max_length
        if len(text) > limit:
            errors.setdefault(name, []).append(
                _("at most %(limit)s characters (here %(count)s)") % {"limit": limit, "count": len(text)}
            )
    due: dict[str, Any] = {
        "due_text": milestone.due_text,
        "due_start": milestone.due_start,
        "due_end": milestone.due_end,
        "due_precision": milestone.due_precision,
        "due_reference": milestone.due_reference,
    }
    text = change.due_text.strip()
    if text != milestone.due_text.strip() and "due_text" not in errors:
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
        "title": title,
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
    """Bring every milestone's stored health to `today`; record an alert for each change into
    due soon or overdue; enqueue the oldest unsent alerts.

    Set-based, no loop over rows in Python, and it reads only what changed: the stale rows
    come from indexes (selectors.stale_health), as healthchecks finds its late checks by an
    indexed deadline. On PostgreSQL one statement: an UPDATE of the stale rows, whose
    RETURNING feeds an INSERT … ON CONFLICT DO NOTHING of the alerts, unique per (milestone,
    kind, deadline). (SQLite has no writing CTE: the UPDATE, then every late milestone's
    INSERT … ON CONFLICT.) Running it twice, or two at once, never duplicates an alert; a
    slipped deadline is a new deadline, so it may alert again. Writers that store a health
    themselves (edits, admin, imports) record their alerts with record_alerts()."""
    today = today or timezone.localdate()
    health = selectors.health_expression(today)
    stale = Milestone.objects.filter(selectors.stale_health(today))
    with history.acting_as(None, "sweep"):
        if connection.vendor == "postgresql":
            changed, new_alerts = _sweep_in_one_statement(stale, health)
        else:
            changed = stale.update(health=health)
            new_alerts = record_alerts()
        # The outbox: the oldest unsent alerts, new ones included, a batch per sweep (a
        # broker that was away, or a first sweep over years of deadlines, catches up).
        enqueue_notifications(
            list(
                DeadlineAlert.objects.filter(notified_at__isnull=True)
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)[: settings.NOTIFY_PER_SWEEP]
            )
        )
    return SweepResult(today, changed, new_alerts)


def _sweep_in_one_statement(stale: QuerySet[Milestone], health: Any) -> tuple[int, list[int]]:
    query = stale.query
    compiler = query.get_compiler(connection=connection)
    case_sql, case_params = compiler.compile(health.resolve_expression(query))
    where_sql, where_params = compiler.compile(query.where)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH changed AS (UPDATE {Milestone._meta.db_table} SET health = {case_sql} "
            f"WHERE {where_sql} RETURNING id, health, due_end), "
            f"alerted AS ({_INSERT_ALERTS.format(rows='changed', only='')}) "
            "SELECT (SELECT count(*) FROM changed), "
            "(SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM alerted)",
            [*case_params, *where_params, *_alert_params()],
        )
        changed, new_alerts = cursor.fetchone()
    return changed, list(new_alerts)


# An alert for each late row of {rows} (id, health, due_end) that has none yet for its
# deadline; parameters from _alert_params(), then those of {only}.
_INSERT_ALERTS = (
    f"INSERT INTO {DeadlineAlert._meta.db_table} (milestone_id, kind, deadline, created_at) "
    "SELECT id, health, due_end, %s FROM {rows} "
    "WHERE health IN (%s, %s) AND due_end IS NOT NULL {only}"
    "ON CONFLICT (milestone_id, kind, deadline) DO NOTHING RETURNING id"
)


def _alert_params() -> list[Any]:
    return [timezone.now(), Milestone.Health.DUE_SOON, Milestone.Health.OVERDUE]


def record_alerts(milestone_ids: Iterable[int] | None = None) -> list[int]:
    """Record an alert for each milestone (all, or those given) whose stored health is due
    soon or overdue and that has none yet for that deadline: one INSERT … SELECT … ON
    CONFLICT DO NOTHING. Returns the ids of the new alerts."""
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


def notify_alert(alert_id: int) -> int:
    """Tell the coordinators of an alert's workstream, once: a notification under each one's
    bell, and an email to those with an address.

    The alert is claimed by a compare-and-swap (notified_at: null → now) in the transaction
    that writes the notifications and sends the mail: a task delivered twice finds it claimed
    and does nothing; a send that fails rolls everything back, so the retry does it all.
    Returns the number of emails sent."""
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
        coordinators = (
            list(milestone.workstream.coordinators.filter(is_active=True).order_by("pk"))
            if milestone.workstream_id
            else []
        )
        Notification.objects.bulk_create(
            [Notification(user=user, alert=alert) for user in coordinators], ignore_conflicts=True
        )
        recipients = sorted({user.email for user in coordinators if user.email})
        if recipients:
            subject = (
                gettext_noop("Overdue: %(title)s")
                if alert.kind == "overdue"
                else gettext_noop("Due soon: %(title)s")
            )
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
    from .tasks import notify_alert as task

    enqueue_on_commit(task, [(alert_id,) for alert_id in alert_ids])


def enqueue_on_commit(task: Any, calls: list[tuple[Any, ...]]) -> None:
    """After the transaction commits, one `task` per tuple of arguments: a rolled-back
    transaction enqueues nothing. A broker that is away costs the bounded publish retry of
    the settings, then is logged, never raised: what was to be sent stays recorded in the
    database, and the next sweep or digest run sends it."""
    def send() -> None:
        for args in calls:
            try:
                task.delay(*args)
            except Exception:
                logger.warning(
                    "could not enqueue %s%s: the broker is unreachable", task.name, args, exc_info=True
                )
                return  # the others would wait for the same broker: the sweep catches up

    if calls:
        transaction.on_commit(send)


# --------------------------------------------------------------------------------------------
# The daily digest


def send_digests(today: dt.date | None = None) -> int:
    """Enqueue, on commit, one digest per coordinator who has something overdue or due
    soon. Returns how many."""
    from .tasks import send_digest

    today = today or timezone.localdate()
    users = selectors.digest_recipients(today)
    enqueue_on_commit(send_digest, [(user_id, today.isoformat()) for user_id in users])
    return len(users)


def send_digest(user_id: int, day: dt.date) -> int:
    """Email `user_id` the day's digest: what is overdue and due soon in the workstreams they
    coordinate. Once per user and day: the delivery row is claimed (a unique insert) in the
    transaction that sends, so a second run finds it and a failed send leaves nothing.
    Returns the number of milestones listed (0: nothing sent)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    digest = selectors.digest_for(user, day)
    if not digest:
        return 0
    with transaction.atomic():
        try:
            with transaction.atomic():
                DigestDelivery.objects.create(
                    user=user, day=day, overdue=len(digest.overdue), due_soon=len(digest.due_soon)
                )
        except IntegrityError:
            return 0  # already sent today
        send_french_mail(
            gettext_noop("Your deadlines on %(day)s: %(overdue)s overdue, %(due_soon)s due soon"),
            {"day": day.strftime("%d/%m/%Y"), "overdue": len(digest.overdue), "due_soon": len(digest.due_soon)},
            "emails/digest.txt",
            {"user": user, "day": day, "sections": _digest_sections(digest)},
            [user.email],
        )
    return len(digest.overdue) + len(digest.due_soon)


# A digest lists this many milestones per section, then says how many more there are.
DIGEST_LINES = 30


def _digest_sections(digest: Any) -> list[dict[str, Any]]:
    """Each part of a digest: its kind, the milestones listed, how many more, in all."""
    return [
        {"kind": kind, "listed": rows[:DIGEST_LINES], "more": max(0, len(rows) - DIGEST_LINES), "total": len(rows)}
        for kind, rows in (("overdue", digest.overdue), ("due_soon", digest.due_soon))
    ]

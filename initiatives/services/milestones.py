"""The one writer of milestones: what a change gives (MilestoneChange, KEEP), the rules
(check_milestone, milestone_rule_errors), the compare-and-swap (EditConflict) and the write
(write_milestones), with its slips, health and alerts; and their deletion.

Permissions are checked here as well as in the views: a crafted request that reaches the
service for another workstream's milestone is refused, and nothing changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import dates, history, periods, selectors
from ..models import HistoryEntry, Milestone, MilestoneSlip, period_error_message
from .deadlines import record_alerts, resolve_alerts
from .notifications import enqueue_notifications


class _Keep:
    """A field a change leaves as stored."""

    def __repr__(self) -> str:
        return "KEEP"

    def __bool__(self) -> bool:
        return False


KEEP: Any = _Keep()


@dataclass(frozen=True)
class MilestoneChange:
    """What a writer wants of a milestone. A field left at KEEP stays as stored: the
    coordinators' form after a conflict sends only what its user changed.

    `due_text` is read against today when its words are new (or, fixed without moving the
    window, against the day they were first read); `due_retyped` says a person typed them
    anew, and then they are read against today even when they are the words stored. An
    import gives the window it read in the document as `due` instead (a dict of the five
    due_* fields, or None for no deadline)."""

    status: str = KEEP
    progress: int = KEEP
    completed_on: dt.date | None = KEEP
    due_text: str = KEEP
    comment: str = KEEP
    title: str = KEEP
    kind: str = KEEP
    workstream_id: int | None = KEEP
    due: dict[str, Any] | None = KEEP
    editorial: dict[str, Any] = KEEP
    imported_state: dict[str, Any] = KEEP
    # A person's word (an edit, the admin, a sheet) is news; an import is not.
    news: bool = True
    # The coordinators' form says its user typed the due words again ("à l'automne" meant
    # this autumn now): read against today. Without it the same words keep their window, so
    # a sheet sent again or the admin's form saved for another field moves no deadline.
    due_retyped: bool = False

    def given(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) is not KEEP and f.name not in _HOW
        }


_HOW = {"news", "due_retyped"}  # how a change is written, not values


@dataclass(frozen=True)
class CheckedEdit:
    """An edit that passed the rules, ready to write: the milestone as read before it (not
    saved yet: one to create), whose version is the one the edit was based on (the rules
    checked it), and the values to store. `warnings` (field -> message): what is written
    but worth a word to the person, such as due words whose window has already ended."""

    milestone: Milestone
    values: dict[str, Any]
    warnings: dict[str, str] = dataclasses.field(default_factory=dict)


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
            return (
                _("an import or the system")
                if entry is None or entry.via != "admin"
                else _("an administrator")
            )
        return entry.actor.get_full_name() or entry.actor.username


def can_edit_milestone(user: Any, milestone: Milestone) -> bool:
    """Administrators edit every milestone; a coordinator, those of the workstreams they are
    assigned to. A milestone of the mission itself (no workstream) is the administrators'."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    workstream = milestone.workstream  # None, without a query, for no workstream
    return workstream is not None and workstream.coordinators.filter(pk=user.pk).exists()


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
    if it is still at `base_version`: check_milestone_edit, then write_milestones.

    Returns the milestone as pages show it, with the edit's `warnings` (field -> message).
    Raises PermissionDenied, ValidationError (field -> messages; nothing written) or
    EditConflict (someone saved first; nothing written)."""
    today = today or timezone.localdate()
    milestone = Milestone.objects.select_related("workstream").filter(pk=milestone_id).first()
    if milestone is None:
        raise PermissionDenied
    edit = check_milestone_edit(user, milestone, change, base_version=base_version, today=today)
    write_milestones(user, [edit], via=via, today=today)
    saved = selectors.milestone_row(milestone.pk, today)  # as pages show it, health as of today
    assert saved is not None  # written above, in this very request
    saved.warnings = edit.warnings  # type: ignore[attr-defined]
    return saved


def check_milestone_edit(
    user: Any,
    milestone: Milestone,
    change: MilestoneChange,
    *,
    base_version: int | None,
    today: dt.date,
) -> CheckedEdit:
    """The rules of a person's edit, the same for the edit page, the admin and each row of a
    spreadsheet: may `user` edit `milestone` (PermissionDenied), then check_milestone."""
    if not can_edit_milestone(user, milestone):
        raise PermissionDenied
    return check_milestone(milestone, change, base_version=base_version, today=today)


def check_milestone(
    milestone: Milestone, change: MilestoneChange, *, base_version: int | None, today: dt.date
) -> CheckedEdit:
    """Are the values right (ValidationError, field -> messages), was it read at
    `base_version` (EditConflict; a milestone not saved yet is being created and has none).
    Writes nothing, and reads nothing, so a sheet or an import checks thousands of rows
    against milestones it read once. The importer calls it directly: its permission is the
    import's."""
    warnings: dict[str, str] = {}
    values = _checked_values(milestone, change, today, warnings)
    if milestone.pk is not None and milestone.version != base_version:
        raise EditConflict(milestone, last_change_of(milestone))
    return CheckedEdit(milestone, values, warnings)


def milestone_rule_errors(
    *, status: str, progress: int | None, completed_on: dt.date | None, comment: str, today: dt.date
) -> dict[str, str]:
    """The rules one milestone keeps, whoever writes it (importer, admin, coordinator, sheet):
    field name -> message. `progress` None means "not given" (done then implies 100)."""
    errors: dict[str, str] = {}
    if status == Milestone.Status.DONE:
        if completed_on is None:
            errors["completed_on"] = _("a done milestone needs its completion date")
        if progress is not None and progress != 100:
            errors["progress"] = _("a done milestone must have progress 100")
    elif completed_on is not None:
        errors["completed_on"] = _("only a done milestone has a completion date")
    if completed_on is not None and completed_on > today:
        errors["completed_on"] = _("the completion date is in the future")
    if status in {Milestone.Status.MISSED, Milestone.Status.CANCELLED} and not comment.strip():
        errors["comment"] = _("a missed or cancelled milestone needs a comment")
    return errors


def done_progress(status: str, progress: int | None) -> int | None:
    """Done is done: the bar is full, whatever was typed."""
    return 100 if status == Milestone.Status.DONE else progress


# Written by every write; the version moves on and updated_at is stamped besides.
WRITTEN_FIELDS = (
    "mission_id",
    "key",
    "title",
    "kind",
    "workstream_id",
    "status",
    "progress",
    "completed_on",
    "comment",
    "due_text",
    "due_start",
    "due_end",
    "due_precision",
    "due_reference",
    "editorial",
    "imported_state",
    "news_on",
    "health",
)
_DUE_FIELDS = ("due_text", "due_start", "due_end", "due_precision", "due_reference")
_BATCH = 1000  # rows per UPDATE on PostgreSQL


def write_milestones(
    user: Any, edits: Sequence[CheckedEdit], *, via: str, today: dt.date | None = None
) -> list[int]:
    """The one writer of milestones: write checked edits as `user` through `via` (edit,
    admin, sheet, import), all or none, in one transaction. The new milestones in one INSERT;
    the others locked in id order, their versions compared (someone saved since:
    EditConflict, nothing written), then updated a thousand per statement. History comes from
    the triggers, row by row, signed with `via`; a deadline that moved later is recorded as a
    slip; alerts that no longer hold are resolved, and those of what is now late or due soon
    are recorded, and sent after commit. Returns the ids written."""
    today = today or timezone.localdate()
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
                        via=via,
                    )
                    for old, new in ((edit.milestone, edit.values) for edit in updated)
                    # A window is all set or all empty (a check constraint): due_start too.
                    if new["due_end"]
                    and old.due_start
                    and old.due_end
                    and new["due_end"] > old.due_end
                ]
            )
        ids = [edit.milestone.pk for edit in edits]
        resolve_alerts(ids)
        # An edit that makes a milestone late or due soon alerts now, not at the next sweep.
        # A sheet can make thousands late at once: as many are enqueued now as a sweep would
        # send, the sweep's outbox sends the rest (they are recorded, unsent).
        enqueue_notifications(record_alerts(ids)[: settings.NOTIFY_PER_SWEEP])
    return ids


def delete_milestones(user: Any, ids: Iterable[int], *, via: str) -> int:
    """Delete milestones (an import whose document no longer lists them), signed."""
    with history.acting_as(user, via):
        return Milestone.objects.filter(pk__in=list(ids)).delete()[0]


def _column(name: str) -> Field[Any, Any]:
    field = Milestone._meta.get_field(name)
    assert isinstance(field, Field)  # a column of the table, not a reverse relation
    return field


def _db_column(field: Field[Any, Any]) -> str:
    assert field.column is not None  # only a field with no column of its own has none
    return field.column


def _max_length(name: str) -> int:
    limit = _column(name).max_length
    assert limit is not None  # a CharField
    return limit


def _compare_and_swap(edits: list[CheckedEdit]) -> None:
    table = connection.ops.quote_name(Milestone._meta.db_table)
    fields = [_column(name) for name in WRITTEN_FIELDS]
    base = {edit.milestone.pk: edit.milestone.version for edit in edits}
    # Locked in id order (two sheets over the same rows wait for each other, never
    # deadlock), so no one can save between the comparison and the write.
    current = dict(
        Milestone.objects.select_for_update()
        .filter(pk__in=base)
        .order_by("pk")
        .values_list("pk", "version")
    )
    for pk, version in base.items():
        if current.get(pk) != version:
            now = Milestone.objects.select_related("workstream").filter(pk=pk).first()
            if now is None:
                raise PermissionDenied  # deleted meanwhile: nothing to edit
            raise EditConflict(now, last_change_of(now))
    stamp = Milestone._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    rows = [
        [
            edit.milestone.pk,
            edit.milestone.version,
            *(f.get_db_prep_save(edit.values[f.attname], connection) for f in fields),
        ]
        for edit in edits
    ]
    columns = [connection.ops.quote_name(_db_column(f)) for f in fields]
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per thousand rows, the new values joined in by id: half the time
            # of a statement per row, each parsed and planned anew.
            first = ", ".join(
                [
                    "%s::bigint",
                    "%s::integer",
                    *(f"%s::{f.cast_db_type(connection)}" for f in fields),
                ]
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


def _checked_values(
    milestone: Milestone, change: MilestoneChange, today: dt.date, warnings: dict[str, str]
) -> dict[str, Any]:
    """The values to store: the milestone's, with what `change` gives, checked; what is
    worth a word to the person goes into `warnings`."""
    given = change.given()
    current = {name: getattr(milestone, name) for name in WRITTEN_FIELDS}
    merged = {**current, **{k: v for k, v in given.items() if k not in {"due", "due_text"}}}
    errors: dict[str, list[str]] = {}
    if merged["status"] not in Milestone.Status.values:
        errors["status"] = [_("unknown status")]
    if merged["kind"] not in Milestone.Kind.values:
        errors["kind"] = [_("unknown kind")]
    progress = merged["progress"]
    if progress is None or not 0 <= progress <= 100:
        errors["progress"] = [_("progress is a percentage, from 0 to 100")]
    merged["progress"] = done_progress(merged["status"], progress)
    rule_errors = milestone_rule_errors(
        status=merged["status"],
        # Done fills the bar: whatever progress came with it is not an error.
        progress=None if merged["status"] == Milestone.Status.DONE else progress,
        completed_on=merged["completed_on"],
        comment=merged["comment"] or "",
        today=today,
    )
    for field, message in rule_errors.items():
        errors.setdefault(field, []).append(message)
    merged["title"] = (merged["title"] or "").strip()
    if not merged["title"]:
        errors["title"] = [_("a milestone needs a title")]
    if "due" in given:
        due = given["due"]
        merged.update(
            due
            if due is not None
            else dict.fromkeys(_DUE_FIELDS, None) | {"due_text": "", "due_precision": ""}
        )
    elif "due_text" in given:
        merged.update(
            _due_from_words(
                milestone, given["due_text"].strip(), today, errors, warnings, change.due_retyped
            )
        )
    for name in ("key", "title", "due_text"):
        limit = _max_length(name)
        if len(merged[name] or "") > limit:
            errors.setdefault(name, []).append(
                _("at most %(limit)s characters (here %(count)s)")
                % {"limit": limit, "count": len(merged[name])}
            )
    if errors:
        raise ValidationError(errors)
    if change.news:
        merged["news_on"] = today
    candidate = Milestone(**{k: v for k, v in merged.items() if k != "health"})
    merged["health"] = candidate.health_on(today, settings.DEADLINE_HORIZON_DAYS)
    return merged


def _due_from_words(
    milestone: Milestone,
    text: str,
    today: dt.date,
    errors: dict[str, list[str]],
    warnings: dict[str, str],
    retyped: bool,
) -> dict[str, Any]:
    """The due fields for the words `text`. The same words keep their window; words edited
    without moving it (a typo, an apostrophe) keep the day they were first read against, so
    "à l'automne" read in 2020 does not jump to this autumn; new words are read against today,
    and so are words a person `retyped`, the same or not. Words read today whose window has
    already ended are written, with a warning: late all along is a fact worth recording."""
    if text == (milestone.due_text or "").strip() and not retyped:
        return {name: getattr(milestone, name) for name in _DUE_FIELDS}
    if not text:
        return dict.fromkeys(_DUE_FIELDS, None) | {"due_text": "", "due_precision": ""}
    if len(text) > _max_length("due_text"):
        return {"due_text": text}  # refused by the length check
    period = (
        None
        if retyped
        else periods.same_window(
            text, milestone.due_reference, milestone.due_start, milestone.due_end
        )
    )
    if period is None:
        try:
            period = periods.parse_period(text, today)
        except periods.PeriodParseError as error:
            errors["due_text"] = [period_error_message(error)]
            return {}
        if period.end < today:
            warnings["due_text"] = past_due_message(period)
    return period.fields("due")


def past_due_message(period: periods.Period) -> str:
    """What a person is told when due words they set name a window that has already ended."""
    return _(
        "The deadline « %(text)s » has already passed: it reads from %(start)s to %(end)s. "
        "The milestone is saved with it; if you meant another date, correct it."
    ) % {
        "text": period.text,
        "start": dates.day(period.start, get_language()),
        "end": dates.day(period.end, get_language()),
    }


def last_change_of(milestone: Milestone) -> HistoryEntry | None:
    return (
        HistoryEntry.objects.filter(table_name=Milestone._meta.db_table, row_id=milestone.pk)
        .select_related("actor")
        .order_by("-pk")
        .first()
    )

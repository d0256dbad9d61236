"""Writes with rules: what a coordinator may change on a milestone, and how.

Permissions are checked here as well as in the views: a crafted request that reaches the
service for another workstream's milestone is refused, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import history, periods, selectors
from .quotes import find_quote
from .models import (
    Assessed,
    Assessment,
    DeadlineAlert,
    Evidence,
    Mission,
    Source,
    Workstream,
    DigestDelivery,
    Forecast,
    HistoryEntry,
    Milestone,
    MilestoneSlip,
    Notification,
    period_error_message,
)

logger = logging.getLogger(__name__)


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
    window, against the day they were first read); an import gives the window it read in the
    document as `due` instead (a dict of the five due_* fields, or None for no deadline)."""

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

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not KEEP and f.name != "news"}


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
    if it is still at `base_version`: check_milestone_edit, then write_milestones.

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
    return saved


def check_milestone_edit(
    user: Any, milestone: Milestone, change: MilestoneChange, *, base_version: int | None, today: dt.date
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
    values = _checked_values(milestone, change, today)
    if milestone.pk is not None and milestone.version != base_version:
        raise EditConflict(milestone, last_change_of(milestone))
    return CheckedEdit(milestone, values)


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
_WRITTEN_FIELDS = (
    "mission_id", "key", "title", "kind", "workstream_id", "status", "progress", "completed_on", "comment",
    "due_text", "due_start", "due_end", "due_precision", "due_reference",
    "editorial", "imported_state", "news_on", "health",
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
                    if new["due_end"] and old.due_end and new["due_end"] > old.due_end
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


def _compare_and_swap(edits: list[CheckedEdit]) -> None:
    table = connection.ops.quote_name(Milestone._meta.db_table)
    fields = [Milestone._meta.get_field(name) for name in _WRITTEN_FIELDS]
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
        [edit.milestone.pk, edit.milestone.version, *(f.get_db_prep_save(edit.values[f.attname], connection) for f in fields)]
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
    """The values to store: the milestone's, with what `change` gives, checked."""
    given = change.given()
    current = {name: getattr(milestone, name) for name in _WRITTEN_FIELDS}
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
        merged.update(due if due is not None else dict.fromkeys(_DUE_FIELDS, None) | {"due_text": "", "due_precision": ""})
    elif "due_text" in given:
        merged.update(_due_from_words(milestone, given["due_text"].strip(), today, errors))
    for name in ("title", "due_text"):
        limit = Milestone._meta.get_field(name).max_length
        if len(merged[name] or "") > limit:
            errors.setdefault(name, []).append(
                _("at most %(limit)s characters (here %(count)s)") % {"limit": limit, "count": len(merged[name])}
            )
    if errors:
        raise ValidationError(errors)
    if change.news:
        merged["news_on"] = today
    candidate = Milestone(**{k: v for k, v in merged.items() if k != "health"})
    merged["health"] = candidate.health_on(today, settings.DEADLINE_HORIZON_DAYS)
    return merged


def _due_from_words(milestone: Milestone, text: str, today: dt.date, errors: dict[str, list[str]]) -> dict[str, Any]:
    """The due fields for the words `text`. The same words keep their window; words edited
    without moving it (a typo, an apostrophe) keep the day they were first read against, so
    "à l'automne" read in 2020 does not jump to this autumn; new words are read against today."""
    if text == (milestone.due_text or "").strip():
        return {name: getattr(milestone, name) for name in _DUE_FIELDS}
    if not text:
        return dict.fromkeys(_DUE_FIELDS, None) | {"due_text": "", "due_precision": ""}
    if len(text) > Milestone._meta.get_field("due_text").max_length:
        return {"due_text": text}  # refused by the length check
    period = periods.same_window(text, milestone.due_reference, milestone.due_start, milestone.due_end)
    if period is None:
        try:
            period = periods.parse_period(text, today)
        except periods.PeriodParseError as error:
            errors["due_text"] = [period_error_message(error)]
            return {}
    return period.fields("due")


# --------------------------------------------------------------------------------------------
# Assessments ("statut constaté"): observers rate, with evidence


@dataclass(frozen=True)
class EvidenceQuote:
    """A quote an assessment stands on: a source's key and the verbatim words."""

    source_key: str
    quote: str
    primary: bool = True


@dataclass(frozen=True)
class AssessmentInput:
    rating: str
    as_of: dt.date
    rationale: str
    evidence: Sequence[EvidenceQuote] = ()
    successor_milestone_id: int | None = None
    successor_mission_id: int | None = None
    key: str = ""


def can_assess(user: Any) -> bool:
    """Observers (the "Observateurs" group, or anyone granted initiatives.add_assessment) and
    administrators assess; coordinators declare."""
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.has_perm("initiatives.add_assessment")))


def coordinates(user: Any, target: Milestone | Mission) -> bool:
    """Whether `user` coordinates what `target` belongs to: a milestone's workstream, or any
    workstream of a mission. Nobody assesses their own work."""
    if not getattr(user, "pk", None):
        return False
    if isinstance(target, Milestone):
        return target.workstream_id is not None and Workstream.coordinators.through.objects.filter(
            workstream_id=target.workstream_id, user_id=user.pk
        ).exists()
    return Workstream.coordinators.through.objects.filter(
        workstream__mission_id=target.pk, user_id=user.pk
    ).exists()


def can_assess_target(user: Any, target: Milestone | Mission) -> bool:
    return can_assess(user) and not coordinates(user, target)


def too_early_to_say_not_achieved(rating: str, as_of: dt.date, status: str, due_end: dt.date | None) -> str | None:
    """"Not achieved" of a milestone needs its window and the grace period to have ended by
    the assessment's date, or the milestone abandoned (declared missed or cancelled): a late
    promise is not yet a broken one. Why not, in words; None when it may be said."""
    if rating != Assessed.NOT_ACHIEVED or status in (Milestone.Status.MISSED, Milestone.Status.CANCELLED):
        return None
    if due_end is None:
        return _("“not achieved” needs a deadline that has passed, with its grace period, or a milestone declared missed or cancelled")
    grace_end = due_end + dt.timedelta(days=settings.ASSESSMENT_GRACE_DAYS)
    if as_of <= grace_end:
        return _("too early to say “not achieved”: the window and its grace period run until %(day)s") % {
            "day": date_format(grace_end, "j F Y")
        }
    return None


def record_assessment(
    user: Any, target: Milestone | Mission, given: AssessmentInput, *, today: dt.date | None = None, via: str = "assessment"
) -> Assessment:
    """Record an assessment of a milestone or a mission, as `user` (None: an import, whose
    permission is the import's). The rules, here and only here:
    - observers and administrators assess, never the coordinators of what they assess;
    - a rating other than "not assessed" and "no conclusive evidence" stands on at least one
      quote, each found verbatim in its source (as every citation is);
    - every rating has a rationale; its "as of" date is not in the future;
    - "no longer relevant / replaced" may point to what replaced it, elsewhere than itself.
    A revision is a new assessment: the latest (as of, then recorded) is copied on the
    assessed row (assessed status, assessed on), for lists, filters and counts. It is news of
    a milestone, so its health is read again, and it answers the milestone's open alerts.
    Raises PermissionDenied or ValidationError (field -> messages; nothing written)."""
    today = today or timezone.localdate()
    if user is not None and not can_assess_target(user, target):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if given.rating not in Assessed.values:
        errors["rating"] = [_("unknown assessed status")]
    if not given.rationale.strip():
        errors["rationale"] = [_("an assessment needs a rationale: what was looked at, and what it shows")]
    if given.as_of > today:
        errors["as_of"] = [_("an assessment cannot be dated in the future")]
    # Numbered as given, blank rows included: "evidence 3" is the form's third row.
    quotes = [(n, e) for n, e in enumerate(given.evidence, start=1) if e.quote.strip() or e.source_key]
    if given.rating in Assessed.values and Assessed.needs_evidence(given.rating) and not quotes:
        errors["evidence"] = [_("this rating needs at least one piece of evidence: a source and a verbatim quote of it")]
    sources = Source.objects.in_bulk({e.source_key for _n, e in quotes}, field_name="key")
    found: list[tuple[EvidenceQuote, Source, tuple[int, int]]] = []
    for number, item in quotes:
        source = sources.get(item.source_key)
        if source is None:
            errors.setdefault("evidence", []).append(_("evidence %(n)s: choose a source") % {"n": number})
            continue
        if not item.quote.strip():
            errors.setdefault("evidence", []).append(
                _("evidence %(n)s: copy the words of the source that support the rating") % {"n": number}
            )
            continue
        offsets = find_quote(source.text, item.quote)
        if offsets is None:
            errors.setdefault("evidence", []).append(
                _("evidence %(n)s: this quote is not in “%(source)s” word for word") % {"n": number, "source": source.title}
            )
            continue
        found.append((item, source, offsets))
    if isinstance(target, Milestone):
        early = too_early_to_say_not_achieved(given.rating, given.as_of, target.status, target.due_end)
        if early:
            errors.setdefault("rating", []).append(early)
    if isinstance(target, Milestone) and given.successor_milestone_id == target.pk:
        errors["successor_milestone"] = [_("a milestone cannot replace itself")]
    if isinstance(target, Mission) and given.successor_mission_id == target.pk:
        errors["successor_mission"] = [_("a mission cannot replace itself")]
    if (given.successor_milestone_id or given.successor_mission_id) and given.rating != Assessed.SUPERSEDED:
        errors.setdefault("rating", []).append(_("only a rating “no longer relevant / replaced” points to a successor"))
    if given.successor_milestone_id and "successor_milestone" not in errors:
        # A milestone is replaced by one of its own mission (a deferred foreign key would
        # only fail at commit, as a server error).
        successor = Milestone.objects.filter(pk=given.successor_milestone_id).values_list("mission_id", flat=True).first()
        if successor is None:
            errors["successor_milestone"] = [_("this milestone does not exist")]
        elif isinstance(target, Milestone) and successor != target.mission_id:
            errors["successor_milestone"] = [_("a milestone is replaced by a milestone of the same mission")]
    if (
        given.successor_mission_id
        and "successor_mission" not in errors
        and not Mission.objects.filter(pk=given.successor_mission_id).exists()
    ):
        errors["successor_mission"] = [_("this mission does not exist")]
    if errors:
        raise ValidationError(errors)
    field = "milestone" if isinstance(target, Milestone) else "mission"
    with history.acting_as(user, via):
        assessment = Assessment.objects.create(
            **{field: target},
            rating=given.rating,
            as_of=given.as_of,
            rationale=given.rationale.strip(),
            assessor=user if getattr(user, "pk", None) else None,
            successor_milestone_id=given.successor_milestone_id,
            successor_mission_id=given.successor_mission_id,
            key=given.key,
        )
        Evidence.objects.bulk_create(
            Evidence(
                assessment=assessment, source=source, quote=item.quote.strip(),
                start_offset=start, end_offset=end, primary=item.primary,
            )
            for item, source, (start, end) in found
        )
        _copy_current_assessment(target, news_on=today if user is not None else None, today=today)
    return assessment


def _copy_current_assessment(target: Milestone | Mission, *, news_on: dt.date | None, today: dt.date) -> None:
    """Copy the current assessment onto the assessed row. Not a compare-and-swap: these
    columns are written by no one else (write_milestones neither reads nor writes them), so a
    coordinator's form open meanwhile stays valid. The news date and the health it decides
    are written under the row's lock, as write_milestones writes them."""
    model = type(target)
    current = (
        Assessment.objects.filter(**{"milestone" if model is Milestone else "mission": target})
        .order_by("-as_of", "-recorded_at", "-pk")
        .values_list("rating", "as_of")
        .first()
    )
    rating, as_of = current or (Assessed.NOT_ASSESSED, None)
    if model is Mission:
        Mission.objects.filter(pk=target.pk).update(assessed_status=rating, assessed_on=as_of)
        return
    row = Milestone.objects.select_for_update().get(pk=target.pk)
    row.assessed_status, row.assessed_on = rating, as_of
    if news_on is not None and (row.news_on is None or news_on > row.news_on):
        row.news_on = news_on
    row.health = row.health_on(today, settings.DEADLINE_HORIZON_DAYS)
    Milestone.objects.filter(pk=row.pk).update(
        assessed_status=row.assessed_status, assessed_on=row.assessed_on, news_on=row.news_on, health=row.health
    )
    resolve_alerts([row.pk], assessed=True)


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
            changed, new_alerts = _sweep_in_one_statement(selectors.stale_health_arms(today), health)
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
    selects, where_params = [], []
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
                *case_params, *where_params,
                timezone.now(), *_CLOSED, R.CLOSED, R.MOVED,
                DeadlineAlert.Kind.NO_NEWS, Milestone.Health.OVERDUE, R.NEWS, R.PASSED,
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
    "ON CONFLICT (milestone_id, kind, deadline) DO UPDATE SET resolved_at = NULL, resolution = '' "
    f"WHERE {_ALERT_TABLE}.resolved_at IS NOT NULL RETURNING id"
)


def _alert_params() -> list[Any]:
    return [timezone.now(), Milestone.Health.DUE_SOON, Milestone.Health.OVERDUE, Milestone.Health.NO_NEWS]


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
        return alerts.update(resolved_at=timezone.now(), resolution=DeadlineAlert.Resolution.ASSESSED)
    milestone = Milestone.objects.filter(pk=OuterRef("milestone_id"))
    R = DeadlineAlert.Resolution
    why = Case(
        When(Exists(milestone.filter(status__in=_CLOSED)), then=Value(R.CLOSED)),
        When(~Exists(milestone.filter(due_end=OuterRef("deadline"))), then=Value(R.MOVED)),
        When(
            Q(kind=DeadlineAlert.Kind.NO_NEWS) & Exists(milestone.filter(health=Milestone.Health.OVERDUE)),
            then=Value(R.NEWS),
        ),
        default=Value(R.PASSED),
    )
    return alerts.exclude(
        Exists(milestone.filter(health=OuterRef("kind"), due_end=OuterRef("deadline")))
    ).update(resolved_at=timezone.now(), resolution=why)


def notify_alert(alert_id: int) -> int:
    """Tell the coordinators of an alert's workstream, once: a notification under each one's
    bell, and an email to those with an address.

    The alert is claimed by a compare-and-swap (notified_at: null → now) in the transaction
    that writes the notifications and sends the mail: a task delivered twice finds it claimed
    and does nothing; a send that fails rolls everything back, so the retry does it all.
    Returns the number of emails sent."""
    with transaction.atomic():
        # An alert that closed before its turn came says nothing any more.
        claimed = DeadlineAlert.objects.filter(
            pk=alert_id, notified_at__isnull=True, resolved_at__isnull=True
        ).update(
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
            subject = {
                DeadlineAlert.Kind.OVERDUE: gettext_noop("Overdue: %(title)s"),
                DeadlineAlert.Kind.NO_NEWS: gettext_noop("News wanted: %(title)s"),
            }.get(alert.kind, gettext_noop("Due soon: %(title)s"))
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
    """Enqueue, on commit, one digest per coordinator who has something overdue, past its
    deadline with no news, or due soon. Returns how many."""
    from .tasks import send_digest

    today = today or timezone.localdate()
    users = selectors.digest_recipients(today)
    enqueue_on_commit(send_digest, [(user_id, today.isoformat()) for user_id in users])
    return len(users)


def send_digest(user_id: int, day: dt.date) -> int:
    """Email `user_id` the day's digest: what is overdue, what passed its deadline with no
    news, and what is due soon in the workstreams they coordinate. Once per user and day: the delivery row is claimed (a unique insert) in the
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
                # The delivery counts overdue and due soon milestones; those past their
                # deadline with no news are in the mail, in neither count (no column yet).
                DigestDelivery.objects.create(
                    user=user, day=day, overdue=len(digest.overdue), due_soon=len(digest.due_soon)
                )
        except IntegrityError:
            return 0  # already sent today
        send_french_mail(
            gettext_noop(
                "Your deadlines on %(day)s: %(overdue)s overdue, %(no_news)s without news, %(due_soon)s due soon"
            ),
            {
                "day": day.strftime("%d/%m/%Y"),
                "overdue": len(digest.overdue),
                "no_news": len(digest.no_news),
                "due_soon": len(digest.due_soon),
            },
            "emails/digest.txt",
            {"user": user, "day": day, "sections": _digest_sections(digest)},
            [user.email],
        )
    return len(digest.overdue) + len(digest.no_news) + len(digest.due_soon)


# A digest lists this many milestones per section, then says how many more there are.
DIGEST_LINES = 30


def _digest_sections(digest: Any) -> list[dict[str, Any]]:
    """Each part of a digest: its kind, the milestones listed, how many more, in all."""
    return [
        {"kind": kind, "listed": rows[:DIGEST_LINES], "more": max(0, len(rows) - DIGEST_LINES), "total": len(rows)}
        for kind, rows in (("overdue", digest.overdue), ("no_news", digest.no_news), ("due_soon", digest.due_soon))
    ]


# --------------------------------------------------------------------------------------------
# The weather ("météo") of a workstream


def can_record_forecast(user: Any, workstream: Workstream) -> bool:
    """A workstream's coordinators give its weather, and administrators: those who know
    where it stands say how they see it go."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(user.is_staff) or workstream.coordinators.filter(pk=user.pk).exists()


def record_forecast(
    user: Any, workstream: Workstream, level: str, narrative: str, stated_on: dt.date | None,
    *, today: dt.date | None = None,
) -> Forecast:
    """Record `user`'s forecast for `workstream`: a level (sunny, overcast, cloudy, stormy),
    the narrative that explains it (required: a sun with no reason is not information) and
    the day it was stated (today or earlier). Every forecast is kept; the latest is shown.
    Raises PermissionDenied (not a coordinator of this workstream, nor an administrator) or
    ValidationError (field -> messages; nothing written)."""
    today = today or timezone.localdate()
    if not can_record_forecast(user, workstream):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if level not in Forecast.Level.values:
        errors["level"] = [_("choose the weather")]
    narrative = (narrative or "").strip()
    if not narrative:
        errors["narrative"] = [_("say why: the weather needs its narrative")]
    if stated_on is None:
        errors["stated_on"] = [_("give the day this weather was stated")]
    elif stated_on > today:
        errors["stated_on"] = [_("the weather cannot be dated in the future")]
    if errors:
        raise ValidationError(errors)
    return Forecast.objects.create(
        workstream=workstream, level=level, narrative=narrative, stated_on=stated_on, author=user
    )

"""The data "as known on" a day (`?au=`): missions, workstreams and milestones rebuilt from the
history (HistoryEntry keeps each write's whole row before and after), as they stood at the
end of that day, Europe/Paris, with health computed as it would have been on that day.

Per row, one query reads two history entries: the latest up to the end of the day (its row
after, or nothing if it was a deletion), and the first after it (for a row with nothing
recorded by then: an insertion means it did not exist yet; a change or a deletion gives its
row before, the earliest state known). A row with no history at all predates the history
and never changed since: it is today's row, if it was created by then. So rows created after
the day are absent and rows deleted since come back. Before the history's first entry the
states are the earliest known, not the true ones; `AsOf.before_history` says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Exists, Max, Min, Model, OuterRef, Q
from django.utils import timezone

from ..models import Milestone, Mission, Workstream

MODELS: dict[str, type[Model]] = {
    Mission._meta.db_table: Mission,
    Workstream._meta.db_table: Workstream,
    Milestone._meta.db_table: Milestone,
}


def end_of(day: dt.date) -> dt.datetime:
    """The last instant of `day` in the site's time zone (Europe/Paris)."""
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(start) - dt.timedelta(microseconds=1)


def parse_day(text: str, today: dt.date) -> dt.date | None:
    """`text` as a day of the past or today (YYYY-MM-DD), or None."""
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
    if day is None or day > today or day.year < 1900:
        return None
    return day


@dataclass
class AsOf:
    day: dt.date
    history_start: dt.datetime | None  # the first write recorded, if any
    missions: list[Mission] = field(default_factory=list)  # by title
    workstreams: list[Workstream] = field(default_factory=list)  # by mission, position
    milestones: list[Milestone] = field(default_factory=list)  # by window
    slips: list[Any] = field(default_factory=list)  # MilestoneSlip recorded by then

    @property
    def before_history(self) -> bool:
        return self.history_start is None or end_of(self.day) < self.history_start


def health(milestone: Milestone) -> str:
    """The health a rebuilt milestone had on its day."""
    return str(milestone.current_health)  # type: ignore[attr-defined]


def _instance(model: type[Model], data: dict[str, Any]) -> Any:
    row = model()
    for f in model._meta.concrete_fields:
        if f.column in data:
            setattr(row, f.attname, f.to_python(data[f.column]))
    row._state.adding = False
    return row


def _states(
    ends: Sequence[dt.datetime], scope: Q
) -> list[dict[tuple[str, int], dict[str, Any] | None]]:
    """For each instant, every row of `scope` with history: its row then, or None (one query)."""
    from ..models import HistoryEntry

    rows = HistoryEntry.objects.filter(scope).order_by().values("table_name", "row_id")
    wanted = Q(pk__in=[])
    for end in ends:
        wanted |= Q(pk__in=rows.filter(at__lte=end).annotate(n=Max("id")).values("n"))
        wanted |= Q(pk__in=rows.filter(at__gt=end).annotate(n=Min("id")).values("n"))
    entries = list(
        HistoryEntry.objects.filter(wanted)
        .only("table_name", "row_id", "action", "at", "old", "new")
        .order_by("pk")
    )
    found: list[dict[tuple[str, int], dict[str, Any] | None]] = []
    for end in ends:
        states: dict[tuple[str, int], dict[str, Any] | None] = {}
        decided: set[tuple[str, int]] = set()
        for entry in entries:  # oldest first: the last one up to `end` wins
            row = (entry.table_name, entry.row_id)
            if entry.at <= end:
                states[row] = entry.new
                decided.add(row)
            elif row not in decided and row not in states:
                states[row] = None if entry.action == "insert" else entry.old
        found.append(states)
    return found


def snapshots(days: Sequence[dt.date], mission_id: int | None = None) -> list[AsOf]:
    """The data as known at the end of each day: all of it, or one mission's (six queries)."""
    from ..models import HistoryEntry, MilestoneSlip

    ends = [end_of(day) for day in days]
    start = HistoryEntry.objects.aggregate(first=Min("at"))["first"]
    if mission_id is None:
        scope = Q(table_name__in=list(MODELS))
        unrecorded = {t: m._default_manager.all() for t, m in MODELS.items()}
    else:
        scope = Q(table_name=Mission._meta.db_table, row_id=mission_id) | Q(
            Q(new__mission_id=mission_id) | Q(old__mission_id=mission_id),
            table_name__in=[Workstream._meta.db_table, Milestone._meta.db_table],
        )
        unrecorded = {
            Mission._meta.db_table: Mission.objects.filter(pk=mission_id),
            Workstream._meta.db_table: Workstream.objects.filter(mission_id=mission_id),
            Milestone._meta.db_table: Milestone.objects.filter(mission_id=mission_id),
        }
    states = _states(ends, scope)
    # Rows the history never saw: imported before it, never changed since (three queries).
    untouched: list[Any] = []
    for table, rows in unrecorded.items():
        seen = HistoryEntry.objects.filter(table_name=table, row_id=OuterRef("pk"))
        untouched += rows.filter(~Exists(seen), created_at__lte=max(ends))
    recorded = MilestoneSlip.objects.filter(recorded_at__lte=max(ends)).select_related("milestone")
    if mission_id is not None:
        recorded = recorded.filter(milestone__mission_id=mission_id)
    slips = list(recorded.order_by("recorded_at", "pk"))
    return [
        _assemble(day, end, start, found, untouched, slips)
        for day, end, found in zip(days, ends, states)
    ]


def _assemble(
    day: dt.date,
    end: dt.datetime,
    start: dt.datetime | None,
    states: dict[tuple[str, int], dict[str, Any] | None],
    untouched: list[Any],
    slips: list[Any],
) -> AsOf:
    by_table: dict[str, list[Any]] = {table: [] for table in MODELS}
    for (table, _pk), data in states.items():
        if data is not None:
            by_table[table].append(_instance(MODELS[table], data))
    for row in untouched:
        if row.created_at <= end:
            by_table[row._meta.db_table].append(row)
    missions = {m.pk: m for m in by_table[Mission._meta.db_table]}
    workstreams = {w.pk: w for w in by_table[Workstream._meta.db_table] if w.mission_id in missions}
    milestones = [m for m in by_table[Milestone._meta.db_table] if m.mission_id in missions]
    horizon = settings.DEADLINE_HORIZON_DAYS
    effective: dict[int, dict[int | None, list[int]]] = {}
    for m in milestones:
        m.mission = missions[m.mission_id]
        m.workstream = workstreams.get(m.workstream_id) if m.workstream_id else None
        m.current_health = m.health_on(day, horizon)
        if m.kind == Milestone.Kind.DELIVERABLE and m.due_end and m.status != "cancelled":
            value = 100 if m.status == Milestone.Status.DONE else m.progress
            effective.setdefault(m.mission_id, {}).setdefault(m.workstream_id, []).append(value)
    for w in workstreams.values():
        w.mission = missions[w.mission_id]
        values = effective.get(w.mission_id, {}).get(w.pk)
        w.progress = sum(values) / len(values) if values else None
    for mission in missions.values():
        groups = [sum(v) / len(v) for v in effective.get(mission.pk, {}).values()]
        mission.progress = sum(groups) / len(groups) if groups else None
    ids = {m.pk for m in milestones}
    return AsOf(
        day=day,
        history_start=start,
        missions=sorted(missions.values(), key=lambda m: (m.title, m.pk)),
        workstreams=sorted(workstreams.values(), key=lambda w: (w.mission_id, w.position, w.pk)),
        milestones=sorted(
            milestones, key=lambda m: (m.due_end is None, m.due_end or day, m.due_start, m.key)
        ),
        slips=[s for s in slips if s.recorded_at <= end and s.milestone_id in ids],
    )


@dataclass(frozen=True)
class Move:
    milestone: Milestone  # as at the later day (or the earlier one, if gone since)
    changes: list[tuple[str, str, str]]  # (what, before, after), for people


@dataclass(frozen=True)
class Comparison:
    mission: Mission
    before: AsOf
    after: AsOf
    moves: list[Move]
    added: list[Milestone]
    removed: list[Milestone]
    slips: list[Any]  # recorded between the two days
    assessments: list[Any]  # recorded between the two days


def compare(mission_id: int, earlier: dt.date, later: dt.date) -> Comparison | None:
    """What moved in one mission between two days: status, progress, deadlines, health and
    assessed status of its milestones; the slips and assessments recorded in between."""
    from ..models import Assessment
    from .history import _column_label, _shown_value

    before, after = snapshots([earlier, later], mission_id)
    mission = next((m for m in after.missions), None) or next(iter(before.missions), None)
    if mission is None:
        return None
    was = {m.pk: m for m in before.milestones}
    now = {m.pk: m for m in after.milestones}
    # The window's end too: the same words read again later can mean a later deadline.
    watched = ("status", "progress", "due_text", "due_end", "completed_on", "assessed_status")
    moves = []
    for pk, m in now.items():
        if pk not in was:
            continue
        changes = [
            (
                _column_label(Milestone, column),
                _shown_value(Milestone, column, getattr(was[pk], column)),
                _shown_value(Milestone, column, getattr(m, column)),
            )
            for column in watched
            if getattr(was[pk], column) != getattr(m, column)
        ]
        if health(was[pk]) != health(m):
            changes.append(
                (
                    _column_label(Milestone, "health"),
                    _shown_value(Milestone, "health", health(was[pk])),
                    _shown_value(Milestone, "health", health(m)),
                )
            )
        if changes:
            moves.append(Move(m, changes))
    start, end = end_of(earlier), end_of(later)
    assessments = list(
        Assessment.objects.filter(
            Q(mission_id=mission_id) | Q(milestone__mission_id=mission_id),
            recorded_at__gt=start,
            recorded_at__lte=end,
        )
        .select_related("milestone")
        .order_by("recorded_at", "pk")
    )
    return Comparison(
        mission=mission,
        before=before,
        after=after,
        moves=moves,
        added=[m for pk, m in now.items() if pk not in was],
        removed=[m for pk, m in was.items() if pk not in now],
        slips=[s for s in after.slips if s.recorded_at > start],
        assessments=assessments,
    )


def mission_id_for(key: str) -> int | None:
    """The mission known by `key`, today or in its history (one or two queries)."""
    from ..models import HistoryEntry

    found = Mission.objects.filter(key=key).values_list("pk", flat=True).first()
    if found is not None:
        return found
    entry = (
        HistoryEntry.objects.filter(
            Q(new__key=key) | Q(old__key=key), table_name=Mission._meta.db_table
        )
        .order_by("-pk")
        .values_list("row_id", flat=True)
        .first()
    )
    return entry


def milestone_mission_id(pk: int) -> int | None:
    """The mission of milestone `pk`, today or in its history (one or two queries)."""
    from ..models import HistoryEntry

    found = Milestone.objects.filter(pk=pk).values_list("mission_id", flat=True).first()
    if found is not None:
        return found
    entry = (
        HistoryEntry.objects.filter(table_name=Milestone._meta.db_table, row_id=pk)
        .order_by("-pk")
        .first()
    )
    row = (entry.new or entry.old) if entry is not None else None
    return int(row["mission_id"]) if row else None

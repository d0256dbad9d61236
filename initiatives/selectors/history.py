"""History: what changed, for people (the milestone and mission pages, the feeds)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Field, Model, Q
from django.urls import reverse
from django.utils.translation import get_language

from .. import dates
from ..models import Milestone, Mission, Workstream


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryLine:
    entry: Any  # HistoryEntry
    title: str  # what the entry is about (a mission, workstream or milestone title)
    changes: list[Change]
    link: str = ""  # where to read more


# Columns that carry what a reader follows; the others are bookkeeping or derived.
SHOWN = {
    "initiatives_milestone": [
        "title",
        "status",
        "progress",
        "completed_on",
        "due_text",
        "comment",
        "health",
    ],
    "initiatives_workstream": ["title", "summary", "position"],
    "initiatives_mission": ["title", "summary", "status", "launch_text", "budget_text"],
}


def history_lines(entries: list[Any]) -> list[HistoryLine]:
    from .. import history
    from ..models import Milestone as MilestoneModel

    models = {
        "initiatives_milestone": MilestoneModel,
        "initiatives_workstream": Workstream,
        "initiatives_mission": Mission,
    }
    lines = []
    for entry in entries:
        model = models[entry.table_name]
        shown = SHOWN[entry.table_name]
        differences = history.changes(entry.old, entry.new)
        changes = [
            Change(_column_label(model, column), old, new)
            for column in shown
            if column in differences
            for old, new in [(_shown_value(model, column, v) for v in differences[column])]
            if old != new  # None and "" read the same: no change for a reader
        ]
        row = entry.new or entry.old or {}
        if entry.action == "update" and not changes:
            continue  # bookkeeping only (version, derived dates)
        lines.append(HistoryLine(entry, str(row.get("title", "")), changes))
    return lines


def _column_label(model: type[Model], column: str) -> str:
    field = model._meta.get_field(column)
    assert isinstance(field, Field)  # SHOWN names columns, never a reverse relation
    return str(field.verbose_name)


def _shown_value(model: Any, column: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    field = model._meta.get_field(column)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if column == "progress":
        return f"{value} %"
    if field.get_internal_type() == "DateField":
        try:
            return dates.day(dt.date.fromisoformat(str(value)[:10]), get_language())
        except ValueError:
            return str(value)
    return str(value)


def milestone_history(milestone: Milestone) -> tuple[list[HistoryLine], list[Any]]:
    """The changes of one milestone, newest first, and its slips (2 queries)."""
    from ..models import HistoryEntry, MilestoneSlip

    entries = list(
        HistoryEntry.objects.filter(table_name=Milestone._meta.db_table, row_id=milestone.pk)
        .select_related("actor")
        .order_by("-pk")[:100]
    )
    slips = list(MilestoneSlip.objects.filter(milestone=milestone).select_related("recorded_by"))
    return history_lines(entries), slips


def mission_history(mission: Mission, limit: int = 50) -> list[HistoryLine]:
    """The latest changes of a mission, its workstreams and its milestones (3 queries)."""
    from ..models import HistoryEntry

    workstream_ids = list(mission.workstreams.values_list("pk", flat=True))
    milestone_ids = list(mission.milestones.values_list("pk", flat=True))
    entries = list(
        HistoryEntry.objects.filter(
            Q(table_name=Mission._meta.db_table, row_id=mission.pk)
            | Q(table_name=Workstream._meta.db_table, row_id__in=workstream_ids)
            | Q(table_name=Milestone._meta.db_table, row_id__in=milestone_ids)
        )
        .select_related("actor")
        .order_by("-pk")[:limit]
    )
    mission_url = reverse("initiatives:mission", args=[mission.key])
    return [
        replace(
            line,
            link=reverse("initiatives:milestone", args=[line.entry.row_id])
            if line.entry.table_name == Milestone._meta.db_table and line.entry.action != "delete"
            else mission_url,
        )
        for line in history_lines(entries)
    ]

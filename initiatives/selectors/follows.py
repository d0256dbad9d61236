"""Following missions: whether a reader follows a mission, the missions they follow, and the
changes people made that reach followers (what counts, and how it reads)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from ..models import Milestone, Mission
from .history import Change, _column_label, _shown_value

# What a follower is told of: the declared status, progress, completion, due words and
# window (a slip moves its end), the coordinators' comment, and the assessed status. Other
# columns change too (the version, the health the writer derives, the news date): nobody
# follows those for themselves.
FOLLOWED_FIELDS: dict[str, list[str]] = {
    "initiatives_milestone": [
        "status",
        "progress",
        "completed_on",
        "due_text",
        "due_end",
        "comment",
        "assessed_status",
        "assessed_on",
    ],
    "initiatives_mission": ["status", "assessed_status", "assessed_on"],
}
_MODELS: dict[str, type[Milestone] | type[Mission]] = {
    "initiatives_milestone": Milestone,
    "initiatives_mission": Mission,
}


def is_following(user: Any, mission: Mission) -> bool:
    """Whether `user` follows `mission` (one indexed query; never for a visitor)."""
    from ..models import Follow

    if not (user.is_authenticated and user.is_active):
        return False
    return Follow.objects.filter(user=user, mission=mission).exists()


def followed_missions(user: Any) -> QuerySet[Mission]:
    """The missions `user` follows, by title, each with `followed_since` (one query)."""
    from django.db.models import F

    return (
        Mission.objects.filter(follows__user=user)
        .annotate(followed_since=F("follows__created_at"))
        .order_by("title", "pk")
    )


def followed_changes(entry: Any) -> list[Change] | None:
    """What a follower is told of one history entry, field by field: None when it tells
    them nothing (not a change of a followed field, nor a new assessment)."""
    from .. import history

    fields = FOLLOWED_FIELDS.get(entry.table_name)
    if fields is None or entry.action != "update":
        return None
    model = _MODELS[entry.table_name]
    differences = history.changes(entry.old, entry.new)
    changes = [
        Change(_column_label(model, column), old, new)
        for column in fields
        if column in differences
        for old, new in [(_shown_value(model, column, v) for v in differences[column])]
        if old != new
    ]
    # An assessment is news even when it confirms the rating and date already shown.
    if not changes and entry.via != "assessment":
        return None
    return changes


def mission_of(entry: Any) -> int | None:
    """The mission a history entry of a followed table belongs to."""
    if entry.table_name == "initiatives_mission":
        return int(entry.row_id)
    mission_id = (entry.new or entry.old or {}).get("mission_id")
    return int(mission_id) if mission_id is not None else None


@dataclass(frozen=True)
class FollowedChange:
    """A change told to a follower, as a notification or a digest line shows it."""

    title: str  # the milestone's or the mission's, as it read after the change
    mission_title: str
    link: str
    assessment: bool  # a new assessment, rather than the coordinators' edit
    changes: list[Change]
    author: str
    at: dt.datetime


def describe_notifications(notifications: list[Any]) -> list[Any]:
    """Give each notification of a change what its reader sees (`n.told`); those of alerts
    are left as they are. One query, whatever their number."""
    described = describe_changes([n.change for n in notifications if n.change_id])
    for n in notifications:
        n.told = described.get(n.change_id) if n.change_id else None
    return notifications


def describe_changes(entries: list[Any]) -> dict[int, FollowedChange]:
    """Each entry as its followers read it, by entry id (one query for the missions' titles;
    the entries come with their actor)."""
    mission_ids = {m for e in entries if (m := mission_of(e)) is not None}
    missions = dict(Mission.objects.filter(pk__in=mission_ids).values_list("pk", "title"))
    described = {}
    for entry in entries:
        row = entry.new or entry.old or {}
        mission_id = mission_of(entry)
        mission_title = missions.get(mission_id, "") if mission_id is not None else ""
        if entry.table_name == "initiatives_mission":
            key = row.get("key", "")
            link = reverse("initiatives:mission", args=[key]) if key else ""
        else:
            link = reverse("initiatives:milestone", args=[entry.row_id])
        actor = entry.actor
        described[entry.pk] = FollowedChange(
            title=str(row.get("title", "")),
            mission_title=mission_title,
            link=link,
            assessment=entry.via == "assessment",
            changes=followed_changes(entry) or [],
            author=(actor.get_full_name() or actor.username) if actor is not None else "",
            at=entry.at,
        )
    return described

"""What the open data's API reads of each kind: a queryset per kind, with what its
serializer shows joined or prefetched, so that a page costs the same few queries whatever its
size or depth (tests/test_api.py counts them at 1× and 10× the data). Each loads only the
columns it shows: no source's full text, no editorial notes, no import bookkeeping."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Prefetch, Q, QuerySet

from ..models import (
    Actor,
    Assessment,
    Citation,
    Evidence,
    HistoryEntry,
    Involvement,
    Label,
    Milestone,
    MilestoneSlip,
    Mission,
    MissionLink,
    Source,
    Workstream,
)
from .health import missions_with_progress, with_current_health, workstreams_with_progress
from .history import SHOWN

_SOURCE = ("key", "title", "publisher", "url", "published_on")


def _quotes(path: str = "citations") -> Prefetch:
    """The quotes of each object at `path`, with their source, in one query."""
    citations = Citation.objects.select_related("source").only(
        *("id", "fact", "quote", "start_offset", "end_offset"),
        *Citation.TARGETS,
        *(f"source__{name}" for name in _SOURCE),
    )
    return Prefetch(path, queryset=citations.order_by("pk"))


def missions() -> QuerySet[Mission]:
    """Missions with progress, labels, actors and quotes: five queries a page."""
    involvements = Involvement.objects.select_related("actor").only(
        "id", "mission_id", "actor__key", "role", "capacity"
    )
    return (
        missions_with_progress()
        .defer("editorial")
        .prefetch_related(
            Prefetch("labels", queryset=Label.objects.only("id", "key")),
            Prefetch("involvements", queryset=involvements),
            _quotes("involvements__citations"),
            _quotes(),
        )
    )


def workstreams() -> QuerySet[Workstream]:
    return (
        workstreams_with_progress()
        .select_related("mission", "lead")
        .only(
            *("id", "key", "position", "title", "summary", "updated_at"),
            *("mission__key", "lead__key"),
        )
        .prefetch_related(_quotes())
    )


def milestones(today: dt.date) -> QuerySet[Milestone]:
    """Milestones with their health as of `today` (computed, not the sweep's copy) and their
    quotes: two queries a page."""
    rows = (
        Milestone.objects.select_related("mission", "workstream")
        .only(
            *("id", "key", "title", "kind", "status", "progress", "completed_on", "comment"),
            *("due_text", "due_start", "due_end", "due_precision", "due_reference"),
            *("news_on", "assessed_status", "assessed_on", "updated_at"),
            *("mission__key", "workstream__key"),
        )
        .prefetch_related(_quotes())
    )
    return with_current_health(rows, today)


def labels() -> QuerySet[Label]:
    return Label.objects.all()


def actors() -> QuerySet[Actor]:
    return Actor.objects.select_related("affiliation").only(
        "id", "key", "name", "kind", "description", "affiliation__key"
    )


def sources() -> QuerySet[Source]:
    """Without their text: the API publishes the data under Licence Ouverte, and a source's
    text is its publisher's (the page shows it, with its address; `text_sha256` lets a
    reuser check a copy against what the quotes were verified on)."""
    return Source.objects.defer("text")


def citations() -> QuerySet[Citation]:
    """Quotes with their source and what they support (its mission, its key): one query."""
    return Citation.objects.select_related(
        "source",
        "mission",
        "workstream__mission",
        "milestone__mission",
        "involvement__mission",
        "involvement__actor",
        "link__from_mission",
        "link__to_mission",
    ).only(
        *("id", "fact", "quote", "start_offset", "end_offset"),
        *(f"source__{name}" for name in _SOURCE),
        *("mission__key", "workstream__key", "workstream__mission__key"),
        *("milestone__key", "milestone__mission__key", "involvement__mission__key"),
        *("involvement__actor__key", "link__from_mission__key", "link__to_mission__key"),
    )


def assessments() -> QuerySet[Assessment]:
    """Every assessment, revisions included, with the target's declared status beside it."""
    evidence = Evidence.objects.select_related("source").only(
        "id", "assessment_id", "quote", "primary", *(f"source__{name}" for name in _SOURCE)
    )
    return (
        Assessment.objects.select_related("mission", "milestone__mission", "successor_mission")
        .only(
            *("id", "rating", "as_of", "rationale", "recorded_at", "successor_milestone_id"),
            *("mission__key", "mission__status", "milestone__status", "milestone__mission__key"),
            "successor_mission__key",
        )
        .prefetch_related(Prefetch("evidence", queryset=evidence))
    )


def links() -> QuerySet[MissionLink]:
    return (
        MissionLink.objects.select_related("from_mission", "to_mission")
        .only("id", "kind", "from_mission__key", "to_mission__key")
        .prefetch_related(_quotes())
    )


def slips() -> QuerySet[MilestoneSlip]:
    return MilestoneSlip.objects.select_related("milestone__mission").only(
        *("id", "old_text", "old_start", "old_end", "new_text", "new_start", "new_end"),
        *("via", "recorded_at", "milestone__mission__key"),
    )


def history() -> QuerySet[HistoryEntry]:
    """The history of missions, workstreams and milestones as the pages show it: creations,
    deletions, and the updates that changed a column a reader follows (selectors.history.SHOWN),
    not those that only kept the books (a version, a derived date). Without who: the API does
    not publish people."""
    written = Q(action__in=[HistoryEntry.Action.INSERT, HistoryEntry.Action.DELETE])
    for table, columns in SHOWN.items():
        differs = Q()
        for column in columns:
            differs |= ~Q(**{f"old__{column}": F(f"new__{column}")})
        written |= Q(table_name=table) & differs
    # What was deleted from the site stays deleted: its former entries are not served, and
    # its deletion says only which object went (api/serializers.HistorySerializer).
    alive = Q(action=HistoryEntry.Action.DELETE)
    for rows in (Mission.objects.all(), Workstream.objects.all(), Milestone.objects.all()):
        alive |= Q(table_name=rows.model._meta.db_table, row_id__in=rows.values("pk"))
    return HistoryEntry.objects.filter(written, alive, table_name__in=list(SHOWN)).defer(
        "actor", "notified_at"
    )

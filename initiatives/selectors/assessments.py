"""Assessments ("statut constaté"): their timeline on a page, what an observer quotes from
and what may replace an assessed target, and the dashboard's counts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from ..models import Assessed, Assessment, Milestone, Mission, Source


def milestones_by_assessment() -> dict[str, Any]:
    """How many milestones stand at each assessed status, in one query (the copy of the
    current assessment on each row): the assessed ones by rating, the others as one number."""
    counts = dict(
        Milestone.objects.order_by()
        .values_list("assessed_status")
        .annotate(n=Count("id"))
        .values_list("assessed_status", "n")
    )
    return {
        "milestones_by_assessment": [
            (a.value, a.label, counts.get(a.value, 0))
            for a in Assessed
            if a != Assessed.NOT_ASSESSED
        ],
        "milestones_not_assessed": counts.get(Assessed.NOT_ASSESSED, 0),
    }


def assessment_timeline(target: Milestone | Mission) -> list[Assessment]:
    """Every assessment of a milestone or a mission, newest first (the first is the current
    one), with its assessor, successor and evidence: two queries, none for what was never
    assessed (no assessment leaves `assessed_on` empty: services.record_assessment copies the
    latest one's date there)."""
    if target.assessed_on is None:
        return []
    field = "milestone" if isinstance(target, Milestone) else "mission"
    return list(
        Assessment.objects.filter(**{field: target})
        .select_related("assessor", "successor_milestone", "successor_mission")
        .prefetch_related(Prefetch("evidence", queryset=_evidence_shown()))
        .order_by("-as_of", "-recorded_at", "-pk")
    )


def _evidence_shown() -> QuerySet[Any]:
    from ..models import Evidence

    return (
        Evidence.objects.select_related("source")
        .only("assessment_id", "quote", "primary", "source__key", "source__title")
        .order_by("-primary", "pk")
    )


def evidence_sources(mission: Mission) -> list[tuple[str, str]]:
    """The sources an observer quotes from when assessing `mission` or one of its milestones:
    those the mission cites, or every source when it cites none (key, title)."""
    cited = list(mission.sources.order_by("-published_on", "title").values_list("key", "title"))
    return cited or list(
        Source.objects.order_by("-published_on", "title").values_list("key", "title")
    )


def assessment_successors(
    mission: Mission, milestone: Milestone | None
) -> tuple[QuerySet[Milestone], QuerySet[Mission]]:
    """What may replace an assessed target: a milestone of the same mission (for a
    milestone), another mission."""
    milestones = Milestone.objects.filter(mission=mission)
    if milestone is not None:
        milestones = milestones.exclude(pk=milestone.pk)
    milestones = milestones.order_by("due_end", "title")
    missions = Mission.objects.order_by("title", "pk").only("key", "title")
    if milestone is None:
        missions = missions.exclude(pk=mission.pk)
    return milestones.only("title", "due_text"), missions

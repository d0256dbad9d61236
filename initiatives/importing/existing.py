"""The database side: the rows a plan touches as they stand, in the same shape as the
planned ones, read in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from ..models import (
    Actor,
    Assessment,
    Citation,
    Evidence,
    Involvement,
    Label,
    Milestone,
    Mission,
    MissionLink,
    Source,
    Workstream,
)
from ..quotes import fold_whitespace
from .rows import _MODEL_FIELDS, MODEL_ORDER, Fields, NaturalKey


def _fields(obj: Any, model: str) -> Fields:
    return {name: getattr(obj, name) for name in _MODEL_FIELDS[model]}


def _citations_of(mission_keys: Iterable[str], source_keys: Iterable[str] = ()) -> Any:
    """Every citation of the given missions (and of what they hold) or of the given sources,
    in one query."""
    keys = list(mission_keys)
    return Citation.objects.filter(
        Q(mission__key__in=keys)
        | Q(involvement__mission__key__in=keys)
        | Q(workstream__mission__key__in=keys)
        | Q(milestone__mission__key__in=keys)
        | Q(link__from_mission__key__in=keys)
        | Q(source__key__in=list(source_keys))
    ).select_related(
        "source",
        "mission",
        "involvement__mission",
        "involvement__actor",
        "workstream__mission",
        "milestone__mission",
        "link__from_mission",
        "link__to_mission",
    )


def _citation_key(cit: Citation) -> tuple[str, ...]:
    # Exactly one target is set (a check constraint); select_related has fetched it.
    if (mission := cit.mission) is not None:
        target: tuple[str, ...] = ("mission", mission.key)
    elif (inv := cit.involvement) is not None:
        target = ("involvement", inv.mission.key, inv.actor.key, inv.role)
    elif (workstream := cit.workstream) is not None:
        target = ("workstream", workstream.mission.key, workstream.key)
    elif (link := cit.link) is not None:
        target = ("link", link.from_mission.key, link.to_mission.key, link.kind)
    else:
        milestone = cit.milestone
        assert milestone is not None  # the one target left
        target = ("milestone", milestone.mission.key, milestone.key)
    return (*target, cit.source.key, cit.quote, cit.fact)


def _existing_rows(
    rows: dict[str, dict[NaturalKey, Fields]],
) -> tuple[dict[str, dict[NaturalKey, Fields]], dict[NaturalKey, int]]:
    """Read, in a fixed number of queries, the rows the plan touches, keyed like the plan:
    what the planned missions hold, and every quote of a source whose text changes.
    Also returns the primary keys of those citations, which apply updates or deletes."""
    existing: dict[str, dict[NaturalKey, Fields]] = {m: {} for m in MODEL_ORDER}
    keys = {m: [k[0] for k in rows[m]] for m in ("Source", "Label", "Actor", "Mission")}
    for src in Source.objects.filter(key__in=keys["Source"]):
        existing["Source"][(src.key,)] = _fields(src, "Source")
    for label in Label.objects.filter(key__in=keys["Label"]):
        existing["Label"][(label.key,)] = _fields(label, "Label")
    for actor in Actor.objects.filter(key__in=keys["Actor"]).select_related("affiliation"):
        row = _fields(actor, "Actor")
        row["affiliation"] = actor.affiliation.key if actor.affiliation else None
        existing["Actor"][(actor.key,)] = row
    missions = Mission.objects.filter(key__in=keys["Mission"]).prefetch_related("labels", "sources")
    for mission in missions:
        row = _fields(mission, "Mission")
        row["labels"] = tuple(sorted(lbl.key for lbl in mission.labels.all()))
        row["sources"] = tuple(sorted(src.key for src in mission.sources.all()))
        existing["Mission"][(mission.key,)] = row
    in_missions = {"mission__key__in": keys["Mission"]}
    for inv in Involvement.objects.filter(**in_missions).select_related("mission", "actor"):
        existing["Involvement"][(inv.mission.key, inv.actor.key, inv.role)] = _fields(
            inv, "Involvement"
        )
    for ws in Workstream.objects.filter(**in_missions).select_related("mission", "lead"):
        row = _fields(ws, "Workstream")
        row["lead"] = ws.lead.key if ws.lead else None
        existing["Workstream"][(ws.mission.key, ws.key)] = row
    for ms in Milestone.objects.filter(**in_missions).select_related("mission", "workstream"):
        row = _fields(ms, "Milestone")
        row["workstream"] = ms.workstream.key if ms.workstream else None
        existing["Milestone"][(ms.mission.key, ms.key)] = row
    links = MissionLink.objects.filter(from_mission__key__in=keys["Mission"])
    for link in links.select_related("from_mission", "to_mission"):
        existing["MissionLink"][(link.from_mission.key, link.to_mission.key, link.kind)] = _fields(
            link, "MissionLink"
        )
    changed_sources = _changed_sources(rows, existing)
    citation_ids: dict[NaturalKey, int] = {}
    for cit in _citations_of(keys["Mission"], changed_sources):
        key = _citation_key(cit)
        existing["Citation"][key] = _fields(cit, "Citation")
        citation_ids[key] = cit.pk
    existing["Assessment"] = _existing_assessments(keys["Mission"])
    return existing, citation_ids


def _changed_sources(
    rows: dict[str, dict[NaturalKey, Fields]], existing: dict[str, dict[NaturalKey, Fields]]
) -> list[str]:
    return [
        k[0]
        for k, row in existing["Source"].items()
        if row["text_sha256"] != rows["Source"][k]["text_sha256"]
    ]


def _assessment_target(assessment: Assessment) -> NaturalKey:
    # An assessment is of a milestone or of a mission (a check constraint).
    if (milestone := assessment.milestone) is not None:
        return ("milestone", milestone.mission.key, milestone.key)
    assert assessment.mission is not None
    return ("mission", assessment.mission.key)


def _existing_assessments(mission_keys: list[str]) -> dict[NaturalKey, Fields]:
    """The assessments of the planned missions and of their milestones, keyed like the plan's
    (what they assess, then their key), in two queries whatever their number: for a key, its
    last revision, which the document's is compared with. A person's (no key) is named by its
    id: the plan lists it only if it goes with its milestone."""
    in_missions = Q(mission__key__in=mission_keys) | Q(milestone__mission__key__in=mission_keys)
    found = (
        Assessment.objects.filter(in_missions)
        .select_related("mission", "milestone__mission", "successor_milestone", "successor_mission")
        .order_by("recorded_at", "pk")
    )
    evidence: dict[int, list[tuple[str, str, bool]]] = {}
    quotes = Evidence.objects.filter(
        Q(assessment__mission__key__in=mission_keys)
        | Q(assessment__milestone__mission__key__in=mission_keys)
    ).order_by("pk")
    for assessment_id, source, quote, primary in quotes.values_list(
        "assessment_id", "source__key", "quote", "primary"
    ):
        evidence.setdefault(assessment_id, []).append((source, fold_whitespace(quote), primary))
    rows: dict[NaturalKey, Fields] = {}
    for assessment in found:  # oldest first: a key's last revision is written last
        successor = assessment.successor_milestone or assessment.successor_mission
        rows[(*_assessment_target(assessment), assessment.key or f"#{assessment.pk}")] = {
            "rating": assessment.rating,
            "as_of": assessment.as_of,
            "rationale": assessment.rationale,
            "evidence": tuple(evidence.get(assessment.pk, ())),
            "successor": successor.key if successor else None,
        }
    return rows

"""Apply: write a plan in one transaction, parents before children, milestones through
services.write_milestones and assessments through services.record_assessment; and
import_paths, the one call of the command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, overload

from django.core.exceptions import ValidationError as RefusedWrite
from django.utils import timezone

from .. import history, services
from ..models import (
    Actor,
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
from .errors import DocumentError, ImportFailed, StalePlanError
from .planning import ImportPlan, plan_build, reported_errors
from .reading import Document, documents_parse
from .rows import _DUE_WINDOW, _MODEL_FIELDS, MODEL_ORDER, Fields, NaturalKey


def plan_apply(
    documents: Sequence[Document],
    plan: ImportPlan | str,
    *,
    today: dt.date | None = None,
    user: Any = None,
    authorize: Callable[[ImportPlan], None] | None = None,
) -> ImportPlan:
    """Write the plan (or the plan of that digest) in one transaction. The plan is built again
    inside the transaction: if the database moved since `plan` was shown, nothing is written
    and StalePlanError carries the new plan. `authorize` sees that plan before it is written,
    and raises to stop it (the admin's permission check)."""
    today = today or timezone.localdate()
    expected = plan if isinstance(plan, str) else plan.digest()
    try:
        with history.acting_as(user, "import"):
            current = plan_build(documents, today=today)
            if authorize is not None:
                authorize(current)
            if current.digest() != expected:
                raise StalePlanError(current)
            _Writer(current, today, user).write()
    except services.EditConflict:
        # Someone saved a milestone between this transaction's read and its write: nothing
        # was written; the plan as it stands now is shown again.
        raise StalePlanError(plan_build(documents, today=today)) from None
    return current


class _Writer:
    """Writes what the plan marks created, updated or deleted, parents before children."""

    def __init__(self, plan: ImportPlan, today: dt.date, user: Any = None) -> None:
        self.plan = plan
        self.user = user
        self.rows = plan.rows
        self.today = today
        self.todo = {
            (c.model, c.natural_key) for c in plan.changes if c.action in {"create", "update"}
        }
        self.gone = {(c.model, c.natural_key) for c in plan.changes if c.action == "delete"}
        self.pks: dict[str, dict[NaturalKey, int]] = {m: {} for m in MODEL_ORDER}

    def wanted(self, model: str) -> Iterable[tuple[NaturalKey, Fields]]:
        return ((k, r) for k, r in self.rows[model].items() if (model, k) in self.todo)

    def write(self) -> None:
        for model in (Source, Label, Actor, Mission):
            self.upsert_by_key(model)
        self.actor_affiliations()
        self.mission_relations()
        self.involvements()
        self.workstreams()
        self.milestones()
        self.links()
        self.citations()
        self.evidence()
        self.assessments()
        # Last, once milestones have moved to the workstreams they now belong to.
        services.delete_milestones(
            self.user,
            [self.pks["Milestone"][k] for m, k in self.gone if m == "Milestone"],
            via="import",
        )
        for owned in (Workstream, Involvement, MissionLink):
            name = owned.__name__
            owned.objects.filter(
                pk__in=[self.pks[name][k] for m, k in self.gone if m == name]
            ).delete()

    def ids(self, model: type[Any], field: str, values: Iterable[str]) -> dict[NaturalKey, int]:
        return {
            (v,): pk
            for v, pk in model.objects.filter(**{f"{field}__in": list(values)}).values_list(
                field, "pk"
            )
        }

    def upsert_by_key(self, model: type[Any]) -> None:
        name = model.__name__
        objects = model.objects.in_bulk([k[0] for k in self.rows[name]], field_name="key")
        for key, row in self.wanted(name):
            obj = objects.get(key[0]) or model(key=key[0])
            for f in _MODEL_FIELDS[name]:
                setattr(obj, f, row[f])
            obj.save()
            objects[key[0]] = obj
        self.pks[name] = {(k,): obj.pk for k, obj in objects.items()}

    @overload
    def actor(self, key: str) -> int: ...

    @overload
    def actor(self, key: None) -> None: ...

    def actor(self, key: str | None) -> int | None:
        if key is None:
            return None
        if (key,) not in self.pks["Actor"]:
            self.pks["Actor"].update(self.ids(Actor, "key", [key]))
        return self.pks["Actor"][(key,)]

    def actor_affiliations(self) -> None:
        for key, row in self.wanted("Actor"):
            Actor.objects.filter(pk=self.pks["Actor"][key]).update(
                affiliation_id=self.actor(row["affiliation"])
            )

    def mission_relations(self) -> None:
        keys = {k for r in self.rows["Mission"].values() for k in r["labels"]}
        labels = self.ids(Label, "key", keys)
        keys = {k for r in self.rows["Mission"].values() for k in r["sources"]}
        sources = self.ids(Source, "key", keys)
        for key, row in self.wanted("Mission"):
            mission = Mission(pk=self.pks["Mission"][key])
            mission.labels.set([labels[(k,)] for k in row["labels"]])
            mission.sources.set([sources[(k,)] for k in row["sources"]])

    def involvements(self) -> None:
        existing: dict[NaturalKey, Involvement] = {
            (inv.mission.key, inv.actor.key, inv.role): inv
            for inv in Involvement.objects.filter(mission_id__in=self.mission_pks()).select_related(
                "mission", "actor"
            )
        }
        for key, row in self.wanted("Involvement"):
            inv = existing.get(key) or Involvement(
                mission_id=self.pks["Mission"][key[:1]], actor_id=self.actor(key[1]), role=key[2]
            )
            for f in _MODEL_FIELDS["Involvement"]:
                setattr(inv, f, row[f])
            inv.save()
            existing[key] = inv
        self.pks["Involvement"] = {k: inv.pk for k, inv in existing.items()}

    def mission_pks(self) -> list[int]:
        return list(self.pks["Mission"].values())

    def workstreams(self) -> None:
        existing: dict[NaturalKey, Workstream] = {
            (ws.mission.key, ws.key): ws
            for ws in Workstream.objects.filter(mission_id__in=self.mission_pks()).select_related(
                "mission"
            )
        }
        wanted = list(self.wanted("Workstream"))
        # Positions are unique per mission: park the moving and the leaving rows out of the
        # way first, so that swapping two workstreams does not collide half-way.
        moving = [existing[k].pk for k, _row in wanted if k in existing]
        moving += [existing[k].pk for m, k in self.gone if m == "Workstream"]
        for offset, pk in enumerate(moving, start=1):
            Workstream.objects.filter(pk=pk).update(position=30000 + offset)
        for key, row in wanted:
            ws = existing.get(key) or Workstream(
                mission_id=self.pks["Mission"][key[:1]], key=key[1]
            )
            for f in _MODEL_FIELDS["Workstream"]:
                setattr(ws, f, row[f])
            ws.lead_id = self.actor(row["lead"])
            ws.save()
            existing[key] = ws
        self.pks["Workstream"] = {k: ws.pk for k, ws in existing.items()}

    def milestones(self) -> None:
        existing: dict[NaturalKey, Milestone] = {
            (ms.mission.key, ms.key): ms
            for ms in Milestone.objects.filter(mission_id__in=self.mission_pks()).select_related(
                "mission"
            )
        }
        edits = []
        for key, row in self.wanted("Milestone"):
            ms = existing.get(key) or Milestone(mission_id=self.pks["Mission"][key[:1]], key=key[1])
            ws = row["workstream"]
            change = services.MilestoneChange(
                **{f: row[f] for f in _MODEL_FIELDS["Milestone"] if not f.startswith("due_")},
                due={f: row[f] for f in ("due_text", *_DUE_WINDOW)} if row["due_text"] else None,
                workstream_id=self.pks["Workstream"][(key[0], ws)] if ws else None,
                news=False,
            )
            # The plan was built from these very rows, in this transaction: the version read
            # here is the base (a form opened before the import is refused afterwards).
            edits.append(
                services.check_milestone(ms, change, base_version=ms.version, today=self.today)
            )
            existing[key] = ms
        services.write_milestones(self.user, edits, via="import", today=self.today)
        self.pks["Milestone"] = {k: ms.pk for k, ms in existing.items()}

    def links(self) -> None:
        """The links the planned missions state, by (from, to, kind): `to` may be a mission
        this import does not touch."""
        existing: dict[NaturalKey, MissionLink] = {
            (link.from_mission.key, link.to_mission.key, link.kind): link
            for link in MissionLink.objects.filter(
                from_mission_id__in=self.mission_pks()
            ).select_related("from_mission", "to_mission")
        }
        wanted = list(self.wanted("MissionLink"))
        others = {key[1] for key, _row in wanted if (key[1],) not in self.pks["Mission"]}
        missions = {**self.pks["Mission"], **self.ids(Mission, "key", others)}
        for key, row in wanted:
            link = existing.get(key) or MissionLink(
                from_mission_id=missions[key[:1]], to_mission_id=missions[key[1:2]], kind=key[2]
            )
            link.editorial = row["editorial"]
            link.save()
            existing[key] = link
        self.pks["MissionLink"] = {k: link.pk for k, link in existing.items()}

    def citations(self) -> None:
        ids = self.plan.citation_ids
        gone = [
            ids[c.natural_key]
            for c in self.plan.changes
            if c.model == "Citation" and c.action == "delete"
        ]
        Citation.objects.filter(pk__in=gone).delete()
        sources = self.ids(Source, "key", {key[-3] for key in self.rows["Citation"]})
        new: list[Citation] = []
        for key, row in self.wanted("Citation"):
            if key in ids:  # same quote, moved in a changed source text
                Citation.objects.filter(pk=ids[key]).update(**row)
                continue
            kind, *rest = key
            target, (source, quote, fact) = tuple(rest[:-3]), rest[-3:]
            model = {
                "mission": "Mission",
                "involvement": "Involvement",
                "workstream": "Workstream",
                "milestone": "Milestone",
                "link": "MissionLink",
            }[kind]
            new.append(
                Citation(
                    source_id=sources[(source,)],
                    quote=quote,
                    fact=fact,
                    **{f"{kind}_id": self.pks[model][target]},
                    **row,
                )
            )
        Citation.objects.bulk_create(new)

    def evidence(self) -> None:
        """The quotes of assessments, moved in a changed source text."""
        for key, row in self.wanted("Evidence"):
            Evidence.objects.filter(pk=self.plan.evidence_ids[key]).update(**row)

    def assessments(self) -> None:
        """New assessments and revisions, through services.record_assessment (its rules, its
        copy of the current rating on what it assesses), as the import: no user."""
        for key, row in self.wanted("Assessment"):
            kind, mission = key[0], key[1]
            successor = row["successor"]
            if kind == "milestone":
                target: Milestone | Mission = Milestone.objects.get(
                    pk=self.pks["Milestone"][(mission, key[2])]
                )
                successors = {
                    "successor_milestone_id": self.pks["Milestone"][(mission, successor)]
                    if successor
                    else None
                }
            else:
                target = Mission.objects.get(pk=self.pks["Mission"][(mission,)])
                successors = {
                    "successor_mission_id": Mission.objects.get(key=successor).pk
                    if successor
                    else None
                }
            given = services.AssessmentInput(
                rating=row["rating"],
                as_of=row["as_of"],
                rationale=row["rationale"],
                evidence=[
                    services.EvidenceQuote(source_key=source, quote=quote, primary=primary)
                    for source, quote, primary in row["evidence"]
                ],
                key=key[-1],
                **successors,
            )
            try:
                services.record_assessment(None, target, given, today=self.today, via="import")
            except RefusedWrite as exc:  # the validator checks the same rules: a bug
                file, path = self.plan.where.get(("Assessment", key), ("-", " / ".join(key)))
                raise ImportFailed(
                    [DocumentError(file, path, str(m)) for m in exc.messages]
                ) from exc


# --------------------------------------------------------------------------------------------
# One call for the command
# --------------------------------------------------------------------------------------------


def import_paths(
    paths: Iterable[str | Path], *, dry_run: bool = False, today: dt.date | None = None
) -> ImportPlan:
    """Parse, validate, plan and (unless dry_run) apply, in one transaction: what is written is
    what the plan says, or nothing. Raises ImportFailed: a document that does not read
    reports its structure errors with the quote errors of the rest."""
    today = today or timezone.localdate()
    try:
        documents = documents_parse(paths)
    except ImportFailed as exc:
        raise ImportFailed(reported_errors(exc, today=today)) from None
    if dry_run:
        return plan_build(documents, today=today)
    with history.acting_as(None, "import"):
        plan = plan_build(documents, today=today)
        _Writer(plan, today).write()
    return plan

"""Validate: walk the parsed documents (sources, labels, actors, then missions and what
they hold, assessments last), collect every error with its path, and build the rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from django.utils.translation import gettext as _

from .. import services
from ..models import Actor, Label, Mission, Source
from ..quotes import find_quote, fold_whitespace
from .reading import Document
from .rows import NaturalKey, _progress_state
from .schema import AssessmentDoc, MilestoneDoc, MissionDoc
from .validation_sources import _Checks, _quote_missing


class _Validator(_Checks):
    """Walks the parsed documents, collects every error with its path, and builds the rows."""

    # -- entry point -----------------------------------------------------------------------
    def run(self) -> None:
        db_sources = {
            s.key: (s.text, s.published_on)
            for s in Source.objects.only("key", "text", "published_on")
        }
        for key, (text, published_on) in db_sources.items():
            self.source_texts[key] = text
            self.source_dates[key] = published_on
        self.known = {
            "Source": set(db_sources),
            "Actor": set(Actor.objects.values_list("key", flat=True)),
            "Label": set(Label.objects.values_list("key", flat=True)),
        }
        for doc in self.documents:
            for i, source in enumerate(doc.body.sources):
                self.source(doc, f"sources[{i}]", source)
        for doc in self.documents:
            for i, label in enumerate(doc.body.labels):
                self.add_row(
                    doc, f"labels[{i}]", "Label", (label.key,), label.model_dump(exclude={"key"})
                )
            for i, actor in enumerate(doc.body.actors):
                self.add_row(
                    doc, f"actors[{i}]", "Actor", (actor.key,), actor.model_dump(exclude={"key"})
                )
        for model in ("Source", "Actor", "Label"):
            self.known[model] |= {k[0] for k in self.rows[model]}
        for doc in self.documents:
            for i, actor in enumerate(doc.body.actors):
                if actor.affiliation is not None:
                    self.reference(doc, f"actors[{i}].affiliation", "Actor", actor.affiliation)
                    if actor.affiliation == actor.key:
                        self.error(
                            doc,
                            f"actors[{i}].affiliation",
                            _("an actor cannot be its own affiliation"),
                        )
            for i, mission in enumerate(doc.body.missions):
                self.mission(doc, f"missions[{i}]", mission)
        self.check_successors()

    # -- missions and what they hold --------------------------------------------------------
    def mission(self, doc: Document, path: str, mission: MissionDoc) -> None:
        mkey = mission.key
        for i, key in enumerate(mission.labels):
            self.reference(doc, f"{path}.labels[{i}]", "Label", key)
        for i, key in enumerate(mission.sources):
            self.reference(doc, f"{path}.sources[{i}]", "Source", key)
        _check_unique_list(self, doc, f"{path}.labels", mission.labels)
        _check_unique_list(self, doc, f"{path}.sources", mission.sources)
        launch = self.period(
            doc,
            f"{path}.launch",
            mission.launch,
            mission.citations,
            "launch",
            mission.editorial,
            mission.sources,
        )
        # The default status claims nothing; any other status is a fact to support.
        stated = ["existence"] if mission.status == "announced" else ["existence", "status"]
        if mission.launch is not None:
            stated.append("launch")
        if mission.budget is not None:
            stated.append("budget")
        self.citations(doc, path, "mission", (mkey,), mission.citations, mission.editorial, stated)
        budget = mission.budget
        row = {
            "title": mission.title,
            "summary": mission.summary,
            "status": mission.status,
            **{f"launch_{k}": v for k, v in (launch or {}).items()},
            "budget_eur": budget.amount_eur if budget else None,
            "budget_qualifier": budget.qualifier if budget else "",
            "budget_text": budget.text if budget else "",
            "editorial": dict(mission.editorial),
            "labels": tuple(sorted(mission.labels)),
            "sources": tuple(sorted(mission.sources)),
        }
        if not self.add_row(doc, path, "Mission", (mkey,), row):
            return
        self.assessments(doc, path, ("mission", mkey), mission.assessments)
        for i, inv in enumerate(mission.actors):
            ipath = f"{path}.actors[{i}]"
            if not self.reference(doc, f"{ipath}.actor", "Actor", inv.actor):
                continue
            ikey = (mkey, inv.actor, inv.role)
            if self.add_row(
                doc,
                ipath,
                "Involvement",
                ikey,
                {"capacity": inv.capacity, "editorial": dict(inv.editorial)},
            ):
                self.citations(
                    doc, ipath, "involvement", ikey, inv.citations, inv.editorial, ["role"]
                )
        for i, link in enumerate(mission.links):
            lpath = f"{path}.links[{i}]"
            lkey = (mkey, link.to, link.kind)
            if self.add_row(doc, lpath, "MissionLink", lkey, {"editorial": dict(link.editorial)}):
                self.citations(
                    doc, lpath, "link", lkey, link.citations, link.editorial, ["existence"]
                )
                # Checked with the successors: a mission of these documents or the database.
                self.successors.append((doc, f"{lpath}.to", ("link", mkey), link.to))
        for i, ws in enumerate(mission.workstreams):
            wpath = f"{path}.workstreams[{i}]"
            if ws.lead is not None:
                self.reference(doc, f"{wpath}.lead", "Actor", ws.lead)
            row = {
                "position": i + 1,
                "title": ws.title,
                "summary": ws.summary,
                "lead": ws.lead,
                "editorial": dict(ws.editorial),
            }
            if self.add_row(doc, wpath, "Workstream", (mkey, ws.key), row):
                self.citations(
                    doc,
                    wpath,
                    "workstream",
                    (mkey, ws.key),
                    ws.citations,
                    ws.editorial,
                    ["existence"],
                )
            for j, ms in enumerate(ws.milestones):
                self.milestone(doc, f"{wpath}.milestones[{j}]", mission, ws.key, ms)
        for j, ms in enumerate(mission.milestones):
            self.milestone(doc, f"{path}.milestones[{j}]", mission, None, ms)

    def milestone(
        self,
        doc: Document,
        path: str,
        mission: MissionDoc,
        workstream: str | None,
        ms: MilestoneDoc,
    ) -> None:
        due = self.period(
            doc, f"{path}.due", ms.due, ms.citations, "due", ms.editorial, mission.sources
        )
        rules = services.milestone_rule_errors(
            status=ms.status,
            progress=ms.progress,
            completed_on=ms.completed_on,
            comment=ms.comment,
            today=self.today,
        )
        for name, message in rules.items():
            self.error(doc, f"{path}.{name}", message)
        progress = services.done_progress(ms.status, ms.progress)
        stated = ["existence", "status"] if ms.status != "planned" else ["existence"]
        if ms.due is not None:
            stated.append("due")
        row = {
            "workstream": workstream,
            "title": ms.title,
            "kind": ms.kind,
            **{f"due_{k}": v for k, v in (due or {}).items()},
            "status": ms.status,
            "progress": progress if progress is not None else 0,
            "completed_on": ms.completed_on,
            "comment": ms.comment,
            "editorial": dict(ms.editorial),
        }
        row["imported_state"] = _progress_state(row)
        key = (mission.key, ms.key)
        if self.add_row(doc, path, "Milestone", key, row):
            self.citations(doc, path, "milestone", key, ms.citations, ms.editorial, stated)
            self.assessments(doc, path, ("milestone", *key), ms.assessments)

    # -- assessments -------------------------------------------------------------------------
    def assessments(
        self, doc: Document, path: str, target: NaturalKey, assessments: Sequence[AssessmentDoc]
    ) -> None:
        """The rules services.record_assessment keeps, checked here with the document's paths
        (so that apply, which records through it, never meets a refusal), and the rows."""
        for i, item in enumerate(assessments):
            apath = f"{path}.assessments[{i}]"
            milestone = self.rows["Milestone"].get(target[1:]) if target[0] == "milestone" else None
            rules = services.rating_rule_errors(
                rating=item.rating,
                as_of=item.as_of,
                today=self.today,
                has_evidence=bool(item.evidence),
                has_successor=item.successor is not None,
                milestone=(milestone["status"], milestone.get("due_end")) if milestone else None,
            )
            for field, message in rules.items():
                self.error(doc, f"{apath}.{field}", message)
            evidence: list[tuple[str, str, bool]] = []
            seen: set[tuple[str, str]] = set()
            for j, quoted in enumerate(item.evidence):
                epath = f"{apath}.evidence[{j}]"
                if not self.reference(doc, f"{epath}.source", "Source", quoted.source):
                    continue
                text = self.source_texts.get(quoted.source, "")
                if not text or find_quote(text, quoted.quote) is None:
                    self.error(
                        doc,
                        f"{epath}.quote",
                        _quote_missing(quoted.quote, quoted.source),
                        quote=True,
                    )
                    continue
                quote = fold_whitespace(quoted.quote)
                if (quoted.source, quote) in seen:
                    self.error(doc, epath, _("the same quote is cited twice"), quote=True)
                    continue
                seen.add((quoted.source, quote))
                evidence.append((quoted.source, quote, quoted.primary))
            if item.successor is not None and "successor" not in rules:
                self.successors.append((doc, f"{apath}.successor", target, item.successor))
            row = {
                "rating": item.rating,
                "as_of": item.as_of,
                "rationale": item.rationale,
                "evidence": tuple(evidence),
                "successor": item.successor,
            }
            self.add_row(doc, apath, "Assessment", (*target, item.key), row)

    def check_successors(self) -> None:
        """A milestone is replaced by a milestone of the same mission (which its document
        holds: it is the whole truth about the mission); a mission by a mission of these
        documents or of the database, and a link leads to one of those too."""
        wanted = {key for _doc, _path, target, key in self.successors if target[0] != "milestone"}
        missions = {k[0] for k in self.rows["Mission"]}
        if wanted - missions:
            missions |= set(
                Mission.objects.filter(key__in=wanted - missions).values_list("key", flat=True)
            )
        for doc, path, target, key in self.successors:
            if target[0] == "milestone":
                mission, milestone = target[1], target[2]
                if key == milestone:
                    self.error(doc, path, _("a milestone cannot replace itself"))
                elif (mission, key) not in self.rows["Milestone"]:
                    self.error(
                        doc,
                        path,
                        _('unknown milestone key "%(key)s" in mission %(mission)s')
                        % {"key": key, "mission": mission},
                    )
            elif key == target[1]:
                self.error(
                    doc,
                    path,
                    _("a mission cannot be linked to itself")
                    if target[0] == "link"
                    else _("a mission cannot replace itself"),
                )
            elif key not in missions:
                self.error(doc, path, _('unknown mission key "%(key)s"') % {"key": key})


def _check_unique_list(
    validator: _Validator, doc: Document, path: str, keys: Sequence[str]
) -> None:
    for key, count in Counter(keys).items():
        if count > 1:
            validator.error(doc, path, _('"%(key)s" is listed twice') % {"key": key})

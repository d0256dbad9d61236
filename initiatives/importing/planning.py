"""Plan: the validated rows against the database's, the three-way merge of what
coordinators edit, the quotes found again in a source's new text, and the diff."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import services
from ..models import Evidence
from ..quotes import find_quote, fold_whitespace
from .errors import DocumentError, ImportFailed
from .existing import _assessment_target, _changed_sources, _existing_rows
from .reading import Document, errors_located
from .rows import _DUE_WINDOW, COORDINATED_FIELDS, MODEL_ORDER, Fields, NaturalKey, _progress_state
from .validation import _Validator
from .validation_sources import _quote_missing


@dataclass
class Change:
    model: str  # "Mission", "Workstream", …
    natural_key: NaturalKey
    action: Literal["create", "update", "unchanged", "delete"]
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (old, new)

    @property
    def key(self) -> str:
        return " / ".join(self.natural_key)


@dataclass
class ImportPlan:
    """What apply will do: the desired rows (natural keys for relations) and the diff."""

    rows: dict[str, dict[NaturalKey, Fields]]
    changes: list[Change]
    citation_ids: dict[NaturalKey, int] = field(default_factory=dict)
    evidence_ids: dict[NaturalKey, int] = field(default_factory=dict)
    # Where each planned row is written: (model, natural key) -> (file, path).
    where: dict[tuple[str, NaturalKey], tuple[str, str]] = field(default_factory=dict)

    def counts(self) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = {m: Counter() for m in MODEL_ORDER}
        for change in self.changes:
            counts[change.model][change.action] += 1
        return counts

    @property
    def is_noop(self) -> bool:
        return all(c.action == "unchanged" for c in self.changes)

    def digest(self) -> str:
        """The signature as a short string, to carry a previewed plan through a form."""
        return hashlib.sha256(repr(self.signature()).encode("utf-8")).hexdigest()

    def signature(self) -> list[tuple[Any, ...]]:
        """A comparable form of the diff, to tell whether the database moved under a plan."""
        return [
            (
                c.model,
                c.natural_key,
                c.action,
                sorted((f, repr(o), repr(n)) for f, (o, n) in c.fields.items()),
                # What a created row will hold is part of what was shown, too.
                sorted((f, repr(v)) for f, v in self.rows[c.model][c.natural_key].items())
                if c.action == "create"
                else [],
            )
            for c in self.changes
        ]


def _requote_evidence(
    validator: _Validator, changed_sources: list[str], gone: Iterable[NaturalKey]
) -> tuple[dict[NaturalKey, Fields], dict[NaturalKey, int]]:
    """The quotes assessments stand on, of any mission and by anyone, found again in the new
    text of a source: moved (the plan says so), or the new text is refused. Those of the
    milestones the import deletes (`gone`) go with them. Planned rows go into the validator;
    returns the rows as they stand, and their ids."""
    gone = set(gone)
    existing: dict[NaturalKey, Fields] = {}
    ids: dict[NaturalKey, int] = {}
    quotes = Evidence.objects.filter(source__key__in=changed_sources).select_related(
        "source", "assessment__mission", "assessment__milestone__mission"
    )
    for item in quotes:
        assessment = item.assessment
        target = _assessment_target(assessment)
        if target[0] == "milestone" and target[1:] in gone:
            continue
        key = (
            *target,
            assessment.key or f"#{assessment.pk}",
            item.source.key,
            fold_whitespace(item.quote),
            f"#{item.pk}",
        )
        existing[key] = {"start_offset": item.start_offset, "end_offset": item.end_offset}
        ids[key] = item.pk
        offsets = find_quote(validator.source_texts[item.source.key], item.quote)
        if offsets is None:
            validator.error_at(
                "Source",
                (item.source.key,),
                "text_file",
                _quote_missing(item.quote, item.source.key)
                + _(" (evidence of an assessment in mission %(mission)s)") % {"mission": target[1]},
            )
            continue
        validator.rows["Evidence"][key] = {"start_offset": offsets[0], "end_offset": offsets[1]}
    return existing, ids


def _diff(
    rows: dict[str, dict[NaturalKey, Fields]], existing: dict[str, dict[NaturalKey, Fields]]
) -> list[Change]:
    changes: list[Change] = []
    for model in MODEL_ORDER:
        for key, new in rows[model].items():
            old = existing[model].get(key)
            if old is None:
                changes.append(Change(model, key, "create"))
                continue
            diff = {f: (old[f], v) for f, v in new.items() if old[f] != v}
            if model == "Assessment":
                # An assessment is a record: what it says now is a new revision beside the
                # last, shown field by field against it.
                changes.append(Change(model, key, "create" if diff else "unchanged", diff))
                continue
            changes.append(Change(model, key, "update" if diff else "unchanged", diff))
    # A planned mission's document is the whole truth about what the mission holds: the
    # actors, workstreams, milestones and quotes it no longer lists go (the plan shows them).
    for model in ("Citation", "MissionLink", "Milestone", "Workstream", "Involvement"):
        for key in sorted(existing[model].keys() - rows[model].keys()):
            changes.append(Change(model, key, "delete"))
    # Assessments are never deleted for leaving a document, but a milestone that goes takes
    # its assessments (anyone's) with it: the plan says so.
    gone = existing["Milestone"].keys() - rows["Milestone"].keys()
    for key in sorted(existing["Assessment"]):
        if key[0] == "milestone" and key[1:3] in gone:
            changes.append(Change("Assessment", key, "delete"))
    return changes


def plan_build(documents: Sequence[Document], *, today: dt.date | None = None) -> ImportPlan:
    """Validate the documents against each other and the database, and diff them with it."""
    validator = _Validator(documents, today or timezone.localdate())
    validator.run()
    if validator.errors:
        raise ImportFailed(errors_located(validator.errors, documents))
    rows = validator.rows
    existing, citation_ids = _existing_rows(rows)
    _merge_progress(validator, existing["Milestone"])
    _requote_other_missions(validator, existing["Citation"])
    existing["Evidence"], evidence_ids = _requote_evidence(
        validator,
        _changed_sources(rows, existing),
        existing["Milestone"].keys() - rows["Milestone"].keys(),
    )
    if validator.errors:
        raise ImportFailed(errors_located(validator.errors, documents))
    return ImportPlan(
        rows=rows,
        changes=_diff(rows, existing),
        citation_ids=citation_ids,
        evidence_ids=evidence_ids,
        where=validator.where,
    )


def reported_errors(failed: ImportFailed, *, today: dt.date | None = None) -> list[DocumentError]:
    """The errors of documents that could not all be read, and in the same report the quote
    errors of what could be (the documents that read, and those that failed the schema less
    what failed): a person corrects the structure and the quotes in one go. The validator's
    other errors wait for the structure to be right: they may only follow from what failed (a
    citation taken out leaves its fact unsupported). Each error at its line where known, in
    the files' order, each in the order of its lines."""
    errors = list(failed.errors)
    if failed.readable:
        validator = _Validator(failed.readable, today or timezone.localdate())
        validator.run()
        salvaged = {d.name: d.salvage for d in failed.readable if d.salvage is not None}
        for error in validator.errors:
            if error in validator.quote_errors:
                where = salvaged.get(error.file)
                errors.append(
                    replace(error, path=where.original_path(error.path)) if where else error
                )
    located = errors_located(errors, failed.readable)
    files = {name: n for n, name in reversed(list(enumerate(e.file for e in located)))}
    return sorted(located, key=lambda e: (files[e.file], e.line or 0))


def _merge_progress(validator: _Validator, existing: dict[NaturalKey, Fields]) -> None:
    """Three-way merge of the fields coordinators edit. For each field: if the document did not
    change it since the last import, the database's value stays (a coordinator's edit is kept);
    if only the document changed it, the document wins; if both changed it differently, it is
    a conflict, refused with an error rather than silently overwritten. A field the last
    import did not record (imported before it was merged) counts as unchanged in the
    document: a person's edit is never lost to a guess. The due words carry their window."""
    for key, row in validator.rows["Milestone"].items():
        old = existing.get(key)
        if old is None:
            continue
        base, ours, theirs = old["imported_state"], row["imported_state"], _progress_state(old)
        for name in COORDINATED_FIELDS:
            was = base.get(name, ours[name])
            if ours[name] == theirs[name] or ours[name] == was:
                row[name] = old[name]  # same, or only the database moved: keep it
                if name == "due_text":
                    row.update({f: old[f] for f in _DUE_WINDOW})
            elif theirs[name] != was:
                validator.error_at(
                    "Milestone",
                    key,
                    name,
                    _(
                        "changed in the database since the last import (now %(db)s) and in this document (%(doc)s): update the document or the milestone"
                    )
                    % {"db": theirs[name], "doc": ours[name]},
                )
        row["progress"] = services.done_progress(row["status"], row["progress"])
        # A merge of two valid states can be invalid (the document says done, a coordinator
        # had cleared the completion date): refuse it like any other bad milestone.
        merged = services.milestone_rule_errors(
            status=row["status"],
            progress=row["progress"],
            completed_on=row["completed_on"],
            comment=row["comment"],
            today=validator.today,
        )
        for name, message in merged.items():
            validator.error_at(
                "Milestone",
                key,
                name,
                _("after keeping the edits made since the last import: %(problem)s")
                % {"problem": message},
            )


def _requote_other_missions(validator: _Validator, existing: dict[NaturalKey, Fields]) -> None:
    """A source whose text changes must still hold every quote of it, including the quotes of
    missions this import does not touch: find them again, or refuse the new text."""
    rows = validator.rows
    planned_missions = {k[0] for k in rows["Mission"]}
    for key in existing:
        if key in rows["Citation"] or _citation_mission(key) in planned_missions:
            continue
        source, quote = key[-3], key[-2]
        offsets = find_quote(validator.source_texts[source], quote)
        if offsets is None:
            cited_by = _(" (cited by mission %(mission)s)") % {"mission": _citation_mission(key)}
            validator.error_at(
                "Source", (source,), "text_file", _quote_missing(quote, source) + cited_by
            )
            continue
        rows["Citation"][key] = {"start_offset": offsets[0], "end_offset": offsets[1]}


def _citation_mission(key: NaturalKey) -> str:
    return key[1]  # (kind, mission key, …, source, quote, fact)

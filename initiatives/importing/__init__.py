"""Fixture documents: parse -> validate -> plan (a diff against the database) -> apply.

A fixture document is YAML (or JSON, which YAML reads too) in our own format, nested
mission -> workstreams -> milestones, referring to sources, actors and labels by key, with every
fact's quote inline as {source, quote}. The format is described in fixtures/README.md.

The rules that keep the data trustworthy:
- every error names the file, the path inside the document and the problem, and every error is
  reported, not only the first;
- a quote must stand verbatim in its source's text (whitespace folded);
- a fact with no quote must carry an editorial note saying where it comes from;
- a planned mission's document is the whole truth about what the mission holds: actors,
  workstreams, milestones and quotes it no longer lists are deleted, and the plan says so;
- except for what coordinators keep (status, progress, completion, comment, due words): a
  re-import merges it three ways with what the last import said, and refuses a real conflict;
- milestones are written by services.write_milestones, like every other write of them: the
  same rules, compare-and-swap, slips, health and alerts;
- assessments are a record: recorded through services.record_assessment after the
  milestones, identified by what they assess and their key; a changed one is a new revision,
  one the document no longer lists stays;
- a source whose text changes must still hold every quote of it, whichever mission cites it
  and whichever assessment stands on it;
- apply is one transaction: what is written is exactly what the plan said, or nothing.
  A plan shown for review and applied later (plan_apply) is rebuilt inside the transaction
  and refused (StalePlanError) if the database moved in between;
- importing the same documents twice changes nothing the second time.

The package, in the order it runs (each module imports only those before it):

- errors: DocumentError, ImportFailed, StalePlanError;
- schema: the document's pydantic models (FORMAT, DocumentDoc, MissionDoc…) and FACTS;
- decoding: text from bytes (decode_text, UndecodableText);
- loading: the YAML loader and its errors, in the page's language (yaml_problem), and the
  line each path of a document stands on (path_lines);
- salvage: what can still be read of a document that fails the schema (Salvage);
- reading: documents found, read, sized and checked against the schema (documents_parse,
  documents_parse_uploaded, document_parse_text, the size limits), errors given their lines
  (errors_located);
- rows: the shape of a plan's rows (MODEL_ORDER, natural keys, what coordinators edit);
- validation_sources, validation: the validator, every error with its path, and the rows;
- existing: the database's rows in the same shape;
- planning: merge, re-quote and diff into an ImportPlan (plan_build); the errors of documents
  that do not all read, with the quote errors of what does, in one report (reported_errors);
- applying: write a plan in one transaction (plan_apply, import_paths).
- drafts: an ImportDraft's kept preview (Preview, draft_preview), its corrections
  (draft_correct) and its one apply, locked and with the user's permissions (draft_apply,
  DraftAlreadyApplied, missing_permissions): what the admin's import page calls.

errors names ImportPlan for type checking only. Every name the rest of the code uses is
imported here: `from initiatives import importing`, then `importing.plan_build`.
"""

from __future__ import annotations

from .applying import import_paths, plan_apply
from .decoding import UndecodableText, decode_text
from .drafts import (
    DraftAlreadyApplied,
    Preview,
    PreviewRow,
    draft_apply,
    draft_correct,
    draft_preview,
    missing_permissions,
)
from .errors import DocumentError, ImportFailed, StalePlanError
from .loading import _load, path_lines, yaml_problem
from .planning import Change, ImportPlan, plan_build, reported_errors
from .reading import (
    DOCUMENT_SUFFIXES,
    MAX_DOCUMENT_BYTES,
    MAX_EXPANDED_NODES,
    Document,
    _expanded_size,
    document_parse_text,
    documents_collect,
    documents_parse,
    documents_parse_uploaded,
    errors_located,
    oversized,
    size_limits,
)
from .rows import COORDINATED_FIELDS, MODEL_ORDER, Fields, NaturalKey
from .salvage import Salvage, salvage
from .schema import (
    FACTS,
    FORMAT,
    ActorDoc,
    AssessmentDoc,
    BudgetDoc,
    CitationDoc,
    DocumentDoc,
    Editorial,
    EvidenceDoc,
    Flag,
    InvolvementDoc,
    Key,
    LabelDoc,
    LaxDate,
    MilestoneDoc,
    MissionDoc,
    OptionalText,
    PeriodDoc,
    PeriodField,
    PublishedDoc,
    SourceDoc,
    Text,
    WorkstreamDoc,
)
from .validation_sources import MAX_SOURCE_BYTES

__all__ = [
    "COORDINATED_FIELDS",
    "DOCUMENT_SUFFIXES",
    "FACTS",
    "FORMAT",
    "MAX_DOCUMENT_BYTES",
    "MAX_EXPANDED_NODES",
    "MAX_SOURCE_BYTES",
    "MODEL_ORDER",
    "ActorDoc",
    "AssessmentDoc",
    "BudgetDoc",
    "Change",
    "CitationDoc",
    "Document",
    "DocumentDoc",
    "DocumentError",
    "DraftAlreadyApplied",
    "Editorial",
    "EvidenceDoc",
    "Fields",
    "Flag",
    "ImportFailed",
    "ImportPlan",
    "InvolvementDoc",
    "Key",
    "LabelDoc",
    "LaxDate",
    "MilestoneDoc",
    "MissionDoc",
    "NaturalKey",
    "OptionalText",
    "PeriodDoc",
    "PeriodField",
    "Preview",
    "PreviewRow",
    "PublishedDoc",
    "Salvage",
    "SourceDoc",
    "StalePlanError",
    "Text",
    "UndecodableText",
    "WorkstreamDoc",
    "decode_text",
    "document_parse_text",
    "documents_collect",
    "documents_parse",
    "documents_parse_uploaded",
    "draft_apply",
    "draft_correct",
    "draft_preview",
    "errors_located",
    "import_paths",
    "missing_permissions",
    "oversized",
    "path_lines",
    "plan_apply",
    "plan_build",
    "reported_errors",
    "salvage",
    "size_limits",
    "yaml_problem",
    # Used by the tests: the loader, and the count of values a document expands to.
    "_expanded_size",
    "_load",
]

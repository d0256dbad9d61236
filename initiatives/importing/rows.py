"""The shape of a plan's rows, shared by the validator that builds them, the planner that
reads the database's in the same shape, and the writer: rows keyed by natural keys, the
models in the order they are written, the fields compared, and what coordinators edit."""

from __future__ import annotations

from typing import Any

Fields = dict[str, Any]
NaturalKey = tuple[str, ...]  # a natural key: ("mission-key", "milestone-key"), …


MODEL_ORDER = (
    "Source",
    "Label",
    "Actor",
    "Mission",
    "Involvement",
    "Workstream",
    "Milestone",
    # A link from a planned mission to another (its document states it), by (from, to, kind).
    "MissionLink",
    "Citation",
    # A document's assessment, identified by what it assesses and its key: created when new,
    # "unchanged" when its last revision says the same, created again (a revision, shown
    # field by field) when it says something else. The importer never deletes one; the
    # plan lists those that go with a milestone the document no longer holds.
    "Assessment",
    # Only moved: the quotes assessments stand on, found again in a source's new text.
    "Evidence",
)


_MODEL_FIELDS: dict[str, tuple[str, ...]] = {
    "Source": (
        "title",
        "publisher",
        "url",
        "published_on",
        "published_precision",
        "published_basis",
        "published_note",
        "text",
        "text_sha256",
    ),
    "Label": ("name", "kind", "description"),
    "Actor": ("name", "kind", "description"),
    "Mission": (
        "title",
        "summary",
        "status",
        "launch_text",
        "launch_start",
        "launch_end",
        "launch_precision",
        "launch_reference",
        "budget_eur",
        "budget_qualifier",
        "budget_text",
        "editorial",
    ),
    "Involvement": ("capacity", "editorial"),
    "Workstream": ("position", "title", "summary", "editorial"),
    "Milestone": (
        "imported_state",
        "title",
        "kind",
        "due_text",
        "due_start",
        "due_end",
        "due_precision",
        "due_reference",
        "status",
        "progress",
        "completed_on",
        "comment",
        "editorial",
    ),
    "MissionLink": ("editorial",),
    "Citation": ("start_offset", "end_offset"),
}


# What coordinators edit: a re-import merges these three ways (planning._merge_progress).
COORDINATED_FIELDS = ("status", "progress", "completed_on", "comment", "due_text")
_DUE_WINDOW = ("due_start", "due_end", "due_precision", "due_reference")


def _progress_state(row: Fields) -> dict[str, Any]:
    """The coordinated fields of a milestone row, as stored in `imported_state` (JSON)."""
    # A row whose date could not be read has no due fields: it is refused anyway.
    state = {f: row.get(f, "") for f in COORDINATED_FIELDS}
    state["completed_on"] = state["completed_on"].isoformat() if state["completed_on"] else None
    return state

"""An import draft (ImportDraft: uploaded or extracted documents, held in the database) from
its preview to its one apply, without HTTP: the admin's import page calls these, and so can
anyone with a draft and a user.

- draft_preview: the draft's plan, shortened for display (Preview). Reading and planning a
  large document takes seconds: the preview is kept with the draft for as long as the
  documents, the published data (its data version), the day and the language are those it was
  built with.
- draft_correct: a corrected document saved into the draft, if it reads as a document.
- draft_apply: the plan applied once, under the draft's row lock, with the user's permissions
  for what it writes; the plan is rebuilt inside the transaction and refused if its digest is
  not the one shown. Nothing is written unless everything is.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import dataversion, dates
from ..models import Assessed, ImportDraft, Precision
from .applying import plan_apply
from .errors import DocumentError, ImportFailed
from .planning import ImportPlan, plan_build, reported_errors
from .reading import document_parse_text, documents_parse_uploaded
from .rows import MODEL_ORDER

ACTIONS = ("create", "update", "delete", "unchanged")
SHOWN_CHARS = 400  # a source's whole text in a diff would bury the rest


class DraftAlreadyApplied(Exception):
    """The draft was applied already (a second click, another tab); nothing was written."""


# -- the preview ------------------------------------------------------------------------------


def model_label(model: str) -> str:
    """ "Workstream" as the page's language says it ("Chantier")."""
    return _model_label(model, get_language())


@functools.lru_cache(maxsize=64)
def _model_label(model: str, language: str | None) -> str:
    # Once per model and language, not once per row: a large plan has tens of thousands.
    return str(apps.get_model("initiatives", model)._meta.verbose_name).capitalize()


@dataclass(frozen=True)
class PreviewRow:
    model: str  # "Workstream"
    key: str
    action: str
    label: str  # the object's title or name, when it has one
    fields: list[tuple[str, str, str]]  # (field, old, new), shortened for display
    # A new or changed milestone: the window its due words get, in words (where a date
    # misread from an article shows).
    window: str = ""

    @property
    def model_label(self) -> str:
        return model_label(self.model)


@dataclass(frozen=True)
class Preview:
    """What the preview page shows: the plan's changes, shortened for display, and its digest;
    or the errors that stop it. Small enough to keep with the draft (as JSON)."""

    errors: list[DocumentError]
    rows: list[PreviewRow]
    digest: str = ""  # the plan's; "" when there is no plan

    @classmethod
    def of_plan(cls, plan: ImportPlan) -> Preview:
        order = {a: n for n, a in enumerate(ACTIONS)}
        changes = sorted(plan.changes, key=lambda c: (MODEL_ORDER.index(c.model), order[c.action]))
        rows = [
            PreviewRow(
                model=c.model,
                key=c.key,
                action=c.action,
                label=_shortened(_label(plan.rows[c.model].get(c.natural_key, {})), 120),
                fields=[
                    (f, _shown(old), _shown(new)) for f, (old, new) in sorted(c.fields.items())
                ],
                window=_window(plan.rows[c.model][c.natural_key])
                if c.model == "Milestone" and c.action in ("create", "update")
                else "",
            )
            for c in changes
        ]
        return cls([], rows, plan.digest())

    @classmethod
    def of_errors(cls, errors: list[DocumentError]) -> Preview:
        return cls(errors, [])

    @property
    def has_plan(self) -> bool:
        return bool(self.digest)

    @property
    def is_noop(self) -> bool:
        return all(r.action == "unchanged" for r in self.rows)

    @property
    def changed(self) -> list[PreviewRow]:
        return [r for r in self.rows if r.action != "unchanged"]

    @property
    def unchanged(self) -> list[PreviewRow]:
        return [r for r in self.rows if r.action == "unchanged"]

    @property
    def changes(self) -> list[tuple[str, str]]:
        """(model, action) of each change, what the permissions are checked against."""
        return [(r.model, r.action) for r in self.rows]

    @property
    def counts(self) -> list[tuple[str, dict[str, int]]]:
        counts: dict[str, Counter[str]] = {m: Counter() for m in MODEL_ORDER}
        for row in self.rows:
            counts[row.model][row.action] += 1
        return [(model_label(model), dict(c)) for model, c in counts.items() if c]

    def to_json(self) -> dict[str, Any]:
        return {
            "errors": [[e.file, e.path, e.message, e.line] for e in self.errors],
            "rows": [[r.model, r.key, r.action, r.label, r.fields, r.window] for r in self.rows],
            "digest": self.digest,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Preview:
        return cls(
            errors=[DocumentError(*e) for e in data["errors"]],
            rows=[
                # A preview kept before windows were shown has none.
                PreviewRow(model, key, action, label, [tuple(f) for f in fields], *window)
                for model, key, action, label, fields, *window in data["rows"]
            ],
            digest=data["digest"],
        )


def _label(row: dict[str, Any]) -> str:
    if "rating" in row:  # an assessment: what it rates, and why
        return f"{Assessed(row['rating']).label} — {row['rationale']}"
    return str(row.get("title") or row.get("name") or row.get("quote") or "")


def _window(row: dict[str, Any]) -> str:
    """The window a milestone's due words get, as the preview says it: "“fin 2025”:
    1 January 2025 – 31 December 2025 (year), read against 17 May 2021"."""
    if not row.get("due_text") or row.get("due_start") is None:
        return _("no deadline")
    values = {
        "text": row["due_text"],
        "start": dates.day(row["due_start"], get_language()),
        "end": dates.day(row["due_end"], get_language()),
        "precision": Precision(row["due_precision"]).label,
        "reference": dates.day(row["due_reference"], get_language())
        if row["due_reference"]
        else "—",
    }
    if row["due_start"] == row["due_end"]:
        return _("“%(text)s”: %(start)s (%(precision)s), read against %(reference)s") % values
    return _("“%(text)s”: %(start)s – %(end)s (%(precision)s), read against %(reference)s") % values


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return _shortened(str(value), SHOWN_CHARS)


def _shortened(text: str, size: int) -> str:
    # Truncator costs ~0.1 ms; a large plan has tens of thousands of short titles.
    return text if len(text) <= size else Truncator(text).chars(size)


def draft_preview(draft: ImportDraft) -> Preview:
    """The draft's preview: the one kept with it while it still holds, else read, planned
    and kept. Applying never uses it: it plans again inside its transaction."""
    key = _preview_key(draft)
    if key is not None and draft.preview and draft.preview.get("key") == key:
        return Preview.from_json(draft.preview)
    preview = _preview_now(draft)
    if key is not None:
        # Keyed on the files it read: a correction saved meanwhile is never shown this plan.
        draft.preview = {"key": key, **preview.to_json()}
        ImportDraft.objects.filter(pk=draft.pk).update(preview=draft.preview)
    return preview


def _preview_now(draft: ImportDraft) -> Preview:
    """The draft's preview, read and planned now: documents that do not read report their
    structure and quote errors at once."""
    try:
        documents = documents_parse_uploaded(draft.files)
    except ImportFailed as exc:
        return Preview.of_errors(reported_errors(exc))
    try:
        return Preview.of_plan(plan_build(documents))
    except ImportFailed as exc:
        return Preview.of_errors(exc.errors)


def _preview_key(draft: ImportDraft) -> dict[str, Any] | None:
    """What a plan depends on besides the code: the documents and texts, the published data
    (read first: data that moves while the plan is built makes the key stale, never the plan
    wrongly fresh), the day (a completion date must not be in the future) and the language
    of the messages. None when the data version is unknown: nothing is kept then."""
    version = dataversion.identity()
    if version is None:
        return None
    files = hashlib.sha256()
    for name, text in sorted(draft.files.items()):
        data = text.encode("utf-8", "surrogatepass")
        files.update(f"{len(name)}:{name}{len(data)}:".encode("utf-8", "surrogatepass") + data)
    return {
        "files": files.hexdigest(),
        "data_version": version,
        "today": timezone.localdate().isoformat(),
        "language": get_language(),
    }


# -- correcting a document --------------------------------------------------------------------


def draft_correct(draft: ImportDraft, name: str, text: str) -> list[DocumentError]:
    """Save `text` as the draft's document `name` (one of draft.documents, else KeyError),
    and return [], the kept preview cleared; or return why it does not even read as a
    document, and save nothing: the draft keeps its last good version."""
    if name not in draft.documents:
        raise KeyError(name)
    _document, errors = document_parse_text(text, name=name, directory=Path("."), texts=draft.texts)
    if errors:
        return errors
    draft.files = {**draft.files, name: text}
    draft.preview = None  # the plan of the documents as they were
    draft.save(update_fields=["files", "preview"])
    return []


# -- applying ---------------------------------------------------------------------------------

_PERMISSION = {"create": "add", "update": "change", "delete": "delete"}


def missing_permissions(user: Any, changes: Iterable[tuple[str, str]]) -> list[str]:
    """What `user` may not do of what a plan does, given as (model, action): applying an
    import creates, changes and deletes missions, sources, milestones… and takes the right to
    do each of those."""
    needed = {
        f"initiatives.{_PERMISSION[action]}_{model.lower()}"
        for model, action in changes
        if action in _PERMISSION
    }
    return sorted(p for p in needed if not user.has_perm(p))


def draft_apply(draft_id: int, digest: str, user: Any) -> ImportPlan:
    """Apply the draft's documents as the plan of `digest`, as `user`, once: return the plan
    written, the draft marked applied by `user`. Nothing is written when it raises:
    DraftAlreadyApplied (even on a double click in two tabs: the draft's row is locked),
    ImportFailed (the documents no longer import), PermissionDenied (the user may not write
    something the plan writes; its message lists the permissions), StalePlanError (the data
    moved since the plan of `digest`; it carries the new plan), IntegrityError (another import
    created the same objects and committed meanwhile)."""
    with transaction.atomic():
        locked = ImportDraft.objects.select_for_update().get(pk=draft_id)
        if locked.applied_at is not None:
            raise DraftAlreadyApplied
        try:
            documents = documents_parse_uploaded(locked.files)
        except ImportFailed as exc:
            raise ImportFailed(reported_errors(exc)) from None

        def authorize(plan: ImportPlan) -> None:
            changes = ((c.model, c.action) for c in plan.changes)
            if missing := missing_permissions(user, changes):
                raise PermissionDenied(", ".join(missing))

        plan = plan_apply(documents, digest, user=user, authorize=authorize)
        ImportDraft.objects.filter(pk=draft_id).update(
            applied_at=timezone.now(), applied_by=user, preview=None
        )
    return plan

"""The admin's import page: upload fixture documents (or draft one from an article), review
the plan, apply it.

Files are held in an ImportDraft, in the database: nothing is written to disk, and nothing
is published until a staff member applies the plan they were shown. The preview is what
apply does: apply rebuilds the plan inside its transaction and refuses, showing the new plan,
if its digest differs from the one the page was rendered with.

Reading and planning a large document takes seconds: the preview is kept with the draft, for
as long as the documents, the published data (its data version), the day and the language
are those it was built with."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import dataversion, extraction, importing
from .import_forms import ExtractionForm, ImportDocumentForm, ImportUploadForm
from .models import Assessed, ImportDraft

ACTIONS = ("create", "update", "delete", "unchanged")
SHOWN_CHARS = 400  # a source's whole text in a diff would bury the rest


def model_label(model: str) -> str:
    """ "Workstream" as the page's language says it ("Chantier")."""
    return _model_label(model, get_language())


@functools.lru_cache(maxsize=64)
def _model_label(model: str, language: str | None) -> str:
    # Once per model and language, not once per row: a large plan has tens of thousands.
    return str(apps.get_model("initiatives", model)._meta.verbose_name).capitalize()


def _staff_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the admin's views are for signed-in staff only
    return user


@dataclass(frozen=True)
class PreviewRow:
    model: str  # "Workstream"
    key: str
    action: str
    label: str  # the object's title or name, when it has one
    fields: list[tuple[str, str, str]]  # (field, old, new), shortened for display

    @property
    def model_label(self) -> str:
        return model_label(self.model)


@dataclass(frozen=True)
class Preview:
    """What the preview page shows: the plan's changes, shortened for display, and its digest;
    or the errors that stop it. Small enough to keep with the draft (as JSON)."""

    errors: list[importing.DocumentError]
    rows: list[PreviewRow]
    digest: str = ""  # the plan's; "" when there is no plan

    @classmethod
    def of_plan(cls, plan: importing.ImportPlan) -> Preview:
        order = {a: n for n, a in enumerate(ACTIONS)}
        changes = sorted(
            plan.changes, key=lambda c: (importing.MODEL_ORDER.index(c.model), order[c.action])
        )
        rows = [
            PreviewRow(
                model=c.model,
                key=c.key,
                action=c.action,
                label=_shortened(_label(plan.rows[c.model].get(c.natural_key, {})), 120),
                fields=[
                    (f, _shown(old), _shown(new)) for f, (old, new) in sorted(c.fields.items())
                ],
            )
            for c in changes
        ]
        return cls([], rows, plan.digest())

    @classmethod
    def of_errors(cls, errors: list[importing.DocumentError]) -> Preview:
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
        counts: dict[str, Counter[str]] = {m: Counter() for m in importing.MODEL_ORDER}
        for row in self.rows:
            counts[row.model][row.action] += 1
        return [(model_label(model), dict(c)) for model, c in counts.items() if c]

    def to_json(self) -> dict[str, Any]:
        return {
            "errors": [[e.file, e.path, e.message] for e in self.errors],
            "rows": [[r.model, r.key, r.action, r.label, r.fields] for r in self.rows],
            "digest": self.digest,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Preview:
        return cls(
            errors=[importing.DocumentError(*e) for e in data["errors"]],
            rows=[
                PreviewRow(model, key, action, label, [tuple(f) for f in fields])
                for model, key, action, label, fields in data["rows"]
            ],
            digest=data["digest"],
        )


def _label(row: dict[str, Any]) -> str:
    if "rating" in row:  # an assessment: what it rates, and why
        return f"{Assessed(row['rating']).label} — {row['rationale']}"
    return str(row.get("title") or row.get("name") or row.get("quote") or "")


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return _shortened(str(value), SHOWN_CHARS)


def _shortened(text: str, size: int) -> str:
    # Truncator costs ~0.1 ms; a large plan has tens of thousands of short titles.
    return text if len(text) <= size else Truncator(text).chars(size)


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


def preview_of(draft: ImportDraft) -> Preview:
    """The draft's preview, read and planned now."""
    try:
        documents = importing.documents_parse_uploaded(draft.files)
        return Preview.of_plan(importing.plan_build(documents))
    except importing.ImportFailed as exc:
        return Preview.of_errors(exc.errors)


def draft_preview(draft: ImportDraft) -> Preview:
    """The draft's preview: the one kept with it while it still holds, else read, planned
    and kept. Applying never uses it: it plans again inside its transaction."""
    key = _preview_key(draft)
    if key is not None and draft.preview and draft.preview.get("key") == key:
        return Preview.from_json(draft.preview)
    preview = preview_of(draft)
    if key is not None:
        # Keyed on the files it read: a correction saved meanwhile is never shown this plan.
        draft.preview = {"key": key, **preview.to_json()}
        ImportDraft.objects.filter(pk=draft.pk).update(preview=draft.preview)
    return preview


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


class ImportDraftAdmin(admin.ModelAdmin):
    list_display = ("title", "origin", "created_by", "created_at", "applied_by", "applied_at")
    list_filter = ("origin", "applied_at")
    search_fields = ("title",)
    change_list_template = "admin/initiatives/importdraft/change_list.html"

    def get_queryset(self, request: HttpRequest) -> Any:
        # The list shows titles and dates: not megabytes of documents and plans per draft.
        return super().get_queryset(request).defer("files", "preview")

    def get_urls(self) -> list[Any]:
        return [
            path(
                "extraction/",
                self.admin_site.admin_view(self.extraction_view),
                name="initiatives_importdraft_extraction",
            ),
            *super().get_urls(),
        ]

    # -- upload ---------------------------------------------------------------------------
    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            files = form.cleaned_data["files"]
            documents = sorted(n for n in files if not n.lower().endswith(".txt"))
            draft = ImportDraft.objects.create(
                title=Truncator(", ".join(documents)).chars(300),
                origin=ImportDraft.Origin.UPLOAD,
                files=files,
                created_by=_staff_user(request),
            )
            return HttpResponseRedirect(self._preview_url(draft))
        return self._render(request, "upload.html", {"form": form, "title": _("Import documents")})

    # -- extraction -----------------------------------------------------------------------
    def extraction_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ExtractionForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            published: dt.date | None
            precision: extraction.PublishedPrecision
            published, precision = form.cleaned_data["published"] or (None, "day")
            draft_document = extraction.extract(
                form.cleaned_data["text"],
                published=published,
                precision=precision,
                publisher=form.cleaned_data["publisher"],
                url=form.cleaned_data["url"],
            )
            draft = ImportDraft.objects.create(
                title=Truncator(_("Extraction: %(title)s") % {"title": draft_document.title}).chars(
                    300
                ),
                origin=ImportDraft.Origin.EXTRACTION,
                files=draft_document.files,
                created_by=_staff_user(request),
            )
            return HttpResponseRedirect(self._preview_url(draft))
        return self._render(
            request,
            "extraction.html",
            {"form": form, "title": _("Draft a document from an article")},
        )

    # -- preview, correct, apply ----------------------------------------------------------
    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        draft = self._draft(request, object_id)
        editable = draft.applied_at is None and self.has_change_permission(request, draft)
        if request.method == "POST":
            if not self.has_change_permission(request, draft):
                raise PermissionDenied
            if draft.applied_at is not None:  # a second click, another tab
                messages.warning(request, _("This import was already applied."))
                return HttpResponseRedirect(self._preview_url(draft))
            if "apply" in request.POST:
                return self._apply(request, draft)
            return self._save_documents(request, draft)
        return self._render_preview(request, draft, draft_preview(draft), editable)

    def _apply(self, request: HttpRequest, draft: ImportDraft) -> HttpResponse:
        digest = request.POST.get("digest", "")
        try:
            with transaction.atomic():
                # One apply per draft, even on a double click in two tabs.
                locked = ImportDraft.objects.select_for_update().get(pk=draft.pk)
                if locked.applied_at is not None:
                    messages.warning(request, _("This import was already applied."))
                    return HttpResponseRedirect(self._preview_url(draft))
                documents = importing.documents_parse_uploaded(locked.files)

                def authorize(plan: importing.ImportPlan) -> None:
                    changes = ((c.model, c.action) for c in plan.changes)
                    if missing := missing_permissions(request.user, changes):
                        raise PermissionDenied(", ".join(missing))

                plan = importing.plan_apply(
                    documents, digest, user=request.user, authorize=authorize
                )
                ImportDraft.objects.filter(pk=draft.pk).update(
                    applied_at=timezone.now(), applied_by=request.user, preview=None
                )
        except importing.StalePlanError as exc:
            messages.error(
                request,
                _(
                    "The data changed since this preview: nothing was written. Review the new plan below."
                ),
            )
            return self._render_preview(
                request, draft, Preview.of_plan(exc.current), True, status=409
            )
        except importing.ImportFailed as exc:
            messages.error(
                request, _("The documents can no longer be imported: nothing was written.")
            )
            return self._render_preview(
                request, draft, Preview.of_errors(exc.errors), True, status=409
            )
        except IntegrityError:
            # Another import created the same objects and committed while this one was writing.
            messages.error(
                request,
                _(
                    "The data changed while this import was being written: nothing was written. Review the new plan below."
                ),
            )
            return self._render_preview(request, draft, draft_preview(draft), True, status=409)
        counts = plan.counts()
        messages.success(
            request,
            _("Imported: %(created)d created, %(updated)d updated, %(deleted)d deleted.")
            % {
                "created": sum(c["create"] for c in counts.values()),
                "updated": sum(c["update"] for c in counts.values()),
                "deleted": sum(c["delete"] for c in counts.values()),
            },
        )
        return HttpResponseRedirect(self._preview_url(draft))

    def _save_documents(self, request: HttpRequest, draft: ImportDraft) -> HttpResponse:
        form = ImportDocumentForm(request.POST)
        if form.is_valid() and form.cleaned_data["name"] not in draft.documents:
            raise Http404
        if form.is_valid():
            # A correction that does not even read as a document is not saved: the box keeps
            # what was typed, with the reason, and the draft keeps its last good version.
            _document, errors = importing.document_parse_text(
                form.cleaned_data["text"],
                name=form.cleaned_data["name"],
                directory=Path("."),
                texts=draft.texts,
            )
            for error in errors:
                form.add_error("text", str(error))
        if form.is_valid():
            draft.files = {**draft.files, form.cleaned_data["name"]: form.cleaned_data["text"]}
            draft.preview = None  # the plan of the documents as they were
            draft.save(update_fields=["files", "preview"])
            messages.success(request, _("Document saved: the preview below is its new plan."))
            return HttpResponseRedirect(self._preview_url(draft))
        return self._render_preview(
            request, draft, draft_preview(draft), True, document_form=form, status=400
        )

    def _render_preview(
        self,
        request: HttpRequest,
        draft: ImportDraft,
        preview: Preview,
        editable: bool,
        *,
        document_form: ImportDocumentForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        # A document being corrected keeps what was typed, and why it did not save.
        typed_name = document_form.data.get("name") if document_form is not None else None
        document_forms = [
            document_form
            if document_form is not None and typed_name == name
            else ImportDocumentForm(initial={"name": name, "text": text})
            for name, text in sorted(draft.documents.items())
        ]
        missing = missing_permissions(request.user, preview.changes)
        if editable and missing:
            messages.warning(
                request,
                _("Applying this plan needs permissions you do not have: %(missing)s.")
                % {"missing": ", ".join(missing)},
            )
        response = self._render(
            request,
            "preview.html",
            {
                "title": _("Import preview: %(title)s") % {"title": draft.title},
                "draft": draft,
                "preview": preview,
                "editable": editable and not missing,
                "document_forms": document_forms,
                "texts": sorted(draft.texts),
            },
        )
        response.status_code = status
        return response

    # -- helpers --------------------------------------------------------------------------
    def _draft(self, request: HttpRequest, object_id: str) -> ImportDraft:
        try:
            draft = get_object_or_404(ImportDraft, pk=int(object_id))
        except ValueError:
            raise Http404 from None
        if not self.has_view_permission(request, draft):
            raise PermissionDenied
        return draft

    def _preview_url(self, draft: ImportDraft) -> str:
        return reverse("admin:initiatives_importdraft_change", args=[draft.pk])

    def _render(
        self, request: HttpRequest, template: str, context: dict[str, Any]
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/initiatives/importdraft/{template}",
            {**self.admin_site.each_context(request), "opts": self.model._meta, **context},
        )

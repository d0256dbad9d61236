"""The admin's import page: upload fixture documents (or draft one from an article), review
the plan, apply it.

Files are held in an ImportDraft, in the database: nothing is written to disk, and nothing
is published until a staff member applies the plan they were shown. The preview is what
apply does: apply rebuilds the plan inside its transaction and refuses, showing the new plan,
if its digest differs from the one the page was rendered with.

What a draft goes through (its kept preview, a correction, the one apply under a lock and
the permissions) is importing.drafts: this module holds the forms, messages, statuses and
pages around it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from . import extraction, importing
from .import_forms import ExtractionForm, ImportDocumentForm, ImportUploadForm
from .models import ImportDraft


def _staff_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the admin's views are for signed-in staff only
    return user


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
        return self._render_preview(request, draft, importing.draft_preview(draft), editable)

    def _apply(self, request: HttpRequest, draft: ImportDraft) -> HttpResponse:
        try:
            plan = importing.draft_apply(draft.pk, request.POST.get("digest", ""), request.user)
        except importing.DraftAlreadyApplied:
            messages.warning(request, _("This import was already applied."))
            return HttpResponseRedirect(self._preview_url(draft))
        except importing.StalePlanError as exc:
            messages.error(
                request,
                _(
                    "The data changed since this preview: nothing was written. Review the new plan below."
                ),
            )
            return self._render_preview(
                request, draft, importing.Preview.of_plan(exc.current), True, status=409
            )
        except importing.ImportFailed as exc:
            messages.error(
                request, _("The documents can no longer be imported: nothing was written.")
            )
            return self._render_preview(
                request, draft, importing.Preview.of_errors(exc.errors), True, status=409
            )
        except IntegrityError:
            # Another import created the same objects and committed while this one was writing.
            messages.error(
                request,
                _(
                    "The data changed while this import was being written: nothing was written. Review the new plan below."
                ),
            )
            return self._render_preview(
                request, draft, importing.draft_preview(draft), True, status=409
            )
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
        if form.is_valid():
            name = form.cleaned_data["name"]
            if name not in draft.documents:
                raise Http404
            # A correction that does not even read as a document is not saved: the box keeps
            # what was typed, with the reason, and the draft keeps its last good version.
            for error in importing.draft_correct(draft, name, form.cleaned_data["text"]):
                form.add_error(
                    "text",
                    _("%(error)s (line %(line)s)") % {"error": error, "line": error.line}
                    if error.line
                    else str(error),
                )
        if form.is_valid():
            messages.success(request, _("Document saved: the preview below is its new plan."))
            return HttpResponseRedirect(self._preview_url(draft))
        return self._render_preview(
            request, draft, importing.draft_preview(draft), True, document_form=form, status=400
        )

    def _render_preview(
        self,
        request: HttpRequest,
        draft: ImportDraft,
        preview: importing.Preview,
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
        missing = importing.missing_permissions(request.user, preview.changes)
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

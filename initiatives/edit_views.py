"""Coordinators edit milestones: inline through htmx, or on a page of its own without
JavaScript. Permissions are checked here and again in services.milestone_update."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from . import periods, selectors, services
from .forms import MilestoneEditForm
from .http import own_url
from .models import Milestone, Precision, period_error_message

ROW = "initiatives/milestone_edit.html#row"
FORM = "initiatives/milestone_edit.html#form"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _editable(request, pk)
    inline = bool(request.htmx)
    if request.method != "POST":
        form = MilestoneEditForm.for_milestone(milestone)
        return _form_response(request, milestone, form, inline=inline)
    form = MilestoneEditForm(request.POST)
    if not form.is_valid():
        return _form_response(request, milestone, form, inline=inline, status=400)
    change = services.MilestoneChange(
        **{name: form.cleaned_data[name] for name in ("status", "progress", "completed_on", "comment")},
        due_text=form.cleaned_data["due_text"] or "",
    )
    try:
        saved = services.milestone_update(
            request.user, milestone.pk, change, base_version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return _form_response(request, milestone, form, inline=inline, status=400)
    except services.EditConflict as conflict:
        # Keep what was typed; offer it again over the current version, knowingly.
        data = request.POST.copy()
        data["version"] = str(conflict.current.version)
        return _form_response(
            request,
            conflict.current,
            MilestoneEditForm(data),
            inline=inline,
            status=409,
            conflict=conflict,
        )
    if not inline:
        return redirect(_next_url(request) or reverse("initiatives:milestone", args=[saved.pk]))
    response = render(request, ROW, _row_context(request, saved))
    # The progress bars of the workstream and the mission listen for this event.
    response["HX-Trigger"] = json.dumps(
        {"milestone-saved": {"milestone": saved.pk, "mission": saved.mission.key}}
    )
    return response


@login_required
@require_safe
def milestone_row(request: HttpRequest, pk: int) -> HttpResponse:
    """The row as it is read, to put back when an inline edit is cancelled."""
    milestone = selectors.milestone_row(pk, timezone.localdate())
    if milestone is None:
        raise Http404
    return render(request, ROW, _row_context(request, milestone))


@require_safe
def due_preview(request: HttpRequest) -> HttpResponse:
    """What a due expression reads as today, while it is typed."""
    text = request.GET.get("due_text", "").strip()[:200]
    context: dict[str, Any] = {"text": text}
    if text:
        try:
            period = periods.parse_period(text, timezone.localdate())
            context.update(period=period, precision=Precision(period.precision.value).label)
        except periods.PeriodParseError as error:
            context["error"] = period_error_message(error)
    return render(request, "initiatives/milestone_edit.html#preview", context)


def _editable(request: HttpRequest, pk: int) -> Milestone:
    milestone = (
        Milestone.objects.select_related("workstream", "mission").filter(pk=pk).first()
    )
    if milestone is None:
        raise Http404
    if not services.can_edit_milestone(request.user, milestone):
        raise PermissionDenied
    return milestone


def _form_response(
    request: HttpRequest,
    milestone: Milestone,
    form: MilestoneEditForm,
    *,
    inline: bool,
    status: int = 200,
    conflict: services.EditConflict | None = None,
) -> HttpResponse:
    context = {
        "milestone": milestone,
        "form": form,
        "conflict": conflict,
        "next": _next_url(request) or "",
        "inline": inline,
    }
    template = FORM if inline else "initiatives/milestone_edit.html"
    return render(request, template, context, status=status)


def _row_context(request: HttpRequest, milestone: Milestone) -> dict[str, Any]:
    # The row is asked for by whoever cancels an edit, or by anyone with its URL.
    editable = selectors.editable_milestone_ids(request.user, [milestone])
    return {"m": milestone, "editable": editable}


def _next_url(request: HttpRequest) -> str | None:
    return own_url(request, request.POST.get("next") or request.GET.get("next") or "")


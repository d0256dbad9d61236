"""Coordinators edit milestones: inline through htmx, or on a page of its own without
JavaScript. Permissions are checked here and again in services.milestone_update."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from . import dates, periods, selectors, services
from .forms import MilestoneEditForm, compared_value
from .http import HtmxHttpRequest, own_url
from .models import Milestone, Precision, period_error_message

ROW = "initiatives/milestone_edit.html#row"
FORM = "initiatives/milestone_edit.html#form"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def milestone_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    milestone = _editable(request, pk)
    inline = bool(request.htmx)
    if request.method != "POST":
        form = MilestoneEditForm.for_milestone(milestone)
        return _form_response(request, milestone, form, inline=inline)
    form = MilestoneEditForm(request.POST)
    if not form.is_valid():
        return _form_response(request, milestone, form, inline=inline, status=400)
    # Only what its user changed: a field someone else moved meanwhile stays theirs.
    typed = form.typed()
    change = services.MilestoneChange(
        **{name: typed[name] for name in form.changed_fields()},
        due_retyped=form.cleaned_data["reread_due"],
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
        # Keep what was typed, and what was seen (hidden); offer it again over the current
        # version, knowingly, with each field's three values side by side.
        data = request.POST.copy()
        data["version"] = str(conflict.current.version)
        return _form_response(
            request,
            conflict.current,
            MilestoneEditForm(data),
            inline=inline,
            status=409,
            conflict=conflict,
            fields=_conflict_fields(form, conflict.current),
        )
    resolved = bool(request.POST.get("after_conflict"))
    # Written, and worth a word to its author: due words whose window has already ended.
    warnings = list(getattr(saved, "warnings", {}).values())
    if not inline:
        if resolved:
            flash.success(request, _final_values(saved))
        for warning in warnings:
            flash.warning(request, warning)
        return redirect(_next_url(request) or reverse("initiatives:milestone", args=[saved.pk]))
    response = render(
        request,
        ROW,
        {
            **_row_context(request, saved),
            "final": _final_values(saved) if resolved else "",
            "warnings": warnings,
        },
    )
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
    today = timezone.localdate()
    if text:
        try:
            period = periods.parse_period(text, today)
            context.update(
                period=period,
                precision=Precision(period.precision.value).label,
                passed=period.end < today,  # saved all the same, with a warning
            )
        except periods.PeriodParseError as error:
            context["error"] = period_error_message(error)
    return render(request, "initiatives/milestone_edit.html#preview", context)


def _editable(request: HttpRequest, pk: int) -> Milestone:
    milestone = Milestone.objects.select_related("workstream", "mission").filter(pk=pk).first()
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
    fields: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    context = {
        "milestone": milestone,
        "form": form,
        "conflict": conflict,
        "conflict_fields": fields or [],
        "next": _next_url(request) or "",
        "inline": inline,
        "today_reading": _today_reading(milestone),
    }
    template = FORM if inline else "initiatives/milestone_edit.html"
    return render(request, template, context, status=status)


def _today_reading(milestone: Milestone) -> periods.Period | None:
    """The stored due words as they read today, when that is another window than the one
    stored ("à l'automne" read in 2020): the form then offers to read them again, which
    retyping them ticks. Saved, the writer reads them (services.MilestoneChange.due_retyped)."""
    today = timezone.localdate()
    if not milestone.due_text or milestone.due_reference == today:
        return None
    try:
        period = periods.parse_period(milestone.due_text, today)
    except periods.PeriodParseError:
        return None
    moved = (period.start, period.end) != (milestone.due_start, milestone.due_end)
    return period if moved else None


def _row_context(request: HttpRequest, milestone: Milestone) -> dict[str, Any]:
    # The row is asked for by whoever cancels an edit, or by anyone with its URL.
    editable = selectors.editable_milestone_ids(request.user, [milestone])
    return {"m": milestone, "editable": editable}


def _shown(milestone: Milestone, name: str, value: Any) -> str:
    """A value of the edit form as a person reads it."""
    if name == "status":
        return (
            str(Milestone.Status(value).label)
            if value in Milestone.Status.values
            else str(value or "—")
        )
    if name == "progress":
        return "—" if value is None else f"{value} %"
    if name == "completed_on":
        return dates.day(value, get_language()) if value else "—"
    if name == "due_text":
        return f"« {value} »" if value else str(_("undated"))
    return value or "—"


def _conflict_fields(form: MilestoneEditForm, current: Milestone) -> list[dict[str, Any]]:
    """Each field of the form with what its user saw, what they typed and what is stored now,
    and who changed it: they, the other person, or both."""
    seen, typed = form.seen_values(), form.typed()
    stored = {
        name: compared_value(name, value)
        for name, value in MilestoneEditForm.values_of(current).items()
    }
    mine = set(form.changed_fields())
    rows = []
    for name in MilestoneEditForm.FIELDS:
        theirs = seen is not None and stored[name] != seen[name]
        rows.append(
            {
                "label": form.fields[name].label,
                "seen": _shown(current, name, seen[name]) if seen is not None else "?",
                "typed": _shown(current, name, typed[name]),
                "stored": _shown(current, name, stored[name]),
                "mine": name in mine and typed[name] != stored[name],
                "theirs": theirs,
            }
        )
    return rows


def _final_values(milestone: Milestone) -> str:
    """What a milestone holds after « save mine anyway », in one sentence."""
    values = MilestoneEditForm.values_of(milestone)
    return _("Saved. The milestone now reads: %(values)s.") % {
        "values": "; ".join(
            f"{MilestoneEditForm.base_fields[name].label} : {_shown(milestone, name, values[name])}"
            for name in MilestoneEditForm.FIELDS
        )
    }


def _next_url(request: HttpRequest) -> str | None:
    return own_url(request, request.POST.get("next") or request.GET.get("next") or "")

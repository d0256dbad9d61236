"""Observers record assessments ("statut constaté") of a milestone or a mission: a plain form
that works without JavaScript. Permission is checked here and again in
services.record_assessment, which holds every rule."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import dates, selectors, services
from .assessment_forms import PRIMARY, AssessmentForm, AssessmentOptions, evidence_formset
from .models import Milestone, Mission

TEMPLATE = "initiatives/assessment_form.html"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def milestone_assess(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("mission", "workstream"), pk=pk)
    return _assess(
        request, milestone, milestone.mission, reverse("initiatives:milestone", args=[milestone.pk])
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mission_assess(request: HttpRequest, key: str) -> HttpResponse:
    mission = get_object_or_404(Mission, key=key)
    return _assess(request, mission, mission, reverse("initiatives:mission", args=[mission.key]))


def _assess(
    request: HttpRequest, target: Milestone | Mission, mission: Mission, back: str
) -> HttpResponse:
    if not services.can_assess_target(request.user, target):
        raise PermissionDenied
    milestone = target if isinstance(target, Milestone) else None
    sources = selectors.evidence_sources(mission)
    options = AssessmentOptions(
        successors=selectors.assessment_successors(mission, milestone),
        for_milestone=milestone is not None,
    )
    if request.method != "POST":
        # A revision starts from the current rating.
        form = AssessmentForm(
            initial={"rating": target.assessed_status} if target.assessed_on else {}, **options
        )
        return _page(request, target, back, form, evidence_formset(sources=sources))
    form = AssessmentForm(request.POST, **options)
    rows = evidence_formset(request.POST, sources=sources)
    if not (form.is_valid() & rows.is_valid()):  # both, so that every error shows at once
        return _page(request, target, back, form, rows, status=400)
    data = form.cleaned_data
    given = services.AssessmentInput(
        rating=data["rating"],
        as_of=data["as_of"],
        rationale=data["rationale"],
        # Every row, blank ones too: the service numbers its messages as the form's rows.
        evidence=[
            services.EvidenceQuote(
                source_key=row.cleaned_data.get("source", ""),
                quote=row.cleaned_data.get("quote", ""),
                primary=row.cleaned_data.get("weight", PRIMARY) == PRIMARY,
            )
            for row in rows.forms
        ],
        successor_milestone_id=getattr(data.get("successor_milestone"), "pk", None),
        successor_mission_id=getattr(data.get("successor_mission"), "pk", None),
    )
    try:
        assessment = services.record_assessment(request.user, target, given)
    except ValidationError as error:
        evidence_errors: list[str] = []
        for field, texts in error.message_dict.items():
            if field == "evidence":
                evidence_errors.extend(texts)
            else:
                form.add_error(field if field in form.fields else None, texts)
        return _page(request, target, back, form, rows, evidence_errors=evidence_errors, status=400)
    messages.success(
        request,
        _("Assessment recorded: “%(rating)s” as of %(day)s.")
        % {
            "rating": assessment.get_rating_display(),
            "day": dates.day(assessment.as_of, get_language()),
        },
    )
    return redirect(back)


def _page(
    request: HttpRequest,
    target: Milestone | Mission,
    back: str,
    form: AssessmentForm,
    rows: Any,
    *,
    evidence_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    is_milestone = isinstance(target, Milestone)
    for checked in (form, *rows.forms):
        checked.mark_errors()
    return render(
        request,
        TEMPLATE,
        {
            "target": target,
            "is_milestone": is_milestone,
            "mission": target.mission if isinstance(target, Milestone) else target,
            "back": back,
            "form": form,
            "rows": rows,
            "evidence_errors": evidence_errors or [],
        },
        status=status,
    )

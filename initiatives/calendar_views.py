"""Calendars of deadlines: a mission's (public like its page), a reader's at a secret
address (no login: calendar applications cannot log in), and « Mon calendrier », the page
that gives that address and resets it.

The feeds answer conditionally (initiatives.conditional): a calendar application asking
again every few hours gets a `304` while nothing changed. The reader's feed finds its owner
before the validators are compared, so that a reset or deactivated address answers `404`
even to a client holding a tag of its former answer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from . import calendars, selectors, services
from .conditional import conditional, data_last_modified
from .models import Mission

ICALENDAR = "text/calendar; charset=utf-8"


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ICALENDAR)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def mission_calendar(request: HttpRequest, key: str) -> HttpResponseBase:
    """The dated milestones of a mission; 404 for an unknown mission."""
    return _mission_calendar(request, get_object_or_404(Mission, key=key))


@conditional
def _mission_calendar(request: HttpRequest, mission: Mission) -> HttpResponse:
    milestones = selectors.mission_calendar(mission, timezone.localdate())
    body = calendars.mission_calendar(mission, milestones, data_last_modified(request))
    return _ics(body, f"echeances-{mission.key}.ics")


@require_safe
def user_calendar(request: HttpRequest, token: str) -> HttpResponseBase:
    """A reader's calendar, at the address only they know: an unknown, replaced or inactive
    account's address all answer the same 404."""
    owner = selectors.calendar_owner(token)
    if owner is None:
        raise Http404
    response = _user_calendar(request, owner)
    # One person's: no shared cache keeps it, no search engine lists its address.
    response["Cache-Control"] = "private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@conditional
def _user_calendar(request: HttpRequest, owner: Any) -> HttpResponse:
    milestones = selectors.user_calendar(owner, timezone.localdate())
    return _ics(
        calendars.user_calendar(owner, milestones, data_last_modified(request)),
        "mes-echeances.ics",
    )


@never_cache  # shows a secret address
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_calendar(request: HttpRequest) -> HttpResponse:
    """GET: the address of the reader's calendar (made on the first visit) and what it holds;
    POST: a new address, the old one stops working (then back here, with a message)."""
    if request.method == "POST":
        services.reset_calendar_token(request.user)
        flash.success(
            request,
            _(
                "Your calendar has a new address: the former one no longer works. "
                "Subscribe again with the new one in your calendar application."
            ),
        )
        return redirect("initiatives:my_calendar")
    token = services.calendar_token(request.user)
    return render(
        request,
        "initiatives/my_calendar.html",
        {
            "calendar_url": settings.SITE_URL
            + reverse("initiatives:user_calendar", args=[token.token]),
            "made_at": token.created_at,
            "workstreams": selectors.coordinated_workstreams(request.user).count(),
            "missions": selectors.followed_missions(request.user).count(),
        },
    )

"""Readers follow missions: the follow button of a mission page (a plain POST, its region
swapped by htmx) and the page of the missions one follows. Each user follows for themselves
only: the views pass `request.user`, whatever the request names."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from . import selectors, services
from .http import own_url, region_request
from .models import Mission

FOLLOW = "initiatives/_follow.html"

# Following is a write the mission page reads, so each change makes a new data version and
# every cached page is built again: a person follows a few missions, a loop of clicks would
# empty the cache for everyone. Past this many changes in an hour, a change is refused.
FOLLOW_CHANGES_PER_HOUR = 30


def _one_change_too_many(user: Any) -> bool:
    """Count this change against the user's hour; True past the limit. A cache that is away
    counts nothing: following then works, unlimited, as it would without the cache."""
    # The account's creation in the key: an id a recreated database gives again starts anew.
    who = f"{user.pk}:{int(user.date_joined.timestamp())}"
    key = f"follow-changes:{who}:{int(time.time() // 3600)}"
    try:
        cache.add(key, 0, timeout=3600)
        return cache.incr(key) > FOLLOW_CHANGES_PER_HOUR
    except Exception:  # noqa: BLE001 - the breaker already logged what the cache said
        return False


@login_required
@require_POST
@vary_on_headers("HX-Request")
def follow(request: HttpRequest, key: str) -> HttpResponse:
    """POST `follow=1` to follow the mission, `follow=0` to stop: a state, not a toggle, so a
    double submit or a second tab never undoes the first. Without JavaScript: back to
    `next` (this site only) or the mission, with a message; to htmx: the button's region."""
    mission = get_object_or_404(Mission, key=key)
    wanted = request.POST.get("follow", "")
    if wanted not in ("0", "1"):
        return HttpResponseBadRequest(_("Say whether to follow this mission."))
    following = wanted == "1"
    if _one_change_too_many(request.user):
        return HttpResponse(
            _("Too many follow changes in an hour: nothing was changed. Try again later."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    if following:
        services.follow(request.user, mission)
    else:
        services.unfollow(request.user, mission)
    back = own_url(request, request.POST.get("next", ""))
    if region_request(request):
        return render(
            request,
            f"{FOLLOW}#follow",
            {"mission": mission, "following": following, "follow_next": back or ""},
        )
    if following:
        flash.success(
            request,
            _("You follow “%(title)s”: its changes will reach your notifications.")
            % {"title": mission.title},
        )
    else:
        flash.success(request, _("You no longer follow “%(title)s”.") % {"title": mission.title})
    return redirect(back or reverse("initiatives:mission", args=[mission.key]))


@never_cache
@login_required
@require_safe
def followed_missions(request: HttpRequest) -> HttpResponse:
    """The missions the signed-in user follows, each with its button to stop."""
    return render(
        request,
        "initiatives/followed_missions.html",
        {"missions": list(selectors.followed_missions(request.user))},
    )

"""« Mes jalons »: a coordinator's milestones across missions, by due window, each editable
in place with the mission pages' row and form (edit_views)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import selectors


@never_cache  # one person's work list, as fresh as the rows it edits
@login_required
@require_safe
def my_milestones(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    mine = selectors.my_milestones(request.user, today)
    return render(
        request,
        "initiatives/my_milestones.html",
        {
            "mine": mine,
            "editable": mine.editable,  # what the row partial reads
            "today": today,
            "horizon_days": settings.DEADLINE_HORIZON_DAYS,
        },
    )

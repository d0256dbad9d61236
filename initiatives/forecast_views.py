"""A workstream's coordinators give its weather ("météo"): a plain form that works without
JavaScript. Permission is checked here and again in services.record_forecast, which holds
every rule."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import services
from .forms import ForecastForm
from .models import Forecast, Workstream

TEMPLATE = "initiatives/forecast_form.html"
HISTORY = 10  # earlier forecasts shown under the form


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def workstream_forecast(request: HttpRequest, mission_key: str, key: str) -> HttpResponse:
    workstream = (
        Workstream.objects.select_related("mission")
        .filter(mission__key=mission_key, key=key)
        .first()
    )
    if workstream is None:
        raise Http404
    if not services.can_record_forecast(request.user, workstream):
        raise PermissionDenied
    today = timezone.localdate()
    if request.method != "POST":
        return _page(request, workstream, ForecastForm(initial={"stated_on": today}))
    form = ForecastForm(request.POST)
    if not form.is_valid():
        return _page(request, workstream, form, status=400)
    data = form.cleaned_data
    try:
        services.record_forecast(
            request.user,
            workstream,
            data["level"],
            data["narrative"],
            data["stated_on"],
            today=today,
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _page(request, workstream, form, status=400)
    messages.success(request, _("Weather recorded."))
    return redirect(
        reverse("initiatives:workstream", args=[workstream.mission.key, workstream.key])
    )


def _page(
    request: HttpRequest, workstream: Workstream, form: ForecastForm, status: int = 200
) -> HttpResponse:
    earlier = list(
        Forecast.objects.filter(workstream=workstream).select_related("author")[:HISTORY]
    )
    return render(
        request,
        TEMPLATE,
        {"workstream": workstream, "form": form, "earlier": earlier},
        status=status,
    )

import datetime as dt
import re
from urllib.parse import urlencode

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import as_of_views, selectors, services
from .http import for_htmx, region_request
from .pagecache import cached_page
from .forms import MissionFilterForm
from .models import Actor, Label


def _deadlines_panel(request: HttpRequest) -> bool:
    # The deadline panel polls itself; any other parameter value is ignored, not an error.
    return request.GET.get("panel") == "deadlines" and "au" not in request.GET


@require_safe
@cached_page(params=("panel", "au"))
@for_htmx("deadlines", when=_deadlines_panel)
def dashboard(request: HttpRequest) -> HttpResponse:
    if "au" in request.GET:  # as known on a past day
        return as_of_views.dashboard(request)
    today = timezone.localdate()
    context: dict[str, object] = {"today": today, "horizon_days": settings.DEADLINE_HORIZON_DAYS}
    if region_request(request) and _deadlines_panel(request):
        context["panel"] = selectors.deadline_panel(today)  # the panel alone: three queries
    else:
        board = selectors.dashboard(today)
        context.update(board=board, panel=board.deadlines)
    return TemplateResponse(request, "initiatives/dashboard.html", context)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker-compose: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"database": "unreachable"}, status=503)
    return JsonResponse({"database": "ok"})


@require_safe
@cached_page(params=(*MissionFilterForm.base_fields, "after", "before"))
@for_htmx("results")
def mission_list(request: HttpRequest) -> TemplateResponse:
    form = MissionFilterForm(
        request.GET,
        labels=list(Label.objects.order_by("name").values_list("key", "name")),
        actors=list(Actor.objects.order_by("name").values_list("key", "name")),
    )
    form.is_valid()  # invalid values are dropped below; the form shows why
    filters = selectors.MissionFilters(**form.filters())
    page = selectors.mission_list(
        filters,
        timezone.localdate(),
        after=selectors.parse_cursor(request.GET.get("after", "")),
        before=selectors.parse_cursor(request.GET.get("before", "")),
    )
    query = request.GET.copy()
    for name in ("after", "before"):
        query.pop(name, None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return TemplateResponse(request, "initiatives/mission_list.html", context)


@require_safe
@cached_page(params=("year", "label", "view", "after", "au"))
@for_htmx("axis")
def timeline(request: HttpRequest) -> HttpResponse:
    if "au" in request.GET:  # as known on a past day
        return as_of_views.timeline(request)
    labels = list(Label.objects.order_by("name").values_list("key", "name"))
    label = request.GET.get("label", "")
    if label not in {key for key, _name in labels}:
        label = ""  # an unknown label is ignored, like every bad parameter here
    year_text = request.GET.get("year", "")
    year = int(year_text) if re.fullmatch(r"[0-9]{4}", year_text) else None
    if year is not None and not 2000 <= year <= 2100:
        year = None
    view = "table" if request.GET.get("view") == "table" else "chart"
    today = timezone.localdate()
    query = {"year": year or "", "label": label, "view": "table" if view == "table" else ""}
    context = {
        "view": view,
        "query": urlencode({k: v for k, v in query.items() if v}),
        "timeline": selectors.timeline(
            today,
            label=label,
            year=year,
            after=selectors.parse_cursor(request.GET.get("after", "")),
        ),
        "labels": labels,
        "label": label,
        "year": year,
        "years": range(selectors.TIMELINE_FIRST_YEAR, today.year + 3),
    }
    return TemplateResponse(request, "initiatives/timeline.html", context)


@require_safe
@cached_page(params=("au",))
def mission_detail(request: HttpRequest, key: str) -> HttpResponse:
    if "au" in request.GET:  # as known on a past day
        return as_of_views.mission_detail(request, key)
    page = selectors.mission_page(key, timezone.localdate())
    if page is None:
        raise Http404
    editable = selectors.editable_milestone_ids(request.user, page.milestones)
    return render(
        request,
        "initiatives/mission_detail.html",
        {
            "page": page,
            "editable": editable,
            "forecastable": selectors.forecastable_workstream_ids(request.user, page.workstreams),
            "assessments": selectors.assessment_timeline(page.mission),
            "can_assess": services.can_assess_target(request.user, page.mission),
            "following": selectors.is_following(request.user, page.mission),
        },
    )


@require_safe
@cached_page()
def workstream_detail(request: HttpRequest, mission_key: str, key: str) -> HttpResponse:
    page = selectors.workstream_page(mission_key, key, timezone.localdate())
    if page is None:
        raise Http404
    editable = selectors.editable_milestone_ids(request.user, page.milestones)
    return render(
        request,
        "initiatives/workstream_detail.html",
        {
            "page": page,
            "editable": editable,
            "forecastable": selectors.forecastable_workstream_ids(request.user, [page.workstream]),
        },
    )


@require_safe
@cached_page(params=("au",))
def milestone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if "au" in request.GET:  # as known on a past day
        return as_of_views.milestone_detail(request, pk)
    found = selectors.milestone_page(pk, timezone.localdate())
    if found is None:
        raise Http404
    milestone, footnotes = found
    changes, slips = selectors.milestone_history(milestone)
    return render(
        request,
        "initiatives/milestone_detail.html",
        {
            "milestone": milestone,
            "footnotes": footnotes,
            "editable": selectors.editable_milestone_ids(request.user, [milestone]),
            "changes": changes,
            "slips": slips,
            "total_delay": sum((slip.delay for slip in slips), dt.timedelta()),
            "assessments": selectors.assessment_timeline(milestone),
            "can_assess": services.can_assess_target(request.user, milestone),
        },
    )


@require_safe
@cached_page()
def source_detail(request: HttpRequest, key: str) -> HttpResponse:
    found = selectors.source_page(key)
    if found is None:
        raise Http404
    source, text = found
    return render(request, "initiatives/source_detail.html", {"source": source, "text": text})


@require_safe
@cached_page()
def sitemap(request: HttpRequest) -> HttpResponse:
    missions, more = selectors.sitemap_missions()
    return render(
        request, "initiatives/sitemap.html", {"missions": missions, "more_missions": more}
    )


@require_safe
@cached_page()
def methodology(request: HttpRequest) -> HttpResponse:
    """How every status shown is derived: health, kinds, progress, the assessed status and
    the weather. The rules are written in the template; the figures come from the settings
    and the models, so the page says what the code does."""
    from .models import ASSESSED_DEFINITIONS, Assessed, Forecast, Milestone

    return render(
        request,
        "initiatives/methodology.html",
        {
            "horizon_days": settings.DEADLINE_HORIZON_DAYS,
            "Health": Milestone.Health,
            "Kind": Milestone.Kind,
            "Assessed": Assessed,
            "assessed_scale": [(a.value, a.label, ASSESSED_DEFINITIONS[a]) for a in Assessed],
            "grace_days": settings.ASSESSMENT_GRACE_DAYS,
            "Level": Forecast.Level,
        },
    )

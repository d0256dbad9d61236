from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import selectors


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "board": selectors.dashboard(today),
        "today": today,
        "horizon_days": settings.DEADLINE_HORIZON_DAYS,
    }
    # The deadline panel polls itself; any other parameter value is ignored, not an error.
    if request.htmx and request.GET.get("panel") == "deadlines":
        return render(request, "initiatives/dashboard.html#deadlines", context)
    return render(request, "initiatives/dashboard.html", context)


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

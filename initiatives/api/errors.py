"""Errors as RFC 9457 problem details (`application/problem+json`), in the reader's language
(French unless they chose English): `type`, `title`, `status`, `detail`, `instance`, and for
a refused parameter, `errors`, one entry per parameter with its reasons."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

PROBLEM = "application/problem+json"


def _titles() -> dict[int, str]:
    return {
        400: _("Invalid request"),
        401: _("Authentication required"),
        403: _("Access refused"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Format not available"),
        429: _("Too many requests"),
        500: _("Server error"),
    }


def problem(status: int, detail: str, instance: str, **extra: Any) -> dict[str, Any]:
    """The body of a problem: `about:blank` says the status is the whole story, its title
    the status' name, in the reader's language."""
    title = _titles().get(status, _("Error"))
    return {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "instance": instance, **extra}  # fmt: skip


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    """DRF's nested error details as a flat list of {name, reasons}."""
    if isinstance(detail, dict):
        found = []
        for name, inner in detail.items():
            key = f"{prefix}.{name}" if prefix else str(name)
            found.extend(_flatten(inner, key))
        return found
    reasons = [str(item) for item in detail] if isinstance(detail, list) else [str(detail)]
    return [{"name": prefix or "non_field_errors", "reasons": reasons}]


def problem_details(raised: Exception, context: dict[str, Any]) -> Response | None:
    """REST framework's EXCEPTION_HANDLER."""
    exc: exceptions.APIException
    if isinstance(raised, Http404):
        exc = exceptions.NotFound()
    elif isinstance(raised, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(raised, exceptions.APIException):
        exc = raised
    else:
        return None  # a bug: Django's 500 page and the log, not a problem
    if isinstance(exc, exceptions.NotAuthenticated):
        # Say why, not only that credentials are missing: this site's data is not public.
        from .access import PublicRead

        status = exc.status_code  # 403: DRF's own, as sessions send no WWW-Authenticate
        exc = exceptions.NotAuthenticated(PublicRead.message)
        exc.status_code = status
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(math.ceil(exc.wait))
    if isinstance(exc.detail, (list, dict)):
        body = problem(
            exc.status_code,
            _("Some parameters are not valid: see `errors`."),
            instance,
            errors=_flatten(exc.detail),
        )
    else:
        body = problem(exc.status_code, str(exc.detail), instance)
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers, content_type=PROBLEM)


def not_found(request: HttpRequest) -> JsonResponse:
    """A path under /api/ that names nothing: a problem too, not the site's HTML 404 page."""
    body = problem(404, _("No endpoint at this address: see /api/v1/schema/."), request.path)
    return JsonResponse(body, status=404, content_type=PROBLEM,
                        json_dumps_params={"ensure_ascii": False})  # fmt: skip


def server_error(request: HttpRequest) -> JsonResponse:
    """A bug under /api/: a problem too (the log has the traceback), not the site's HTML."""
    body = problem(500, _("An unexpected error: it has been logged."), request.path)
    return JsonResponse(body, status=500, content_type=PROBLEM,
                        json_dumps_params={"ensure_ascii": False})  # fmt: skip

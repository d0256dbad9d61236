"""The pages every State site has: the legal notice, personal data, the accessibility
statement. What they name (publisher, director of publication, host, contact) comes from the
settings, so that each deployment states its own.

Not in the page cache: they read no data, and the settings they show are not part of its
release fingerprint."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .auth import LOGIN_RECORDS_KEPT


def _identity() -> dict[str, object]:
    return {
        "publisher": settings.SITE_PUBLISHER,
        "director": settings.SITE_PUBLICATION_DIRECTOR,
        "host_name": settings.SITE_HOST_NAME,
        "host_address": settings.SITE_HOST_ADDRESS,
        "contact_email": settings.SITE_CONTACT_EMAIL,
    }


def _minutes(duration: timedelta | None) -> int:
    return int(duration.total_seconds() // 60) if duration else 0


def _days(seconds: int | None) -> int:
    return round(seconds / 86400) if seconds else 0


@require_safe
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "initiatives/legal_notice.html", _identity())


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    """What the application stores about people, as configured: the figures (how long a
    failed login is kept, how long a session lasts) are the settings'."""
    return render(
        request,
        "initiatives/privacy.html",
        {
            **_identity(),
            "lockout_minutes": _minutes(settings.AXES_COOLOFF_TIME),
            "login_days": LOGIN_RECORDS_KEPT.days,
            "oidc_enabled": settings.OIDC_ENABLED,
            "cookies": {
                "session": settings.SESSION_COOKIE_NAME,
                "csrf": settings.CSRF_COOKIE_NAME,
                "language": settings.LANGUAGE_COOKIE_NAME,
            },
            "session_days": _days(settings.SESSION_COOKIE_AGE),
            "csrf_days": _days(settings.CSRF_COOKIE_AGE),
            # None: the language cookie ends with the browser's session.
            "language_days": _days(settings.LANGUAGE_COOKIE_AGE),
        },
    )


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "initiatives/accessibility.html", _identity())

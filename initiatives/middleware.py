from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class FrenchFirstLocaleMiddleware:
    """French for everyone, English for whoever chooses it with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and a civil servant
    on an English-configured browser would get an English site they never asked for. Only
    the language cookie (set by the switch, through Django's set_language) changes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in self.languages:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", code)
        return response


class PublicReadMiddleware:
    """PUBLIC_READ off: a visitor who is not logged in is sent to the login page, except for
    what logging in itself needs, and the pages a State site owes everyone before they log in
    (legal notice, personal data, accessibility statement: linked from the login page's
    footer)."""

    OPEN_PREFIXES = (
        *("/connexion/", "/oidc/", "/i18n/", "/static/", "/healthz", "/admin/login/"),
        *("/mentions-legales/", "/donnees-personnelles/", "/accessibilite/"),
        # A reader's calendar at its secret address: calendar applications cannot log in, the
        # address is the key (calendar_views.user_calendar answers 404 to any other).
        "/calendrier/",
        # The API checks PUBLIC_READ itself (api/access.py), answering a 403 problem that a
        # program can read rather than a redirect to a login form it cannot fill.
        "/api/",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not settings.PUBLIC_READ
            and not request.user.is_authenticated
            and not request.path.startswith(self.OPEN_PREFIXES)
        ):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class AdminHistoryMiddleware:
    """Writes made through the admin are signed by the administrator who made them: each
    unsafe request to it runs in one transaction attributed to them (see history.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in ("GET", "HEAD", "OPTIONS")
            or not request.path.startswith("/admin/")
            or not request.user.is_authenticated
        ):
            return self.get_response(request)
        from . import history

        with history.acting_as(request.user, "admin"):
            return self.get_response(request)

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
        request.LANGUAGE_CODE = code  # type: ignore[attr-defined]
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", code)
        return response

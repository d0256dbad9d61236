"""Small helpers about requests that several views share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware (in MIDDLEWARE) hands it to views: for the type
    checker, as django-htmx's documentation suggests; never instantiated."""

    htmx: HtmxDetails


def own_url(request: HttpRequest, url: str) -> str | None:
    """`url` if it leads back to this site (same host, HTTPS kept), else None: for `next`
    parameters and Referer headers, which anyone can write."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def region_request(request: HttpRequest) -> bool:
    """An HTMX request for a region, not htmx restoring a whole page from history (a cache
    miss on the back button asks for the full page with HX-Request set)."""
    return bool(getattr(request, "htmx", False)) and not request.htmx.history_restore_request  # type: ignore[attr-defined]


def for_htmx(
    partial: str, *, when: Callable[[HttpRequest], bool] = lambda request: True
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The view answers its page, or, to an HTMX request for a region (and `when` it says
    so), the `{% partialdef partial %}` of the same template and context: the choice in one
    place (Luke Plant's django-htmx-patterns). The view returns a TemplateResponse; the
    answer varies on HX-Request, so no cache mixes the two."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if isinstance(response, TemplateResponse) and region_request(request) and when(request):
                response.template_name = f"{response.template_name}#{partial}"
            patch_vary_headers(response, ("HX-Request",))
            return response.render() if isinstance(response, TemplateResponse) else response

        return wrapped

    return decorator

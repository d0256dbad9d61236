"""Small helpers about requests that several views share."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
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


@cache
def route_pieces(viewname: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The literal text of a route around its arguments `names`, in their order (one piece
    more than names), reversed once per process: the API's serializers and the CSV files
    fill in thousands of page addresses without resolving the URL patterns for each."""
    # Marks valid as an integer and as a slug, none inside another; keys never hold digits
    # runs this long next to slashes, and ids are what they stand for.
    marks = {name: str(987_654_300 + i) for i, name in enumerate(names)}
    rest = reverse(viewname, kwargs=marks)
    pieces = []
    for mark in marks.values():
        before, rest = rest.split(mark, 1)
        pieces.append(before)
    return (*pieces, rest)

"""A page cache that can never serve stale data.

Every entry is keyed on the data version (dataversion.py), which the database bumps at each
committed write: an edit changes the key, so the next request renders afresh. The key also
holds what else a page depends on: the code release, today's date (health and "due soon" are
computed against it), the language, the user's identity and rights, the htmx headers that pick
a region, and the full path with its query string.

The query string counts only through the parameters a view declares it reads, in a fixed
order: `?utm_source=…`, a reordered query or a repeated parameter all land on the same entry,
and the view itself is handed only those parameters, so what it renders is exactly what the
key says. Pages live in one namespace per data version (pagestore.py): superseded pages are
dropped, not left to expire.

The only per-request part of a cached page is the CSRF token. Pages are rendered with a
placeholder in its place, cached that way, and each response gets the visitor's own token:
the "hole" in a donut cache. Failures of the cache server only cost speed: a page is then
rendered as if uncached, never answered with a 500, and a sick server is skipped for a while
(breaker.py) rather than waited for on every request.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from functools import cache, wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.utils import timezone

from . import dataversion
from .pagestore import CacheUnavailable, Entry, PageStore, store

# Stands for the CSRF token in cached HTML; never typed by anyone, and harmless if it were:
# it would only ever be replaced by the reader's own token.
CSRF_PLACEHOLDER = "csrf-placeholder-7d1e5b0c9a2f4e68"
# Response headers a cached page keeps; the middleware adds the others on each request.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")

View = Callable[..., HttpResponse]


@cache
def release() -> str:
    """A fingerprint of the code that renders pages: templates, translations and Python
    sources. A deployment that changes any of them starts with fresh cache keys."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for folder, pattern in (
        ("templates", "**/*.html"),
        ("initiatives", "**/*.html"),
        ("initiatives", "**/*.py"),
        ("sovereignty", "**/*.py"),
        ("locale", "**/*.mo"),
    ):
        for path in sorted((root / folder).glob(pattern)):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def csrf_context(request: HttpRequest) -> dict[str, str]:
    """Context processor: while a page is rendered for the cache, templates get the
    placeholder instead of a token (it comes after Django's built-in csrf processor)."""
    if getattr(request, "_rendering_for_page_cache", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def normalized_query(request: HttpRequest, params: Iterable[str]) -> QueryDict:
    """The request's parameters that the view reads, in a fixed order; empty values and every
    other parameter dropped. Repeated values are kept in the order given: some views read
    lists."""
    query = QueryDict(mutable=True)
    for name in sorted(params):
        values = [value for value in request.GET.getlist(name) if value != ""]
        if values:
            query.setlist(name, values)
    query._mutable = False  # type: ignore[attr-defined]
    return query


def _restrict(request: HttpRequest, query: QueryDict) -> None:
    """From here on the view, its templates and `get_full_path()` see only `query`."""
    request.GET = query
    request.META["QUERY_STRING"] = query.urlencode()


def _key(request: HttpRequest) -> str:
    user = request.user
    who = (
        f"{user.pk}:{int(user.is_staff)}:{int(user.is_superuser)}"
        if user.is_authenticated
        else "-"
    )
    parts = (
        release(),
        timezone.localdate().isoformat(),
        request.LANGUAGE_CODE,
        who,
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-History-Restore-Request", ""),
        request.get_full_path(),
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _respond(request: HttpRequest, entry: Entry) -> HttpResponse:
    body = entry.body
    if CSRF_PLACEHOLDER.encode() in body:
        body = body.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(body, status=entry.status)
    for name, value in entry.headers.items():
        response.headers[name] = value
    return response


def cached_page(*, params: Iterable[str] = ()) -> Callable[[View], View]:
    """Serve GET and HEAD answers of this view from the page cache. `params`: the query
    parameters the view reads; it never sees any other."""
    names = tuple(params)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            _restrict(request, normalized_query(request, names))
            seconds = settings.PAGE_CACHE_SECONDS
            if not seconds or request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            version = dataversion.current()
            if version is None:
                return view(request, *args, **kwargs)
            return _cached(store(), version, _key(request), seconds, view, request, args, kwargs)

        return wrapped

    return decorate


def _cached(
    pages: PageStore,
    version: int,
    key: str,
    seconds: int,
    view: View,
    request: HttpRequest,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> HttpResponse:
    try:
        entry = pages.get(version, key)
        claimed = entry is None and pages.claim(version, key, int(WAIT_SECONDS) + 1)
    except CacheUnavailable:  # logged by the breaker, once per interval
        return view(request, *args, **kwargs)
    if entry is not None:
        return _respond(request, entry)
    if not claimed:
        # Another request renders this very page (the first readers after a write all miss
        # at once): wait for its result rather than render it again alongside.
        entry = _wait_for(pages, version, key)
        if entry is not None:
            return _respond(request, entry)
        return _render(pages, version, key, seconds, view, request, args, kwargs)
    try:
        # Won the claim, but the request that held it before may have stored the page
        # between our read and our claim: look once more rather than render it twice.
        entry = pages.get(version, key)
        if entry is not None:
            return _respond(request, entry)
        return _render(pages, version, key, seconds, view, request, args, kwargs)
    except CacheUnavailable:
        return _render(pages, version, key, seconds, view, request, args, kwargs)
    finally:
        try:
            pages.release(version, key)
        except CacheUnavailable:
            pass  # the claim expires on its own


def _render(
    pages: PageStore,
    version: int,
    key: str,
    seconds: int,
    view: View,
    request: HttpRequest,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> HttpResponse:
    request._rendering_for_page_cache = True  # type: ignore[attr-defined]
    try:
        response = view(request, *args, **kwargs)
    finally:
        # An exception's page (404, 500) is rendered after this, with a real token.
        request._rendering_for_page_cache = False  # type: ignore[attr-defined]
    if response.streaming:
        return response
    if response.status_code != 200:
        # Not cached, but rendered with the placeholder: the visitor's token goes in.
        if CSRF_PLACEHOLDER.encode() in response.content:
            response.content = response.content.replace(
                CSRF_PLACEHOLDER.encode(), get_token(request).encode()
            )
        return response
    entry = Entry(
        status=response.status_code,
        headers={name: response[name] for name in KEPT_HEADERS if name in response},
        body=response.content,
    )
    try:
        pages.put(version, key, entry, seconds)
    except CacheUnavailable:
        pass  # served all the same; the breaker logged it
    return _respond(request, entry)


# How long a request waits for another to render the same page before rendering it itself.
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.02


def _wait_for(pages: PageStore, version: int, key: str) -> Entry | None:
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            entry, rendering = pages.peek(version, key)
            if entry is not None:
                return entry
            if not rendering:
                return None  # the other request failed or did not cache: render
    except CacheUnavailable:
        pass
    return None

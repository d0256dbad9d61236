"""A page cache that can never serve stale data.

Every entry is keyed on the data version (dataversion.py), which the database bumps at each
committed write: an edit changes the key, so the next request renders afresh. The key also
holds what else a page depends on: the code release, today's date (health and "due soon" are
computed against it), the language, the user's identity and rights, the htmx headers that pick
a region, and the full path with its query string.

The query string counts only through the parameters a view declares it reads, each with the
one value the view reads (the last), in a fixed order: `?utm_source=…`, a reordered, padded
or repeated query all land on the same entry, and the view itself is handed only those
parameters, so what it renders is exactly what the key says. Pages live in one namespace per
data version (pagestore.py): superseded pages are dropped, not left to expire.

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
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.utils import timezone

from . import dataversion
from .pagestore import CacheUnavailable, Entry, PageStore, store

if TYPE_CHECKING:
    from django.http.request import _ImmutableQueryDict

# Response headers a cached page keeps; the middleware adds the others on each request.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")

View = Callable[..., HttpResponse]


@cache
def release() -> str:
    """A fingerprint of what renders pages besides the data: templates, translations, Python
    sources, the static files' manifest (hashed names in the HTML), the packages' versions
    and the settings that show in pages. A deployment that changes any of them starts with
    fresh cache keys. Computed once per process (the development server restarts itself
    when Python changes; after editing a template there, restart it or write any data)."""
    from importlib.metadata import distributions

    from django.contrib.staticfiles.storage import staticfiles_storage

    digest = hashlib.sha256()
    digest.update(settings.RELEASE.encode())
    digest.update(str(getattr(staticfiles_storage, "manifest_hash", "")).encode())
    for dist in sorted(distributions(), key=lambda d: d.metadata["Name"] or ""):
        digest.update(f"{dist.metadata['Name']}=={dist.version};".encode())
    for name in (
        "DEADLINE_HORIZON_DAYS",
        "OIDC_ENABLED",
        "PUBLIC_READ",
        "BELL_POLL_SECONDS",
        "SITE_URL",
    ):
        digest.update(f"{name}={getattr(settings, name, None)!r};".encode())
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


@cache
def csrf_placeholder() -> str:
    """Stands for the CSRF token in cached HTML. Derived from the secret key, so that no text
    in the data can contain it and be replaced by a reader's token."""
    return (
        "csrf-" + hashlib.sha256(f"page-cache-csrf:{settings.SECRET_KEY}".encode()).hexdigest()[:32]
    )


def csrf_context(request: HttpRequest) -> dict[str, str]:
    """Context processor: while a page is rendered for the cache, templates get the
    placeholder instead of a token (it comes after Django's built-in csrf processor)."""
    if getattr(request, "_rendering_for_page_cache", False):
        return {"csrf_token": csrf_placeholder()}
    return {}


def normalized_query(request: HttpRequest, params: Iterable[str]) -> QueryDict:
    """The request's parameters that the view reads, in the order given, each with the value
    `request.GET[name]` gives (the last); empty values and every other parameter dropped."""
    query = QueryDict(mutable=True)
    for name in params:
        value = request.GET.get(name, "")
        if value != "":
            query[name] = value
    query._mutable = False
    return query


def _restrict(request: HttpRequest, query: QueryDict) -> None:
    """From here on the view, its templates and `get_full_path()` see only `query`."""
    # normalized_query made it immutable: the stubs' name for such a QueryDict.
    request.GET = cast("_ImmutableQueryDict", query)
    request.META["QUERY_STRING"] = query.urlencode()


def _key(request: HttpRequest, *, shared: bool = False) -> str:
    user = request.user
    who = (
        # Joining the observers (a group, which no data version watches) shows the assess
        # buttons on the next request.
        f"{user.pk}:{int(user.is_staff)}:{int(user.is_superuser)}:"
        f"{int(user.has_perm('initiatives.add_assessment'))}"
        if user.is_authenticated and not shared
        else "-"
    )
    parts = (
        release(),
        timezone.localdate().isoformat(),
        request.LANGUAGE_CODE,
        who,
        # What the views decide by, not the raw header values (which anyone can vary).
        str(request.headers.get("HX-Request") == "true"),
        str(request.headers.get("HX-History-Restore-Request") == "true"),
        request.get_full_path(),
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _respond(request: HttpRequest, entry: Entry) -> HttpResponse:
    body = _with_token(request, entry.body)
    response = HttpResponse(body, status=entry.status)
    for name, value in entry.headers.items():
        response.headers[name] = value
    return response


def _has_messages(request: HttpRequest) -> bool:
    """A one-time message waits for this visitor (“Assessment recorded”): the page that shows
    it is rendered for them alone, never stored, never served from the store (a stored page
    would show it again, a page from the store would not consume it). Counting reads the
    messages cookie, and the session only when the cookie says it holds more."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def cached_page(*, params: Iterable[str] = (), shared: bool = False) -> Callable[[View], View]:
    """Serve GET and HEAD answers of this view from the page cache. `params`: the query
    parameters the view reads; it never sees any other. `shared`: the answer is the same for
    every reader (no user, no form: the sheet's PDF), so it is kept once, not once per user."""
    names = tuple(sorted(params))  # a fixed order, sorted once

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            _restrict(request, normalized_query(request, names))
            seconds = settings.PAGE_CACHE_SECONDS
            if seconds <= 0 or request.method not in ("GET", "HEAD") or _has_messages(request):
                return view(request, *args, **kwargs)
            version = dataversion.identity()
            if version is None:
                return view(request, *args, **kwargs)
            key = _key(request, shared=shared)
            return _cached(store(), version, key, seconds, view, request, args, kwargs)

        return wrapped

    return decorate


def _cached(
    pages: PageStore,
    version: str,
    key: str,
    seconds: int,
    view: View,
    request: HttpRequest,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> HttpResponse:
    try:
        entry = pages.get(version, key)
        claim = None if entry is not None else pages.claim(version, key, int(WAIT_SECONDS) + 1)
        if entry is None and claim is not None:
            # Won the claim, but the request that held it before may have stored the page
            # between our read and our claim: look once more rather than render it twice.
            entry = pages.get(version, key)
    except CacheUnavailable:  # logged by the breaker, once per interval
        return view(request, *args, **kwargs)
    if entry is None and claim is None:
        # Another request renders this very page (the first readers after a write all miss
        # at once): wait for its result rather than render it again alongside.
        entry = _wait_for(pages, version, key)
    if entry is not None:
        if claim is not None:
            _let_go(pages, version, key, claim)
        return _respond(request, entry)
    return _render(pages, version, key, seconds, claim, view, request, args, kwargs)


def _render(
    pages: PageStore,
    version: str,
    key: str,
    seconds: int,
    claim: str | None,
    view: View,
    request: HttpRequest,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> HttpResponse:
    """Render the page with the token's placeholder, store it, answer it with the token. The
    claim, if ours, is released by storing the page, or else explicitly."""
    stored = False
    request._rendering_for_page_cache = True  # type: ignore[attr-defined]
    try:
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming:
            # Not cached; an exception's page (404, 500) is rendered after the finally
            # below, with a real token, and a non-200 answer gets the visitor's token here.
            if not response.streaming:
                response.content = _with_token(request, response.content)
            return response
        entry = Entry(
            status=response.status_code,
            headers={name: response[name] for name in KEPT_HEADERS if name in response},
            body=response.content,
        )
        try:
            pages.put(version, key, entry, seconds, claim)
            stored = True
        except CacheUnavailable:
            pass  # served all the same; the breaker logged it
        return _respond(request, entry)
    finally:
        request._rendering_for_page_cache = False  # type: ignore[attr-defined]
        if claim is not None and not stored:
            _let_go(pages, version, key, claim)


def _let_go(pages: PageStore, version: str, key: str, claim: str) -> None:
    try:
        pages.release(version, key, claim)
    except CacheUnavailable:
        pass  # the claim expires on its own


def _with_token(request: HttpRequest, body: bytes) -> bytes:
    placeholder = csrf_placeholder().encode()
    if placeholder in body:
        return body.replace(placeholder, get_token(request).encode())
    return body


# How long a request waits for another to render the same page before rendering it itself.
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.02


def _wait_for(pages: PageStore, version: str, key: str) -> Entry | None:
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

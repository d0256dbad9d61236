"""A page cache that can never serve stale data.

Every entry is keyed on the data version (dataversion.py), which the database bumps at each
committed write: an edit changes the key, so the next request renders afresh. The key also
holds what else a page depends on: the code release, today's date (health and "due soon" are
computed against it), the language, the user's identity and rights, the htmx headers that pick
a region, and the full path with its query string.

The only per-request part of a cached page is the CSRF token. Pages are rendered with a
placeholder in its place, cached that way, and each response gets the visitor's own token:
the "hole" in a donut cache. Failures of the cache server only cost speed: a page is then
rendered as if uncached, never answered with a 500.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from . import dataversion

logger = logging.getLogger(__name__)

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


def _key(request: HttpRequest) -> str | None:
    version = dataversion.current()
    if version is None:
        return None
    user = request.user
    who = (
        f"{user.pk}:{int(user.is_staff)}:{int(user.is_superuser)}"
        if user.is_authenticated
        else "-"
    )
    parts = (
        release(),
        str(version),
        timezone.localdate().isoformat(),
        request.LANGUAGE_CODE,
        who,
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-History-Restore-Request", ""),
        request.get_full_path(),
    )
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _respond(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    body: bytes = entry["body"]
    if CSRF_PLACEHOLDER.encode() in body:
        body = body.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(body, status=entry["status"])
    for name, value in entry["headers"].items():
        response.headers[name] = value
    return response


def cached_page(view: View) -> View:
    """Serve GET and HEAD answers of this view from the page cache."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        store = caches["pages"]
        try:
            entry = store.get(key)
        except Exception:  # the cache server is down: render, slower but right
            logger.warning("page cache unreachable on get", exc_info=True)
            entry = None
        if entry is None and not _claim(store, key):
            # Another request renders this very page (the first readers after a write all
            # miss at once): wait for its result rather than render it again alongside.
            entry = _wait_for(store, key)
        if entry is not None:
            return _respond(request, entry)
        try:
            request._rendering_for_page_cache = True  # type: ignore[attr-defined]
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            entry = {
                "status": response.status_code,
                "headers": {name: response[name] for name in KEPT_HEADERS if name in response},
                "body": response.content,
            }
            try:
                store.set(key, entry, seconds)
            except Exception:
                logger.warning("page cache unreachable on set", exc_info=True)
            return _respond(request, entry)
        finally:
            _release(store, key)

    return wrapped


# How long a request waits for another to render the same page before rendering it itself.
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.02


def _claim(store: Any, key: str) -> bool:
    try:
        return bool(store.add(f"{key}:rendering", 1, timeout=int(WAIT_SECONDS) + 1))
    except Exception:
        return True  # no cache server: nothing to share, render


def _release(store: Any, key: str) -> None:
    try:
        store.delete(f"{key}:rendering")
    except Exception:
        pass  # it expires on its own


def _wait_for(store: Any, key: str) -> dict[str, Any] | None:
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            entry = store.get(key)
            if entry is not None:
                return entry  # type: ignore[no-any-return]
            if store.get(f"{key}:rendering") is None:
                return None  # the other request failed or did not cache: render
    except Exception:
        logger.warning("page cache unreachable while waiting", exc_info=True)
    return None

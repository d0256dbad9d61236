"""Whole API answers kept in the page store (pagestore.py), as the pages are: under the data
version, so a write makes every kept answer unreachable at once, and keyed on the answer's
ETag (conditional.py), which already names everything the bytes depend on (release, day,
language, path and query, format, signed in or not). The view still runs its access and rate
checks first: a kept answer is served only to whom it may be, and counted. A cache that is
away costs the rendering, never the answer (the breaker)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpResponse
from rest_framework.request import Request
from rest_framework.response import Response

from ..conditional import data_etag, data_identity
from ..pagestore import CacheUnavailable, Entry, store

CONTENT_TYPE = "application/json"


def kept(request: Request, render: Callable[[], Response]) -> HttpResponse:
    """The answer `render` would give, from the store when it holds it."""
    seconds = settings.PAGE_CACHE_SECONDS
    version, tag = data_identity(request._request), data_etag(request._request)
    if seconds <= 0 or version is None or tag is None:
        return render()
    key = "api:" + tag
    try:
        entry = store().get(version, key)
    except CacheUnavailable:
        return render()
    if entry is not None:
        return HttpResponse(entry.body, status=entry.status, content_type=CONTENT_TYPE)
    response = render()
    if response.status_code == 200:
        response.render()
        try:
            store().put(version, key, Entry(200, {}, response.content), seconds, None)
        except CacheUnavailable:
            pass
    return response

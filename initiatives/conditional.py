"""Conditional GET for what reusers download again and again (the API, the CSV files, the
calendars): `ETag` and `Last-Modified` from the data version, `304 Not Modified` when the
client already holds the answer.

The data version (dataversion.py) changes at every committed write, so it is an exact
validator of the data; the tag also holds what else shapes the bytes of an answer: the code
release, today's date (health is read against it), the language, the site's address as the
request names it (links in the answer are absolute), the full path with its query string, the
negotiated format, and whether the reader is signed in. `Last-Modified` is the later of the
last write and the start of today, since a new day changes health without a write. Both come
from one single-row read per request (dataversion.read). Django does the HTTP part (RFC 9110
comparisons, `HEAD`, weak tags, `If-Modified-Since`).

Plain views take the `conditional` decorator; the API checks access and rates first and the
validators after (api/views.py, with `not_modified` and `validators`), so that a 304 is never
an answer to whom a 200 would not be, and only 200s carry validators."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.views.decorators.http import condition

from . import dataversion

View = Callable[..., HttpResponseBase]


def _stamp(request: HttpRequest) -> dataversion.Stamp | None:
    """The data version, read once per request."""
    if not hasattr(request, "_data_stamp"):
        request._data_stamp = dataversion.read()  # type: ignore[attr-defined]
    stamp: dataversion.Stamp | None = request._data_stamp  # type: ignore[attr-defined]
    return stamp


def data_identity(request: HttpRequest) -> str | None:
    """dataversion.identity(), from the same single read as the validators."""
    stamp = _stamp(request)
    return None if stamp is None else stamp.identity


def data_etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str | None:
    """The answer's tag; None (no validator, no 304) when the version row is missing."""
    from .pagecache import release

    stamp = _stamp(request)
    if stamp is None:
        return None
    user = getattr(request, "user", None)
    parts = (
        stamp.identity,
        release(),
        timezone.localdate().isoformat(),
        get_language() or "",
        request.build_absolute_uri("/"),
        request.get_full_path(),
        request.headers.get("Accept", ""),
        "signed-in" if user is not None and user.is_authenticated else "anonymous",
    )
    return '"' + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32] + '"'


def data_last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> dt.datetime | None:
    stamp = _stamp(request)
    if stamp is None:
        return None
    today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return max(stamp.changed_at, today)


def conditional(view: View) -> View:
    """Serve `view` with the data's validators, and 304 to a client that holds its answer."""
    return condition(etag_func=data_etag, last_modified_func=data_last_modified)(view)


def not_modified(request: HttpRequest) -> HttpResponseBase | None:
    """The 304 for a client that holds the answer (or the 412 a precondition asks for); None
    to answer in full. For views that have already checked access and rates."""
    if request.headers.get("If-None-Match", "").strip() == "*":
        return None  # "any answer at all": says nothing of which, so answer in full
    modified = data_last_modified(request)
    return get_conditional_response(
        request,
        etag=data_etag(request),
        last_modified=int(modified.timestamp()) if modified else None,
    )


def validators(request: HttpRequest, response: HttpResponseBase) -> None:
    """Give a full answer (200 only) its validators."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return
    etag, modified = data_etag(request), data_last_modified(request)
    if etag and not response.has_header("ETag"):
        response.headers["ETag"] = etag
    if modified and not response.has_header("Last-Modified"):
        response.headers["Last-Modified"] = http_date(modified.timestamp())

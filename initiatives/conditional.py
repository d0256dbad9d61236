"""Conditional GET for what reusers download again and again (the API, the CSV files, the
calendars): `ETag` and `Last-Modified` from the data version, `304 Not Modified` when the
client already holds the answer.

The data version (dataversion.py) changes at every committed write, so it is an exact
validator of the data; the tag also holds what else shapes the bytes of an answer: the code
release, today's date (health is read against it), the language, the full path with its query
string, the negotiated format, and whether the reader is signed in. Both validators come from
one single-row read per request, made before the view runs: a `304` costs that read and
nothing else. Django's own `condition` decorator does the HTTP part (RFC 9110 comparisons,
`HEAD`, weak tags, `If-Modified-Since`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any, cast

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import condition

from .triggers import DATA_VERSION_TABLE

View = Callable[..., HttpResponse]


def _stamp(request: HttpRequest) -> tuple[int, dt.datetime] | None:
    """The data version and when it last changed, read once per request."""
    if hasattr(request, "_data_stamp"):
        return cast("tuple[int, dt.datetime] | None", request._data_stamp)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version, changed_at FROM {DATA_VERSION_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    stamp = None
    if row is not None:
        version, changed_at = row
        # dataversion.identity()'s very string: the page store's namespace (api/answers.py).
        raw = changed_at if isinstance(changed_at, str) else changed_at.isoformat()
        request._data_identity = f"{int(version)}@{raw}"  # type: ignore[attr-defined]
        if isinstance(changed_at, str):  # SQLite
            changed_at = dt.datetime.fromisoformat(changed_at)
        if timezone.is_naive(changed_at):
            changed_at = timezone.make_aware(changed_at, dt.UTC)
        stamp = (int(version), changed_at)
    request._data_stamp = stamp  # type: ignore[attr-defined]
    return stamp


def data_identity(request: HttpRequest) -> str | None:
    """dataversion.identity(), from the same single read as the validators."""
    return None if _stamp(request) is None else cast(str, request._data_identity)  # type: ignore[attr-defined]


def data_etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str | None:
    """The answer's tag; None (no validator, no 304) when the version row is missing."""
    from .pagecache import release

    stamp = _stamp(request)
    if stamp is None:
        return None
    user = getattr(request, "user", None)
    parts = (
        str(stamp[0]),
        stamp[1].isoformat(),
        release(),
        timezone.localdate().isoformat(),
        get_language() or "",
        request.get_full_path(),
        request.headers.get("Accept", ""),
        "signed-in" if user is not None and user.is_authenticated else "anonymous",
    )
    return '"' + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32] + '"'


def data_last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> dt.datetime | None:
    stamp = _stamp(request)
    return None if stamp is None else stamp[1]


def conditional(view: View) -> View:
    """Serve `view` with the data's validators, and 304 to a client that holds its answer."""
    return condition(etag_func=data_etag, last_modified_func=data_last_modified)(view)

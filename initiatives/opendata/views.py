"""The data page (/donnees/) and what it links to: the CSV files, their schemas, the Data
Package and the DCAT catalogue. Every file is read from the live database at each request
and served with the data version's validators (conditional.py): a reuser who holds the
current file gets a 304 for one single-row read."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_safe

from ..conditional import conditional, data_last_modified
from . import documents
from .tables import TABLES


def _table(name: str) -> Any:
    table = TABLES.get(name)
    if table is None:
        raise Http404
    return table


def _json(document: dict[str, Any], content_type: str = "application/json") -> JsonResponse:
    return JsonResponse(
        document,
        content_type=f"{content_type}; charset=utf-8",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


def _table_csv(request: HttpRequest, table: str) -> StreamingHttpResponse:
    """The file, streamed as the database cursor reads it (documents.csv_chunks)."""
    chosen = _table(table)
    response = StreamingHttpResponse(
        documents.csv_chunks(chosen, timezone.localdate()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{chosen.filename}"'
    return response


table_csv = require_safe(conditional(_table_csv))


@require_safe
@conditional
def table_schema(request: HttpRequest, table: str) -> JsonResponse:
    return _json(documents.table_schema(_table(table)))


@require_safe
@conditional
def datapackage(request: HttpRequest) -> JsonResponse:
    return _json(documents.datapackage())


@require_safe
@conditional
def catalogue(request: HttpRequest) -> JsonResponse:
    return _json(documents.catalogue(data_last_modified(request)), "application/ld+json")


# What reusers are asked to cite (the terms of use).
SOURCE_NAME = "Observatoire de la souveraineté numérique"
_PERIODS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


def rate_words(rate: str | None) -> str:
    """A throttle rate as DRF reads it ("120/minute", "5/s") in words: « 120 requêtes par
    minute »."""
    if not rate:
        return _("no limit")
    count_text, _slash, period = rate.partition("/")
    count = int(count_text)
    unit = {
        "second": pgettext("rate period", "second"),
        "minute": pgettext("rate period", "minute"),
        "hour": pgettext("rate period", "hour"),
        "day": pgettext("rate period", "day"),
    }[_PERIODS[period[:1]]]
    return ngettext(
        "%(count)s request per %(period)s", "%(count)s requests per %(period)s", count
    ) % {"count": count, "period": unit}


@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    """What is published, under which licence and terms, how often, and how to reach it."""
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    files = [
        {
            "table": table,
            "csv": documents.csv_url(table),
            "schema": documents.schema_url(table),
        }
        for table in TABLES.values()
    ]
    return render(
        request,
        "initiatives/open_data.html",
        {
            "files": files,
            "anonymous_rate": rate_words(rates.get("anon")),
            "user_rate": rate_words(rates.get("user")),
            "page_size": settings.API_PAGE_SIZE,
            "max_page_size": settings.API_MAX_PAGE_SIZE,
            "contact_email": settings.SITE_CONTACT_EMAIL,
            "source_name": SOURCE_NAME,
            "licence_url": documents.LICENCE_URL,
        },
    )

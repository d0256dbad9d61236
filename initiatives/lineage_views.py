"""The lineage (« lignée »): every mission from the earliest to today, in the order each
began, with the links between them in both directions and their quotes. A plain page: no
JavaScript, cached like the others."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors
from .pagecache import cached_page


@require_safe
@cached_page()
def lineage(request: HttpRequest) -> HttpResponse:
    return render(request, "initiatives/lineage.html", {"lineage": selectors.lineage()})

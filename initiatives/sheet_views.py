"""The printable mission sheet: `/missions/<key>/fiche/` in the browser (its print stylesheet
makes one or two A4 pages of it) and `/missions/<key>/fiche.pdf`, the same template printed
by WeasyPrint. Both are page-cached: the PDF is rendered once per data version."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import selectors
from .pagecache import cached_page

TEMPLATE = "initiatives/mission_sheet.html"


def _context(key: str, *, pdf: bool) -> dict[str, object]:
    today = timezone.localdate()
    sheet = selectors.mission_sheet(key, today)
    if sheet is None:
        raise Http404
    layout = "initiatives/_sheet_document.html" if pdf else "base.html"
    return {"sheet": sheet, "today": today, "pdf": pdf, "layout": layout}


@require_safe
@cached_page()
def mission_sheet(request: HttpRequest, key: str) -> HttpResponse:
    return render(request, TEMPLATE, _context(key, pdf=False))


@require_safe
# The PDF reads no user (its template has no header, no form): one rendering per data
# version and language, whoever asks; WeasyPrint takes seconds.
@cached_page(shared=True)
def mission_sheet_pdf(request: HttpRequest, key: str) -> HttpResponse:
    # Imported here: WeasyPrint loads Pango as it is imported, and a host without it (make
    # pdf-deps) loses the PDF only, not every page.
    from .pdf import render_pdf

    html = render_to_string(TEMPLATE, _context(key, pdf=True), request=request)
    # Links in the PDF lead to the public site; its static files are read locally.
    body = render_pdf(html, settings.SITE_URL + "/")
    return HttpResponse(body, content_type="application/pdf")

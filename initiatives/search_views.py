"""The search page, `/recherche/?q=`: what the header's search bar asks."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors
from .forms import SearchForm
from .pagecache import cached_page


@require_safe
@cached_page(params=("q",))
def search(request: HttpRequest) -> HttpResponse:
    """A plain GET form and its results, grouped by kind; no JavaScript involved. A query
    the form refuses (too long, a NUL) is shown back with its error, and nothing is searched."""
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    results = selectors.site_search(q) if q else None
    return render(
        request,
        "initiatives/search.html",
        {"form": form, "results": results, "per_kind": selectors.PER_KIND},
    )

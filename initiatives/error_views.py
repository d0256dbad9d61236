"""The error pages, in the DSFR's look (its "page d'erreur" model), French first.

400, 403, 404 and the CSRF failure are pages of the site, with its header and footer. The 500
page is rendered without the request's context processors: the user, the session, anything
may need the database, and the database may be what failed."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from .context_processors import SITE
from .http import own_url

logger = logging.getLogger(__name__)

# When even the 500 template fails (a static file missing from the manifest, say): still a
# page in French that says what happened.
BARE_500 = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Erreur 500</title></head>'
    "<body><h1>Erreur inattendue</h1><p>Erreur 500. Le service rencontre un problème, nous "
    'travaillons pour le résoudre. <a href="/">Retour à l’accueil</a></p></body></html>'
)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", {"status": 400}, status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", {"status": 403, "back": _here(request)}, status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        from .api.errors import not_found

        return not_found(request)
    return render(request, "404.html", {"status": 404}, status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form posted without a valid token. Most often a page left open
    while its session ended, or cookies refused: reload the page, or log in again."""
    # Back to the page the form was on: what the Referer says, if it is one of ours.
    back = own_url(request, request.META.get("HTTP_REFERER", "")) or _here(request)
    context = {"status": 403, "back": back, "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return render(request, "403_csrf.html", context, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a plain context, no request, so no context processor and no query."""
    if request.path.startswith("/api/"):
        from .api.errors import server_error as api_server_error

        return api_server_error(request)
    try:
        body = loader.get_template("500.html").render(
            {"SITE_CONFIG": SITE, "parent": "_base_minimal.html", "status": 500}
        )
    except Exception:
        logger.exception("The 500 page could not be rendered")
        body = BARE_500
    return HttpResponseServerError(body)


def _here(request: HttpRequest) -> str:
    """The page asked for, to come back to after logging in; the home page when it was not
    a page one can come back to (a form's POST) or not a path of this site ("//elsewhere")."""
    path = request.get_full_path()
    ours = url_has_allowed_host_and_scheme(path, allowed_hosts=None)
    if request.method in ("GET", "HEAD") and ours:
        return path
    return reverse("initiatives:dashboard")

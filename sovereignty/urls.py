from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's): the DSFR's.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("dsfr/dist/favicon/favicon.ico"), permanent=True),
    ),
    path("api/v1/", include("initiatives.api.urls")),
    path("", include("initiatives.urls")),
]

# The error pages in the DSFR's look; the 500 one reads nothing from the database.
handler400 = "initiatives.error_views.bad_request"
handler403 = "initiatives.error_views.permission_denied"
handler404 = "initiatives.error_views.page_not_found"
handler500 = "initiatives.error_views.server_error"

if settings.OIDC_ENABLED:
    # ProConnect: /oidc/authenticate/ starts the login, /oidc/callback/ ends it.
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))

if settings.BENCH_HELLO:
    # `make bench`'s baseline: the cheapest page this stack can serve, same middleware.
    def hello(request: HttpRequest) -> HttpResponse:
        return HttpResponse("Bonjour")

    urlpatterns.append(path("bench/hello/", hello))

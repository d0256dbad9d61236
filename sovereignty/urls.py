from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("initiatives.urls")),
]

if settings.OIDC_ENABLED:
    # ProConnect: /oidc/authenticate/ starts the login, /oidc/callback/ ends it.
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))

if settings.BENCH_HELLO:
    # `make bench`'s baseline: the cheapest page this stack can serve, same middleware.
    def hello(request: HttpRequest) -> HttpResponse:
        return HttpResponse("Bonjour")

    urlpatterns.append(path("bench/hello/", hello))

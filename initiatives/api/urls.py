"""/api/v1/: every endpoint wrapped with the data's validators (conditional.py)."""

from django.urls import path
from drf_spectacular.views import (
    SpectacularJSONAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from ..conditional import conditional
from .views import ENDPOINTS, Root

app_name = "api"

urlpatterns = [
    path("", conditional(Root.as_view()), name="root"),
    path("schema/", conditional(SpectacularJSONAPIView.as_view()), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="swagger"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
for name, viewset in ENDPOINTS.items():
    lookup = f"<{'slug' if viewset.lookup_field == 'key' else 'int'}:{viewset.lookup_field}>"
    urlpatterns += [
        path(f"{name}/", conditional(viewset.as_view({"get": "list"})), name=f"{name}-list"),
        path(
            f"{name}/{lookup}/",
            conditional(viewset.as_view({"get": "retrieve"})),
            name=f"{name}-detail",
        ),
    ]

"""/api/v1/: the root, the OpenAPI document and its two readers, and two routes per kind."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from .views import ENDPOINTS, Root, Schema

app_name = "api"

urlpatterns = [
    path("", Root.as_view(), name="root"),
    path("schema/", Schema.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="swagger"),
    # Redoc styles itself with inline styles (styled-components) and runs its search in a
    # worker it makes from a blob: both allowed on this page only. Its script, like Swagger
    # UI's, is a file of ours (the sidecar's). Its footer asks for Redocly's logo from their CDN, whatever its options: img-src refuses it.
    path(
        "redoc/",
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema")
        ),
        name="redoc",
    ),
]
for name, viewset in ENDPOINTS.items():
    lookup = f"<{'slug' if viewset.lookup_field == 'key' else 'int'}:{viewset.lookup_field}>"
    urlpatterns += [
        path(f"{name}/", viewset.as_view({"get": "list"}), name=f"{name}-list"),
        path(
            f"{name}/{lookup}/",
            viewset.as_view({"get": "retrieve"}),
            name=f"{name}-detail",
        ),
    ]

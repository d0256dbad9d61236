"""The API's endpoints: read-only lists and details of each kind, through the selectors of
`selectors.published`. Each answer carries its validators (conditional.py: a 304 costs one
query) and its rate limit headers (access.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors import published
from . import filters, serializers
from .access import rate_limit_headers
from .answers import kept


class _Told:
    """Adds the RateLimit headers to every answer, errors included."""

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        return response


class _ReadOnly(_Told, viewsets.ReadOnlyModelViewSet):
    lookup_field = "key"
    lookup_value_regex = "[a-z0-9]+(?:-[a-z0-9]+)*"

    def _rendered(self, response: Response) -> Response:
        """Rendered here rather than after the view, so that its bytes can be kept."""
        response.accepted_renderer = self.request.accepted_renderer
        response.accepted_media_type = self.request.accepted_media_type
        response.renderer_context = self.get_renderer_context()
        return response

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return kept(request, lambda: self._rendered(super(_ReadOnly, self).list(request)))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        detail = super(_ReadOnly, self).retrieve
        return kept(request, lambda: self._rendered(detail(request, *args, **kwargs)))


@extend_schema_view(
    list=extend_schema(
        summary="Les missions", description="Filtres : ceux de la liste des missions."
    ),
    retrieve=extend_schema(summary="Une mission"),
)
class MissionViewSet(_ReadOnly):
    serializer_class = serializers.MissionSerializer
    filterset_class = filters.MissionFilter

    def get_queryset(self) -> Any:
        return published.missions()


@extend_schema_view(
    list=extend_schema(summary="Les chantiers des missions"),
    retrieve=extend_schema(summary="Un chantier"),
)
class WorkstreamViewSet(_ReadOnly):
    serializer_class = serializers.WorkstreamSerializer
    filterset_class = filters.WorkstreamFilter
    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        return published.workstreams()


@extend_schema_view(
    list=extend_schema(
        summary="Les jalons",
        description="Chaque jalon avec son échéance telle qu'écrite, sa fenêtre, sa précision, "
        "sa santé aujourd'hui, et les citations qui appuient chaque fait.",
    ),
    retrieve=extend_schema(summary="Un jalon"),
)
class MilestoneViewSet(_ReadOnly):
    serializer_class = serializers.MilestoneSerializer
    filterset_class = filters.MilestoneFilter
    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        return published.milestones(timezone.localdate())


@extend_schema_view(
    list=extend_schema(summary="Les étiquettes"), retrieve=extend_schema(summary="Une étiquette")
)
class LabelViewSet(_ReadOnly):
    serializer_class = serializers.LabelSerializer
    filterset_class = filters.LabelFilter

    def get_queryset(self) -> Any:
        return published.labels()


@extend_schema_view(
    list=extend_schema(summary="Les acteurs"), retrieve=extend_schema(summary="Un acteur")
)
class ActorViewSet(_ReadOnly):
    serializer_class = serializers.ActorSerializer
    filterset_class = filters.ActorFilter

    def get_queryset(self) -> Any:
        return published.actors()


@extend_schema_view(
    list=extend_schema(
        summary="Les sources", description="Sans leur texte : il est dans le détail."
    ),
    retrieve=extend_schema(summary="Une source, avec son texte intégral"),
)
class SourceViewSet(_ReadOnly):
    filterset_class = filters.SourceFilter

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return serializers.SourceTextSerializer
        return serializers.SourceSerializer

    def get_queryset(self) -> Any:
        return published.sources(with_text=self.action == "retrieve")


@extend_schema_view(
    list=extend_schema(
        summary="Les citations", description="Chaque citation avec sa source et ce qu'elle appuie."
    ),
    retrieve=extend_schema(summary="Une citation"),
)
class CitationViewSet(_ReadOnly):
    serializer_class = serializers.CitationSerializer
    filterset_class = filters.CitationFilter
    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        return published.citations()


@extend_schema_view(
    list=extend_schema(
        summary="Les évaluations",
        description="Le statut constaté par les observateurs, avec ses preuves, à côté du statut "
        "déclaré. Toutes les révisions.",
    ),
    retrieve=extend_schema(summary="Une évaluation"),
)
class AssessmentViewSet(_ReadOnly):
    serializer_class = serializers.AssessmentSerializer
    filterset_class = filters.AssessmentFilter
    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        return published.assessments()


@extend_schema_view(
    list=extend_schema(summary="Les liens entre missions"),
    retrieve=extend_schema(summary="Un lien"),
)
class LinkViewSet(_ReadOnly):
    serializer_class = serializers.LinkSerializer
    filterset_class = filters.LinkFilter
    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        return published.links()


@extend_schema_view(
    list=extend_schema(
        summary="Les glissements d'échéance",
        description="Chaque échéance repoussée : avant, après.",
    ),
    retrieve=extend_schema(summary="Un glissement"),
)
class SlipViewSet(_ReadOnly):
    serializer_class = serializers.SlipSerializer
    filterset_class = filters.SlipFilter
    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        return published.slips()


@extend_schema_view(
    list=extend_schema(
        summary="Ce qui a changé",
        description="Chaque écriture des missions, chantiers et jalons, la plus ancienne "
        "d'abord ; `since` : depuis un instant.",
    ),
    retrieve=extend_schema(summary="Une écriture"),
)
class HistoryViewSet(_ReadOnly):
    serializer_class = serializers.HistorySerializer
    filterset_class = filters.HistoryFilter
    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        return published.history()


# The endpoints, by their path under /api/v1/: the root lists them, the router routes them.
ENDPOINTS: dict[str, type[_ReadOnly]] = {
    "missions": MissionViewSet,
    "workstreams": WorkstreamViewSet,
    "milestones": MilestoneViewSet,
    "labels": LabelViewSet,
    "actors": ActorViewSet,
    "sources": SourceViewSet,
    "citations": CitationViewSet,
    "assessments": AssessmentViewSet,
    "links": LinkViewSet,
    "slips": SlipViewSet,
    "history": HistoryViewSet,
}


class Root(_Told, APIView):
    """The API's front door: its endpoints, documents, terms and status."""

    @extend_schema(summary="Les points d'accès de l'API", responses={200: dict})
    def get(self, request: Request) -> Response:
        absolute = request.build_absolute_uri
        return Response(
            {
                "endpoints": {name: absolute(f"{name}/") for name in ENDPOINTS},
                "schema": absolute(reverse("api:schema")),
                "documentation": absolute(reverse("api:swagger")),
                "terms": absolute(reverse("initiatives:open_data")) + "#conditions",
                "status": absolute(reverse("initiatives:healthz")),
                "licence": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            }
        )

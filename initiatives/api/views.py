"""The API's endpoints: read-only lists and details of each kind, through the selectors of
`selectors.published`. Each answer carries its rate limit headers (access.py), each 200 its
validators (conditional.py: a 304 costs one query, after the access and rate checks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularJSONAPIView
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..conditional import not_modified, validators
from ..selectors import published
from . import filters, serializers
from .access import rate_limit_headers
from .answers import kept


class _Held(Exception):
    """The client holds the answer already: its 304, raised past the view."""

    def __init__(self, response: HttpResponseBase) -> None:
        self.response = response


class _Told:
    """Access and rates first (DRF's `initial`), then a 304 to a client that holds the answer
    (conditional.py): a 304 is only ever what a 200 would have been, and it is counted. Every
    answer carries the RateLimit headers; a 200 also its validators."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        held = not_modified(request._request)
        if held is not None:
            raise _Held(held)

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, _Held):
            return exc.response
        return super().handle_exception(exc)  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        validators(request._request, response)
        return response


class _ReadOnly(_Told, viewsets.ReadOnlyModelViewSet):
    """One kind: its serializer, its filters and its selector (`rows`); found by id, or by
    key for the kinds that have one (`_Keyed`)."""

    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"
    rows: Callable[[], QuerySet[Any]]

    def get_queryset(self) -> QuerySet[Any]:
        return type(self).rows()

    def _rendered(self, response: Response) -> Response:
        """Rendered here rather than after the view, so that its bytes can be kept."""
        response.accepted_renderer = self.request.accepted_renderer
        response.accepted_media_type = self.request.accepted_media_type
        response.renderer_context = self.get_renderer_context()
        return response

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        # A misspelt filter would otherwise answer the whole list as if filtered.
        known = {*self.filterset_class.base_filters, "cursor", "page_size"}
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            message = _("Unknown parameter: the parameters of this list are in /api/v1/schema/.")
            raise ValidationError({name: [message] for name in unknown})
        return kept(request, lambda: self._rendered(super(_ReadOnly, self).list(request)))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        detail = super(_ReadOnly, self).retrieve
        return kept(request, lambda: self._rendered(detail(request, *args, **kwargs)))


class _Keyed(_ReadOnly):
    lookup_field = "key"
    lookup_value_regex = "[a-z0-9]+(?:-[a-z0-9]+)*"


@extend_schema_view(
    list=extend_schema(
        summary="Les missions", description="Filtres : ceux de la liste des missions."
    ),
    retrieve=extend_schema(summary="Une mission"),
)
class MissionViewSet(_Keyed):
    serializer_class = serializers.MissionSerializer
    filterset_class = filters.MissionFilter
    rows = staticmethod(published.missions)


@extend_schema_view(
    list=extend_schema(summary="Les chantiers des missions"),
    retrieve=extend_schema(summary="Un chantier"),
)
class WorkstreamViewSet(_ReadOnly):
    serializer_class = serializers.WorkstreamSerializer
    filterset_class = filters.WorkstreamFilter
    rows = staticmethod(published.workstreams)


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

    @staticmethod
    def rows() -> QuerySet[Any]:
        return published.milestones(timezone.localdate())


@extend_schema_view(
    list=extend_schema(summary="Les étiquettes"), retrieve=extend_schema(summary="Une étiquette")
)
class LabelViewSet(_Keyed):
    serializer_class = serializers.LabelSerializer
    filterset_class = filters.LabelFilter
    rows = staticmethod(published.labels)


@extend_schema_view(
    list=extend_schema(summary="Les acteurs"), retrieve=extend_schema(summary="Un acteur")
)
class ActorViewSet(_Keyed):
    serializer_class = serializers.ActorSerializer
    filterset_class = filters.ActorFilter
    rows = staticmethod(published.actors)


@extend_schema_view(
    list=extend_schema(
        summary="Les sources",
        description="Sans leur texte, qui reste celui de leur éditeur : sa page sur le site "
        "le montre ; `text_sha256` permet de vérifier une copie.",
    ),
    retrieve=extend_schema(summary="Une source"),
)
class SourceViewSet(_Keyed):
    serializer_class = serializers.SourceSerializer
    filterset_class = filters.SourceFilter
    rows = staticmethod(published.sources)


@extend_schema_view(
    list=extend_schema(
        summary="Les citations", description="Chaque citation avec sa source et ce qu'elle appuie."
    ),
    retrieve=extend_schema(summary="Une citation"),
)
class CitationViewSet(_ReadOnly):
    serializer_class = serializers.CitationSerializer
    filterset_class = filters.CitationFilter
    rows = staticmethod(published.citations)


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
    rows = staticmethod(published.assessments)


@extend_schema_view(
    list=extend_schema(summary="Les liens entre missions"),
    retrieve=extend_schema(summary="Un lien"),
)
class LinkViewSet(_ReadOnly):
    serializer_class = serializers.LinkSerializer
    filterset_class = filters.LinkFilter
    rows = staticmethod(published.links)


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
    rows = staticmethod(published.slips)


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
    rows = staticmethod(published.history)


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


class Schema(_Told, SpectacularJSONAPIView):
    """The OpenAPI document, with the same validators and rates as the data."""

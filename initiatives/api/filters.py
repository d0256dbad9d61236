"""The API's filters: the same as the pages' (label, status, health, assessed status, actor,
year, due window, French full text `q`), and `since` for what changed since a moment.

A value that is not one of a filter's choices, or not a date, is refused with a 400 problem
naming the parameter: a typo must not silently widen the answer to everything."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters as df
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from .. import models as m
from .. import selectors
from ..selectors.links import ANY_LINK
from ..selectors.search import FIELDS, search_matches

HEALTH = m.Milestone.Health.choices
ASSESSED = m.Assessed.choices


@extend_schema_field({"type": "integer", "minimum": 1900, "maximum": 2200})
class YearFilter(df.NumberFilter):
    """A year: a whole number in the range the OpenAPI document states, so that what the
    document allows the API accepts (a plain NumberFilter took 2027.5, refused 1800 unsaid)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=1900, max_value=2200, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1})
class IdFilter(df.NumberFilter):
    """An id: a whole number (a plain NumberFilter read 1.9 as 1)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=1, **kwargs)


class _Instant(df.fields.IsoDateTimeField):
    """An ISO 8601 instant, read in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python
    reads (`-22:21` was a 500); an instant out of the calendar's range is a 400."""

    def to_python(self, value: Any) -> dt.datetime | None:
        instant = super().to_python(value)
        try:
            return None if instant is None else instant.astimezone(dt.UTC)
        except OverflowError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class SinceFilter(df.IsoDateTimeFilter):
    field_class = _Instant


def _matching(kind: str, model: type[Any], value: str) -> Q:
    return Q(pk__in=search_matches(model, FIELDS[kind], value).values("pk"))


class _Search(df.FilterSet):
    """`q`: French full text (stemmed, accents folded, each word a prefix) on PostgreSQL, as
    the site's search; a folded substring match in the embedded SQLite mode."""

    kind = ""
    q = df.CharFilter(method="search", label="Recherche en texte intégral (français).")

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(_matching(self.kind, queryset.model, value)) if value else queryset


class MissionFilter(df.FilterSet):
    """The mission list's filters, applied by the same selector as the page's."""

    q = df.CharFilter(label="Recherche en texte intégral, dans tout ce qui touche la mission.")
    label = df.CharFilter(label="Clé d'une étiquette.")
    status = df.ChoiceFilter(choices=m.Mission.Status.choices, label="Statut déclaré.")
    assessed = df.ChoiceFilter(choices=ASSESSED, label="Statut constaté.")
    health = df.ChoiceFilter(
        choices=HEALTH, label="Missions ayant au moins un jalon de cette santé."
    )
    actor = df.CharFilter(label="Clé d'un acteur impliqué.")
    year = YearFilter(label="Lancée cette année-là, ou un jalon dont la fenêtre la touche.")
    link = df.ChoiceFilter(
        choices=[(ANY_LINK, ANY_LINK), *m.MissionLink.Kind.choices],
        label="Missions ayant un lien de ce genre, d'un côté ou de l'autre.",
    )

    class Meta:
        model = m.Mission
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        data = self.form.cleaned_data
        year = data.get("year")
        filters = selectors.MissionFilters(
            q=(data.get("q") or "").strip(),
            label=data.get("label") or "",
            status=data.get("status") or "",
            health=data.get("health") or "",
            actor=data.get("actor") or "",
            year=int(year) if year is not None else None,
            assessed=data.get("assessed") or "",
            lien=data.get("link") or "",
        )
        return selectors.filtered_missions(queryset, filters, timezone.localdate())


class WorkstreamFilter(_Search):
    kind = "workstreams"
    mission = df.CharFilter(field_name="mission__key", label="Clé de la mission.")
    lead = df.CharFilter(field_name="lead__key", label="Clé de l'acteur qui pilote le chantier.")

    class Meta:
        model = m.Workstream
        fields: list[str] = []


class MilestoneFilter(_Search):
    kind = "milestones"
    mission = df.CharFilter(field_name="mission__key", label="Clé de la mission.")
    workstream = df.CharFilter(field_name="workstream__key", label="Clé du chantier.")
    label = df.CharFilter(
        field_name="mission__labels__key", label="Clé d'une étiquette de la mission."
    )
    actor = df.CharFilter(method="by_actor", label="Clé d'un acteur impliqué dans la mission.")
    status = df.ChoiceFilter(choices=m.Milestone.Status.choices, label="Statut déclaré.")
    kind_ = df.ChoiceFilter(field_name="kind", choices=m.Milestone.Kind.choices, label="Genre.")
    health = df.ChoiceFilter(choices=HEALTH, method="by_health",
                             label="Santé aujourd'hui (ex. overdue : en retard).")  # fmt: skip
    assessed = df.ChoiceFilter(field_name="assessed_status", choices=ASSESSED,
                               label="Statut constaté.")  # fmt: skip
    year = YearFilter(method="by_year", label="Fenêtre d'échéance qui touche cette année.")
    due_after = df.DateFilter(field_name="due_end", lookup_expr="gte",
                              label="Fenêtre d'échéance finissant ce jour-là ou après.")  # fmt: skip
    due_before = df.DateFilter(field_name="due_start", lookup_expr="lte",
                               label="Fenêtre d'échéance commençant ce jour-là ou avant.")  # fmt: skip
    since = SinceFilter(field_name="updated_at", lookup_expr="gte",
                                 label="Modifiés depuis cet instant (ISO 8601).")  # fmt: skip

    class Meta:
        model = m.Milestone
        fields: list[str] = []

    def by_health(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(selectors.health_filters(timezone.localdate())[value])

    def by_actor(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        involved = m.Involvement.objects.filter(actor__key=value).values("mission_id")
        return queryset.filter(mission_id__in=involved)

    def by_year(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        start, end = dt.date(int(value), 1, 1), dt.date(int(value), 12, 31)
        return queryset.filter(due_start__lte=end, due_end__gte=start)


# django-filter names a filter by its attribute: `kind` is taken by the search's kind.
MilestoneFilter.base_filters["kind"] = MilestoneFilter.base_filters.pop("kind_")


class LabelFilter(_Search):
    kind = "labels"
    type = df.ChoiceFilter(field_name="kind", choices=m.Label.Kind.choices, label="Genre.")

    class Meta:
        model = m.Label
        fields: list[str] = []


class ActorFilter(_Search):
    kind = "actors"
    type = df.ChoiceFilter(field_name="kind", choices=m.Actor.Kind.choices, label="Genre.")
    mission = df.CharFilter(field_name="involvements__mission__key", distinct=True,
                            label="Clé d'une mission où l'acteur est impliqué.")  # fmt: skip

    class Meta:
        model = m.Actor
        fields: list[str] = []


class SourceFilter(_Search):
    kind = "sources"
    publisher = df.CharFilter(lookup_expr="icontains", label="Éditeur (une partie du nom).")

    class Meta:
        model = m.Source
        fields: list[str] = []


class CitationFilter(_Search):
    kind = "citations"
    source = df.CharFilter(field_name="source__key", label="Clé de la source.")
    fact = df.CharFilter(label="Le fait appuyé (due, launch, budget, status, role, existence).")
    mission = df.CharFilter(method="by_mission", label="Clé de la mission de l'objet appuyé.")

    class Meta:
        model = m.Citation
        fields: list[str] = []

    def by_mission(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(
            Q(mission__key=value)
            | Q(workstream__mission__key=value)
            | Q(milestone__mission__key=value)
            | Q(involvement__mission__key=value)
            | Q(link__from_mission__key=value)
        )


class AssessmentFilter(df.FilterSet):
    mission = df.CharFilter(method="by_mission", label="Clé de la mission (ou de celle du jalon).")
    milestone = IdFilter(field_name="milestone_id", label="Identifiant du jalon.")
    assessed = df.ChoiceFilter(field_name="rating", choices=ASSESSED, label="Statut constaté.")
    since = SinceFilter(field_name="recorded_at", lookup_expr="gte",
                                 label="Enregistrées depuis cet instant (ISO 8601).")  # fmt: skip

    class Meta:
        model = m.Assessment
        fields: list[str] = []

    def by_mission(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(mission__key=value) | Q(milestone__mission__key=value))


class LinkFilter(df.FilterSet):
    mission = df.CharFilter(
        method="by_mission", label="Clé d'une mission, d'un côté ou de l'autre."
    )
    kind = df.ChoiceFilter(choices=m.MissionLink.Kind.choices, label="Genre de lien.")

    class Meta:
        model = m.MissionLink
        fields: list[str] = []

    def by_mission(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(from_mission__key=value) | Q(to_mission__key=value))


class SlipFilter(df.FilterSet):
    mission = df.CharFilter(field_name="milestone__mission__key", label="Clé de la mission.")
    milestone = IdFilter(field_name="milestone_id", label="Identifiant du jalon.")
    since = SinceFilter(field_name="recorded_at", lookup_expr="gte",
                                 label="Enregistrés depuis cet instant (ISO 8601).")  # fmt: skip

    class Meta:
        model = m.MilestoneSlip
        fields: list[str] = []


class HistoryFilter(df.FilterSet):
    since = SinceFilter(field_name="at", lookup_expr="gte",
                                 label="Ce qui a changé depuis cet instant (ISO 8601).")  # fmt: skip
    type = df.ChoiceFilter(method="by_type", label="Genre d'objet.",
                           choices=[(k, k) for k in ("mission", "workstream", "milestone")])  # fmt: skip

    class Meta:
        model = m.HistoryEntry
        fields: list[str] = []

    def by_type(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        tables = {"mission": m.Mission, "workstream": m.Workstream, "milestone": m.Milestone}
        return queryset.filter(table_name=tables[value]._meta.db_table)

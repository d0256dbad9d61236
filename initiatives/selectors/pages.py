"""What one page shows, in a fixed number of queries: the dashboard and its polled deadline
panel, a mission, a workstream, a milestone, a source, and the footnotes of their quotes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, F, Lookup, Q, QuerySet

from ..models import Milestone, Mission, Workstream
from .assessments import milestones_by_assessment
from .footnotes import Footnotes, SourceText, footnotes_for, source_text
from .forecasts import latest_forecast, with_forecast
from .links import LinkRow, link_citations, links_of
from .health import (
    OPEN,
    SHOWN_DUE_FIELDS,
    health_filters,
    missions_with_progress,
    with_current_health,
    workstreams_with_progress,
)
from .news import missions_without_news, with_news

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class DeadlinePanel:
    milestones_by_health: dict[str, int]
    next_deadlines: list[Milestone]
    overdue: list[Milestone]  # truly overdue: in progress past its window, or said late
    overdue_total: int
    # Planned, past its window, nothing said since: not known to be late, not known at all.
    without_news: list[Milestone] = field(default_factory=list)
    without_news_total: int = 0


@dataclass(frozen=True)
class Dashboard:
    missions_by_status: list[tuple[str, StrOrPromise, int]]  # (status, label, count)
    deadlines: DeadlinePanel
    missions: list[Mission]
    no_news: list[Mission]  # "sans nouvelles", silent longest first
    no_news_total: int
    # Milestones by assessed status (statut constaté), "not assessed" apart.
    milestones_by_assessment: list[tuple[str, str, int]] = field(default_factory=list)
    milestones_not_assessed: int = 0


def deadline_panel(today: dt.date, *, deadlines: int = 10, late: int = 10) -> DeadlinePanel:
    """The panel that refreshes itself every minute, in four queries: it alone is recomputed
    by the poll, not the whole dashboard. The overdue and the "deadline passed, no news"
    lists are two queries, each stopping at its limit (ten: the polled region stays under
    15 KB) in due-date order: one query ranking both (a window) would read every late
    milestone to list ten."""
    filters = health_filters(today)
    counts: dict[str, Any] = Milestone.objects.aggregate(
        **{health: Count("id", filter=q) for health, q in filters.items()}
    )
    listed = with_current_health(
        Milestone.objects.select_related("mission", "workstream"), today
    ).only(
        "key",
        "title",
        *SHOWN_DUE_FIELDS,
        "status",
        "progress",
        "mission__key",
        "mission__title",
        "workstream__title",
    )
    return DeadlinePanel(
        milestones_by_health=counts,
        next_deadlines=list(
            listed.filter(OPEN, due_end__gte=today).order_by("due_end", "pk")[:deadlines]
        ),
        overdue=list(
            listed.filter(filters[Milestone.Health.OVERDUE]).order_by("due_end", "pk")[:late]
        ),
        overdue_total=counts[Milestone.Health.OVERDUE],
        without_news=list(
            # The latest first: what just passed unremarked is what someone can still answer.
            listed.filter(filters[Milestone.Health.NO_NEWS]).order_by("-due_end", "-pk")[:late]
        ),
        without_news_total=counts[Milestone.Health.NO_NEWS],
    )


class _NoNews(TypedDict):
    no_news: list[Mission]
    no_news_total: int


def _no_news(today: dt.date) -> _NoNews:
    missions, total = missions_without_news(today)
    return {"no_news": missions, "no_news_total": total}


def dashboard(today: dt.date, *, missions: int = 20) -> Dashboard:
    """Everything the dashboard shows, in six queries whatever the data size."""
    by_status = dict(
        Mission.objects.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return Dashboard(
        missions_by_status=[(s.value, s.label, by_status.get(s.value, 0)) for s in Mission.Status],
        deadlines=deadline_panel(today),
        missions=list(
            missions_with_progress().only("key", "title", "status").order_by("title")[:missions]
        ),
        **_no_news(today),
        **milestones_by_assessment(),
    )


@dataclass(frozen=True)
class MissionPage:
    mission: Mission
    involvements: list[Any]
    workstreams: list[Workstream]
    milestones: list[Milestone]  # all of them, by due date: the timeline
    footnotes: Footnotes
    links: list[LinkRow] = field(default_factory=list)  # both sides, in this side's words


def mission_page(key: str, today: dt.date) -> MissionPage | None:
    """A mission with everything its page shows, in eight queries whatever its size."""
    from ..models import Citation, Involvement

    mission = (
        with_news(missions_with_progress(), today)
        .prefetch_related("labels")
        .filter(key=key)
        .first()
    )
    if mission is None:
        return None
    involvements = list(
        Involvement.objects.filter(mission=mission)
        .select_related("actor__affiliation")
        .order_by("role", "actor__name")
    )
    workstreams = list(
        with_forecast(workstreams_with_progress()).filter(mission=mission).order_by("position")
    )
    milestones = list(
        with_current_health(Milestone.objects.filter(mission=mission), today).order_by(
            F("due_end").asc(nulls_last=True), "due_start", "key"
        )
    )
    by_workstream: dict[int | None, list[Milestone]] = {}
    for milestone in milestones:
        by_workstream.setdefault(milestone.workstream_id, []).append(milestone)
    for workstream in workstreams:
        workstream.milestone_list = by_workstream.get(workstream.pk, [])  # type: ignore[attr-defined]
        workstream.forecast = latest_forecast(workstream, mission.rhythm_days, today)  # type: ignore[attr-defined]
    mission.own_milestones = by_workstream.get(None, [])  # type: ignore[attr-defined]
    links = links_of(mission)
    citations = list(
        Citation.objects.filter(
            Q(mission=mission)
            | link_citations(links)
            | _id_among("involvement", Involvement.objects.filter(mission=mission))
            | _id_among("workstream", Workstream.objects.filter(mission=mission))
            | _id_among("milestone", Milestone.objects.filter(mission=mission))
        ).select_related("source")
    )
    # Numbered as the page reads: the mission, its links, its actors, each workstream and its
    # milestones, then the mission's own milestones.
    targets: list[tuple[str, Any]] = [("mission", mission)]
    targets += [("link", row.link) for row in links]
    targets += [("involvement", involvement) for involvement in involvements]
    for workstream in workstreams:
        targets.append(("workstream", workstream))
        targets += [("milestone", m) for m in workstream.milestone_list]  # type: ignore[attr-defined]
    targets += [("milestone", m) for m in mission.own_milestones]  # type: ignore[attr-defined]
    return MissionPage(
        mission, involvements, workstreams, milestones, footnotes_for(citations, targets), links
    )


def _id_among(field: str, rows: QuerySet[Any]) -> Q:
    """`field` points at one of `rows`. On PostgreSQL as `= ANY(ARRAY(subquery))`: each
    branch of an OR of these reads its own index (a BitmapOr), where `IN (subquery)` makes
    the planner filter every row of the table (30 ms instead of 0.4 ms at 100,000 quotes)."""
    from django.db import connection

    ids = rows.order_by().values("pk")
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})
    from django.contrib.postgres.expressions import ArraySubquery

    return Q(_EqualsAny(F(f"{field}_id"), ArraySubquery(ids)))


class _EqualsAny(Lookup):
    """`lhs = ANY(rhs)`, rhs an array (PostgreSQL)."""

    lookup_name = "equals_any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def milestone_page(pk: int, today: dt.date) -> tuple[Milestone, Footnotes] | None:
    from ..models import Citation

    milestone = (
        with_current_health(Milestone.objects.select_related("mission", "workstream"), today)
        .filter(pk=pk)
        .first()
    )
    if milestone is None:
        return None
    citations = list(Citation.objects.filter(milestone=milestone).select_related("source"))
    return milestone, footnotes_for(citations, [("milestone", milestone)])


def source_page(key: str) -> tuple[Any, SourceText] | None:
    """A source and its text cut into passages, each quoted passage numbered once with the
    objects and facts it supports (2 queries)."""
    from ..models import Citation, Source

    source = Source.objects.filter(key=key).first()
    if source is None:
        return None
    citations = list(
        Citation.objects.filter(source=source).select_related(
            "mission",
            "involvement__mission",
            "involvement__actor",
            "workstream__mission",
            "milestone__workstream",
            "link__from_mission",
            "link__to_mission",
        )
    )
    return source, source_text(source.text, citations)


def milestone_row(pk: int, today: dt.date) -> Milestone | None:
    """One milestone as the mission page lists it, with its health as of today."""
    return (
        with_current_health(Milestone.objects.select_related("mission", "workstream"), today)
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class WorkstreamPage:
    workstream: Workstream  # with .progress, .mission, .coordinator_list
    milestones: list[Milestone]
    footnotes: Footnotes


def workstream_page(mission_key: str, key: str, today: dt.date) -> WorkstreamPage | None:
    """A workstream, its coordinators, its milestones and their quotes (4 queries)."""
    from ..models import Citation

    workstream = (
        with_forecast(workstreams_with_progress())
        .select_related("mission")
        .prefetch_related("coordinators")
        .filter(mission__key=mission_key, key=key)
        .first()
    )
    if workstream is None:
        return None
    workstream.forecast = latest_forecast(workstream, workstream.mission.rhythm_days, today)  # type: ignore[attr-defined]
    milestones = list(
        with_current_health(Milestone.objects.filter(workstream=workstream), today).order_by(
            F("due_end").asc(nulls_last=True), "due_start", "key"
        )
    )
    citations = list(
        Citation.objects.filter(
            Q(workstream=workstream)
            | _id_among("milestone", Milestone.objects.filter(workstream=workstream))
        ).select_related("source")
    )
    targets = [("workstream", workstream), *(("milestone", m) for m in milestones)]
    return WorkstreamPage(workstream, milestones, footnotes_for(citations, targets))

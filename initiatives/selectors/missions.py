"""The mission list: filters, full-text search, keyset pagination; and the sitemap's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from ..models import Involvement, Milestone, Mission
from .health import _MISSION_PROGRESS, OPEN, health_filters
from .links import link_filter
from .search import mission_matches


@dataclass(frozen=True)
class MissionFilters:
    q: str = ""
    label: str = ""
    status: str = ""
    health: str = ""
    actor: str = ""
    year: int | None = None
    assessed: str = ""  # the mission's own assessed status (statut constaté)
    lien: str = ""  # a kind of link between missions, either side, or "any" (links.ANY_LINK)


@dataclass(frozen=True)
class MissionPageOfList:
    missions: list[Mission]
    total: int
    next_cursor: str | None
    previous_cursor: str | None


def _search(missions: QuerySet[Mission], q: str) -> QuerySet[Mission]:
    """Missions reached by `q` through anything of theirs (`search.mission_matches`): French
    full text on PostgreSQL, a folded substring match on SQLite."""
    return missions.filter(mission_matches(q))


def filtered_missions(
    missions: QuerySet[Mission], filters: MissionFilters, today: dt.date
) -> QuerySet[Mission]:
    """`missions` narrowed by the list's filters (the page's and the API's), each a filter
    or a subquery of the one query that reads them."""
    if filters.q:
        missions = _search(missions, filters.q)
    if filters.label:
        missions = missions.filter(labels__key=filters.label)
    if filters.status:
        missions = missions.filter(status=filters.status)
    if filters.assessed:
        missions = missions.filter(assessed_status=filters.assessed)
    if filters.lien:
        missions = missions.filter(link_filter(filters.lien))
    if filters.health:
        having = Milestone.objects.filter(health_filters(today)[filters.health])
        missions = missions.filter(pk__in=having.values("mission_id"))
    if filters.actor:
        missions = missions.filter(
            pk__in=Involvement.objects.filter(actor__key=filters.actor).values("mission_id")
        )
    if filters.year:
        start, end = dt.date(filters.year, 1, 1), dt.date(filters.year, 12, 31)
        active = Milestone.objects.filter(due_start__lte=end, due_end__gte=start).values(
            "mission_id"
        )
        missions = missions.filter(Q(launch_start__year=filters.year) | Q(pk__in=active))
    return missions


def mission_list(
    filters: MissionFilters,
    today: dt.date,
    *,
    after: tuple[str, int] | None = None,
    before: tuple[str, int] | None = None,
    size: int = 20,
) -> MissionPageOfList:
    """One page of missions, ordered by title, in three queries whatever the page's depth:
    keyset pagination (title, pk) reads the same few index rows on page 1 and page 500."""
    missions = filtered_missions(Mission.objects.all(), filters, today)
    total = missions.count()  # before the progress annotation: counting needs none of it
    next_deadline = Milestone.objects.filter(
        OPEN, mission=OuterRef("pk"), due_end__gte=today
    ).order_by("due_end", "pk")
    page = missions.annotate(
        progress=RawSQL(_MISSION_PROGRESS, ()),
        next_due_text=Subquery(next_deadline.values("due_text")[:1]),
        next_due_start=Subquery(next_deadline.values("due_start")[:1]),
        next_due_end=Subquery(next_deadline.values("due_end")[:1]),
        next_due_precision=Subquery(next_deadline.values("due_precision")[:1]),
        next_due_title=Subquery(next_deadline.values("title")[:1]),
    ).prefetch_related("labels")
    rows: list[Mission]
    if before is not None:
        rows = list(
            page.filter(Q(title__lt=before[0]) | Q(title=before[0], pk__lt=before[1])).order_by(
                "-title", "-pk"
            )[: size + 1]
        )
        has_more_before = len(rows) > size
        rows = rows[:size][::-1]
        has_more_after = True
    else:
        if after is not None:
            page = page.filter(Q(title__gt=after[0]) | Q(title=after[0], pk__gt=after[1]))
        rows = list(page.order_by("title", "pk")[: size + 1])
        has_more_after = len(rows) > size
        rows = rows[:size]
        has_more_before = after is not None
    return MissionPageOfList(
        missions=rows,
        total=total,
        next_cursor=_cursor(rows[-1]) if rows and has_more_after else None,
        previous_cursor=_cursor(rows[0]) if rows and has_more_before else None,
    )


def _cursor(mission: Mission) -> str:
    return f"{mission.pk}:{mission.title}"


def parse_cursor(raw: str) -> tuple[str, int] | None:
    """`pk:title` back into (title, pk); anything else is no cursor (the first page)."""
    pk, sep, title = raw.partition(":")
    # isascii: "²".isdigit() is true, int("²") fails; NUL: PostgreSQL refuses it in text.
    if not sep or not (pk.isascii() and pk.isdigit()) or "\x00" in title or len(raw) > 400:
        return None
    return title, int(pk)


def sitemap_missions(limit: int = 100) -> tuple[list[Mission], bool]:
    """The first missions by title for the sitemap, and whether there are more."""
    missions = list(Mission.objects.order_by("title", "pk").only("key", "title")[: limit + 1])
    return missions[:limit], len(missions) > limit

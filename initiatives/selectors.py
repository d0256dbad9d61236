"""Read queries that cross relations: what the pages show, in a fixed number of queries.

Health is computed here from status, window and today, not read from the stored column: the
stored one is only as fresh as the last sweep, and a page must never say "on track" about a
milestone whose window closed this morning."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    Lookup,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.formats import date_format

from .models import (
    HEALTH_DRIFT,
    NEWS_VIA,
    Assessed,
    Assessment,
    Involvement,
    Milestone,
    Mission,
    Precision,
    Source,
    Workstream,
)

# Still to be delivered: neither done, cancelled nor missed.
OPEN = Q(status__in=[Milestone.Status.PLANNED, Milestone.Status.IN_PROGRESS])
# Said something of since its window ended (news_on is set by every person's write).
_SAID_SINCE = Q(news_on__gt=F("due_end"))

# Progress (the methodology page states it): a workstream's is the mean, over its dated
# deliverables not cancelled, of 100 for a done one and its stated progress otherwise; events
# (announcements, meetings, signatures) never count. A mission's is the mean of its
# workstreams' that have such deliverables, the milestones of the mission as a whole weighing
# as one more workstream. None: no dated deliverable, nothing to measure. SQL, whatever the
# number of rows.
_EFFECTIVE = (
    "CASE WHEN ms.kind <> 'deliverable' OR ms.due_end IS NULL OR ms.status = 'cancelled' "
    "THEN NULL WHEN ms.status = 'done' THEN 100 ELSE ms.progress END"
)
_WORKSTREAM_PROGRESS = (
    f"SELECT AVG({_EFFECTIVE}) FROM {Milestone._meta.db_table} ms "
    f"WHERE ms.workstream_id = {Workstream._meta.db_table}.id"
)
# Milestones carry their mission_id, so a mission's rows come from the (mission, key) index
# alone: no join, no scan of the other missions' milestones.
_MISSION_PROGRESS = (
    f"SELECT AVG(wp.p) FROM (SELECT AVG({_EFFECTIVE}) AS p FROM {Milestone._meta.db_table} ms "
    f"WHERE ms.mission_id = {Mission._meta.db_table}.id "
    f"GROUP BY COALESCE(ms.workstream_id, 0)) wp"
)


def missions_with_progress() -> QuerySet[Mission]:
    return Mission.objects.annotate(progress=RawSQL(_MISSION_PROGRESS, ()))


def workstreams_with_progress() -> QuerySet[Workstream]:
    return Workstream.objects.annotate(progress=RawSQL(_WORKSTREAM_PROGRESS, ()))


@dataclass(frozen=True)
class LatestForecast:
    """A workstream's latest "météo", as its pages show it."""

    level: str
    label: str
    narrative: str
    stated_on: dt.date
    stale: bool  # older than the mission's expected rhythm


def with_forecast(workstreams: QuerySet[Workstream]) -> QuerySet[Workstream]:
    """Annotate each workstream's latest forecast, in the same query: three subqueries, each
    the first row of the (workstream, -stated_on, -recorded_at) index. Read it with
    latest_forecast()."""
    from .models import Forecast

    latest = Forecast.objects.filter(workstream=OuterRef("pk")).order_by("-stated_on", "-recorded_at", "-pk")
    return workstreams.annotate(
        forecast_level=Subquery(latest.values("level")[:1]),
        forecast_narrative=Subquery(latest.values("narrative")[:1]),
        forecast_on=Subquery(latest.values("stated_on")[:1], output_field=DateField()),
    )


def latest_forecast(workstream: Workstream, rhythm_days: int, today: dt.date) -> LatestForecast | None:
    """The forecast with_forecast() annotated, stale when older than `rhythm_days` (the
    mission's expected rhythm); None when there is none yet."""
    from .models import Forecast

    level = getattr(workstream, "forecast_level", None)
    if level is None:
        return None
    stated_on = workstream.forecast_on  # type: ignore[attr-defined]
    return LatestForecast(
        level=level,
        label=str(Forecast.Level(level).label),
        narrative=workstream.forecast_narrative,  # type: ignore[attr-defined]
        stated_on=stated_on,
        stale=(today - stated_on).days > rhythm_days,
    )


def health_filters(today: dt.date) -> dict[str, Q]:
    """Each health as a filter on milestones, as of `today`."""
    horizon = today + dt.timedelta(days=settings.DEADLINE_HORIZON_DAYS)
    S = Milestone.Status
    ended = Q(due_end__lt=today)
    return {
        # In progress past its window, or planned and said of since: someone knows it is late.
        Milestone.Health.OVERDUE: ended & (Q(status=S.IN_PROGRESS) | Q(status=S.PLANNED) & _SAID_SINCE),
        # Planned past its window and nothing said since: not known to be late, not known at all.
        Milestone.Health.NO_NEWS: ended & Q(status=S.PLANNED) & ~_SAID_SINCE,
        Milestone.Health.DUE_SOON: OPEN & Q(due_end__gte=today, due_end__lte=horizon),
        Milestone.Health.ON_TRACK: OPEN & Q(due_end__gt=horizon),
        Milestone.Health.UNDATED: OPEN & Q(due_end__isnull=True),
        Milestone.Health.MISSED: Q(status=S.MISSED),
        Milestone.Health.DONE: Q(status=S.DONE),
        Milestone.Health.CANCELLED: Q(status=S.CANCELLED),
    }


def stale_health_arms(today: dt.date) -> list[Q]:
    """The milestones whose stored health is not their health as of `today`, as filters
    whose union is exactly `~Q(health=health_expression(today))`, each answered by an index
    instead of a scan of the table (tests/test_sweep.py checks both).

    Stored health goes stale in two ways:
    - by a write that bypassed the services (HEALTH_DRIFT, whatever the day): the partial
      index over those rows is empty in steady state;
    - by the passing of days: a due date crossed the horizon or passed. Each such row lies
      in a short range of the (health, due_end) index, e.g. "on track" with a due_end now
      within the horizon; the rows still right lie outside those ranges and are not read.
    """
    horizon = today + dt.timedelta(days=settings.DEADLINE_HORIZON_DAYS)
    H = Milestone.Health
    return [
        HEALTH_DRIFT,
        Q(health=H.OVERDUE, due_end__gte=today),
        Q(health=H.NO_NEWS, due_end__gte=today),
        Q(health=H.DUE_SOON, due_end__lt=today),
        Q(health=H.DUE_SOON, due_end__gt=horizon),
        Q(health=H.ON_TRACK, due_end__lte=horizon),
    ]


def stale_health(today: dt.date) -> Q:
    """stale_health_arms as one filter."""
    arms = stale_health_arms(today)
    combined = arms[0]
    for arm in arms[1:]:
        combined |= arm
    return combined


def health_expression(today: dt.date) -> Case:
    """A milestone's health as of `today`, as one SQL expression (pages and the sweep)."""
    whens = [When(q, then=Value(health)) for health, q in health_filters(today).items()]
    return Case(*whens, output_field=CharField())


def with_current_health(milestones: QuerySet[Milestone], today: dt.date) -> QuerySet[Milestone]:
    """Annotate `current_health`: the health as of today, computed by the database."""
    return milestones.annotate(current_health=health_expression(today))


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
    missions_by_status: list[tuple[str, str, int]]  # (status, label, count)
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
        "kind",
        "due_text",
        "due_start",
        "due_end",
        "due_precision",
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
        **dict(zip(("no_news", "no_news_total"), missions_without_news(today))),
        **milestones_by_assessment(),
    )


def milestones_by_assessment() -> dict[str, Any]:
    """How many milestones stand at each assessed status, in one query (the copy of the
    current assessment on each row): the assessed ones by rating, the others as one number."""
    counts = dict(
        Milestone.objects.order_by().values_list("assessed_status").annotate(n=Count("id")).values_list("assessed_status", "n")
    )
    return {
        "milestones_by_assessment": [
            (a.value, a.label, counts.get(a.value, 0)) for a in Assessed if a != Assessed.NOT_ASSESSED
        ],
        "milestones_not_assessed": counts.get(Assessed.NOT_ASSESSED, 0),
    }


# --------------------------------------------------------------------------------------------
# One mission, one milestone, one source
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Footnotes:
    """The quotes behind a page's facts, numbered in reading order like footnotes."""

    citations: list[Any]
    by_target: dict[tuple[str, int], list[int]]  # (kind, object pk) -> footnote numbers

    def of(self, kind: str, pk: int) -> list[int]:
        return self.by_target.get((kind, pk), [])


def footnotes_for(citations: list[Any]) -> Footnotes:
    by_target: dict[tuple[str, int], list[int]] = {}
    for number, cit in enumerate(citations, start=1):
        cit.number = number
        for kind in ("mission", "involvement", "workstream", "milestone"):
            pk = getattr(cit, f"{kind}_id")
            if pk:
                by_target.setdefault((kind, pk), []).append(number)
    return Footnotes(citations, by_target)


@dataclass(frozen=True)
class MissionPage:
    mission: Mission
    involvements: list[Any]
    workstreams: list[Workstream]
    milestones: list[Milestone]  # all of them, by due date: the timeline
    footnotes: Footnotes


def mission_page(key: str, today: dt.date) -> MissionPage | None:
    """A mission with everything its page shows, in seven queries whatever its size."""
    from .models import Citation, Involvement

    mission = (
        with_news(missions_with_progress(), today).prefetch_related("labels").filter(key=key).first()
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
    citations = list(
        Citation.objects.filter(
            Q(mission=mission)
            | _id_among("involvement", Involvement.objects.filter(mission=mission))
            | _id_among("workstream", Workstream.objects.filter(mission=mission))
            | _id_among("milestone", Milestone.objects.filter(mission=mission))
        )
        .select_related("source")
        # Reading order: the mission's own quotes, then actors', workstreams', milestones'.
        .order_by(
            *(
                F(f"{kind}_id").asc(nulls_last=True)
                for kind in ("mission", "involvement", "workstream", "milestone")
            ),
            "start_offset",
        )
    )
    return MissionPage(mission, involvements, workstreams, milestones, footnotes_for(citations))


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


class _EqualsAny(Lookup):  # type: ignore[type-arg]
    """`lhs = ANY(rhs)`, rhs an array (PostgreSQL)."""

    lookup_name = "equals_any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def milestone_page(pk: int, today: dt.date) -> tuple[Milestone, Footnotes] | None:
    from .models import Citation

    milestone = (
        with_current_health(Milestone.objects.select_related("mission", "workstream"), today)
        .filter(pk=pk)
        .first()
    )
    if milestone is None:
        return None
    citations = list(
        Citation.objects.filter(milestone=milestone).select_related("source").order_by("pk")
    )
    return milestone, footnotes_for(citations)


# --------------------------------------------------------------------------------------------
# Assessments ("statut constaté")


def assessment_timeline(target: Milestone | Mission) -> list[Assessment]:
    """Every assessment of a milestone or a mission, newest first (the first is the current
    one), with its assessor, successor and evidence: two queries, none for what was never
    assessed (no assessment leaves `assessed_on` empty: services.record_assessment copies the
    latest one's date there)."""
    if target.assessed_on is None:
        return []
    field = "milestone" if isinstance(target, Milestone) else "mission"
    return list(
        Assessment.objects.filter(**{field: target})
        .select_related("assessor", "successor_milestone", "successor_mission")
        .prefetch_related(Prefetch("evidence", queryset=_evidence_shown()))
        .order_by("-as_of", "-recorded_at", "-pk")
    )


def _evidence_shown() -> QuerySet[Any]:
    from .models import Evidence

    return Evidence.objects.select_related("source").only(
        "assessment_id", "quote", "primary", "source__key", "source__title"
    ).order_by("-primary", "pk")


def evidence_sources(mission: Mission) -> list[tuple[str, str]]:
    """The sources an observer quotes from when assessing `mission` or one of its milestones:
    those the mission cites, or every source when it cites none (key, title)."""
    cited = list(mission.sources.order_by("-published_on", "title").values_list("key", "title"))
    return cited or list(Source.objects.order_by("-published_on", "title").values_list("key", "title"))


def assessment_successors(mission: Mission, milestone: Milestone | None) -> tuple[QuerySet[Milestone], QuerySet[Mission]]:
    """What may replace an assessed target: a milestone of the same mission (for a
    milestone), another mission."""
    milestones = Milestone.objects.filter(mission=mission).exclude(pk=getattr(milestone, "pk", None)).order_by("due_end", "title")
    missions = Mission.objects.order_by("title", "pk").only("key", "title")
    if milestone is None:
        missions = missions.exclude(pk=mission.pk)
    return milestones.only("title", "due_text"), missions


@dataclass(frozen=True)
class Passage:
    text: str
    citations: list[Any]  # empty: plain text; else the quotes that cover this passage
    starting: list[Any]  # the quotes that begin here: each gets its one anchor


def source_page(key: str) -> tuple[Any, list[Passage]] | None:
    """A source's text cut into passages, each quoted passage carrying its citations."""
    from .models import Citation, Source

    source = Source.objects.filter(key=key).first()
    if source is None:
        return None
    citations = list(
        Citation.objects.filter(source=source).select_related(
            "mission",
            "involvement__mission",
            "involvement__actor",
            "workstream__mission",
            "milestone",
        )
    )
    return source, passages(source.text, citations)


def passages(text: str, citations: list[Any]) -> list[Passage]:
    """Cut `text` at every quote boundary; overlapping quotes share the passages they overlap."""
    cuts = sorted(
        {0, len(text), *(c.start_offset for c in citations), *(c.end_offset for c in citations)}
    )
    result: list[Passage] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [c for c in citations if c.start_offset <= start and end <= c.end_offset]
        starting = [c for c in covering if c.start_offset == start]
        result.append(Passage(text[start:end], covering, starting))
    return result


# --------------------------------------------------------------------------------------------
# The mission list: filters, search, keyset pagination
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissionFilters:
    q: str = ""
    label: str = ""
    status: str = ""
    health: str = ""
    actor: str = ""
    year: int | None = None
    assessed: str = ""  # the mission's own assessed status (statut constaté)


@dataclass(frozen=True)
class MissionPageOfList:
    missions: list[Mission]
    total: int
    next_cursor: str | None
    previous_cursor: str | None


def search_matches(model: type[Any], fields: tuple[str, ...], q: str) -> QuerySet[Any]:
    """Rows of `model` whose `fields` match the words of `q` (PostgreSQL). The expression is
    the one migration 0005 indexes: change both together."""
    from django.contrib.postgres.search import SearchQuery, SearchVector

    query = SearchQuery(q, config="fr_unaccent", search_type="websearch")
    vector = SearchVector(*fields, config="fr_unaccent")
    return model.objects.annotate(v=vector).filter(v=query).values("pk")


def _search(missions: QuerySet[Mission], q: str) -> QuerySet[Mission]:
    """Full-text search over titles, summaries, workstreams and quotes. On PostgreSQL: French
    stemming (plurals) on unaccented words (accents), through the `fr_unaccent` configuration
    made by migration 0002. SQLite, the embedded default, gets a plainer case-insensitive
    substring match on the same fields."""
    from django.db import connection

    from .models import Citation

    if connection.vendor == "postgresql":

        def matches(model: type[Any], *fields: str) -> QuerySet[Any]:
            return search_matches(model, fields, q)

        return missions.filter(
            Q(pk__in=matches(Mission, "title", "summary"))
            | Q(pk__in=matches(Workstream, "title", "summary").values("mission_id"))
            | Q(pk__in=matches(Citation, "quote").exclude(mission=None).values("mission_id"))
            | Q(
                pk__in=matches(Citation, "quote")
                .exclude(workstream=None)
                .values("workstream__mission_id")
            )
            | Q(
                pk__in=matches(Citation, "quote")
                .exclude(milestone=None)
                .values("milestone__mission_id")
            )
        )
    # Same fields as on PostgreSQL, as subqueries: joining them all would multiply the rows.
    return missions.filter(
        Q(title__icontains=q)
        | Q(summary__icontains=q)
        | Q(
            pk__in=Workstream.objects.filter(
                Q(title__icontains=q) | Q(summary__icontains=q)
            ).values("mission_id")
        )
        | Q(
            pk__in=Citation.objects.filter(quote__icontains=q, mission__isnull=False).values(
                "mission_id"
            )
        )
        | Q(
            pk__in=Citation.objects.filter(quote__icontains=q, workstream__isnull=False).values(
                "workstream__mission_id"
            )
        )
        | Q(
            pk__in=Citation.objects.filter(quote__icontains=q, milestone__isnull=False).values(
                "milestone__mission_id"
            )
        )
    )


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
    missions = Mission.objects.all()
    if filters.q:
        missions = _search(missions, filters.q)
    if filters.label:
        missions = missions.filter(labels__key=filters.label)
    if filters.status:
        missions = missions.filter(status=filters.status)
    if filters.assessed:
        missions = missions.filter(assessed_status=filters.assessed)
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
    total = missions.count()  # before the progress annotation: counting needs none of it
    next_deadline = Milestone.objects.filter(
        OPEN, mission=OuterRef("pk"), due_end__gte=today
    ).order_by("due_end", "pk")
    page = missions.annotate(
        progress=RawSQL(_MISSION_PROGRESS, ()),
        next_due_text=Subquery(next_deadline.values("due_text")[:1]),
        next_due_end=Subquery(next_deadline.values("due_end")[:1]),
        next_due_title=Subquery(next_deadline.values("title")[:1]),
    ).prefetch_related("labels")
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


# --------------------------------------------------------------------------------------------
# The frise: every milestone on one time axis
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    milestone: Milestone
    left: float  # percent of the axis
    width: float  # percent; 0 for a day: drawn as a dot
    is_point: bool

    @property
    def is_event(self) -> bool:
        """An event (announcement, meeting, signature) is drawn as a diamond, never a bar:
        it counts toward no progress, and a reader must not take it for a deliverable."""
        return self.milestone.kind == Milestone.Kind.EVENT

    @property
    def middle(self) -> float:
        """Where an event's diamond stands: the middle of its window (percent)."""
        return self.left + self.width / 2


@dataclass(frozen=True)
class FriseRow:
    mission: Mission
    workstream: Workstream | None
    bars: list[Bar]


@dataclass(frozen=True)
class Frise:
    start: dt.date
    end: dt.date
    ticks: list[tuple[float, str]]  # (percent, label)
    today: float | None  # percent, None when today is off the axis
    rows: list[FriseRow]
    missions_total: int
    next_cursor: str | None


FRISE_FIRST_YEAR = 2013


def frise(
    today: dt.date,
    *,
    label: str = "",
    year: int | None = None,
    after: tuple[str, int] | None = None,
    missions_per_page: int = 5,
) -> Frise:
    """Rows of one page of missions (and their workstreams) with their milestones placed on
    the axis: all years from 2013 to two years after today, or one year by quarter."""
    if year is not None:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        ticks_at = [(dt.date(year, m, 1), f"T{(m - 1) // 3 + 1}") for m in (1, 4, 7, 10)]
    else:
        start, end = dt.date(FRISE_FIRST_YEAR, 1, 1), dt.date(today.year + 2, 12, 31)
        ticks_at = [(dt.date(y, 1, 1), str(y)) for y in range(start.year, end.year + 1)]
    span = (end - start).days + 1

    def at(day: dt.date) -> float:
        return max(0.0, min(100.0, (day - start).days / span * 100))

    missions = Mission.objects.order_by("title", "pk")
    if label:
        missions = missions.filter(labels__key=label)
    total = missions.count()
    if after is not None:
        missions = missions.filter(Q(title__gt=after[0]) | Q(title=after[0], pk__gt=after[1]))
    page = list(missions[: missions_per_page + 1])
    more = len(page) > missions_per_page
    page = page[:missions_per_page]
    workstreams = list(
        Workstream.objects.filter(mission__in=page).order_by("mission_id", "position")
    )
    milestones = with_current_health(
        Milestone.objects.filter(mission__in=page, due_start__lte=end, due_end__gte=start), today
    ).only(
        "title",
        "kind",
        "due_text",
        "due_start",
        "due_end",
        "due_precision",
        "status",
        "mission_id",
        "workstream_id",
    )
    by_row: dict[tuple[int, int | None], list[Bar]] = {}
    for m in milestones.order_by("due_start"):
        left, right = at(m.due_start), at(m.due_end + dt.timedelta(days=1))
        is_point = m.due_precision == Precision.DAY
        by_row.setdefault((m.mission_id, m.workstream_id), []).append(
            Bar(m, left, 0.0 if is_point else max(right - left, 0.3), is_point)
        )
    rows: list[FriseRow] = []
    for mission in page:
        rows.append(FriseRow(mission, None, by_row.get((mission.pk, None), [])))
        # A workstream with nothing in the window would be an empty line: left out. The
        # mission's own row stays, so that every mission of the page is named.
        for ws in (w for w in workstreams if w.mission_id == mission.pk):
            if (mission.pk, ws.pk) in by_row:
                rows.append(FriseRow(mission, ws, by_row[(mission.pk, ws.pk)]))
    return Frise(
        start=start,
        end=end,
        ticks=[(at(day), text) for day, text in ticks_at],
        today=at(today) if start <= today <= end else None,
        rows=rows,
        missions_total=total,
        next_cursor=_cursor(page[-1]) if more else None,
    )


def sitemap_missions(limit: int = 100) -> tuple[list[Mission], bool]:
    """The first missions by title for the sitemap, and whether there are more."""
    missions = list(Mission.objects.order_by("title", "pk").only("key", "title")[: limit + 1])
    return missions[:limit], len(missions) > limit


def milestone_row(pk: int, today: dt.date) -> Milestone | None:
    """One milestone as the mission page lists it, with its health as of today."""
    return (
        with_current_health(Milestone.objects.select_related("mission", "workstream"), today)
        .filter(pk=pk)
        .first()
    )


def _writable_workstreams(user: Any) -> set[int] | None:
    """The workstreams whose milestones and weather `user` may write: None for all (an
    administrator), their own for a coordinator (one query), none for visitors."""
    if not (user.is_authenticated and user.is_active):
        return set()
    if user.is_staff:
        return None
    return set(user.coordinated_workstreams.values_list("pk", flat=True))


def editable_milestone_ids(user: Any, milestones: list[Milestone]) -> set[int]:
    """Which of these milestones `user` may edit (services.can_edit_milestone holds the rule)."""
    mine = _writable_workstreams(user)
    return {m.pk for m in milestones if mine is None or m.workstream_id in mine}


def forecastable_workstream_ids(user: Any, workstreams: list[Workstream]) -> set[int]:
    """For which of these workstreams `user` may record a forecast (services.record_forecast
    holds the rule)."""
    mine = _writable_workstreams(user)
    return {w.pk for w in workstreams if mine is None or w.pk in mine}


# --------------------------------------------------------------------------------------------
# History: what changed, for people


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryLine:
    entry: Any  # HistoryEntry
    title: str  # what the entry is about (a mission, workstream or milestone title)
    changes: list[Change]
    link: str = ""  # where to read more


# Columns that carry what a reader follows; the others are bookkeeping or derived.
SHOWN = {
    "initiatives_milestone": ["title", "status", "progress", "completed_on", "due_text", "comment", "health"],
    "initiatives_workstream": ["title", "summary", "position"],
    "initiatives_mission": ["title", "summary", "status", "launch_text", "budget_text"],
}


def history_lines(entries: list[Any]) -> list[HistoryLine]:
    from . import history
    from .models import Milestone as MilestoneModel

    models = {
        "initiatives_milestone": MilestoneModel,
        "initiatives_workstream": Workstream,
        "initiatives_mission": Mission,
    }
    lines = []
    for entry in entries:
        model = models[entry.table_name]
        shown = SHOWN[entry.table_name]
        differences = history.changes(entry.old, entry.new)
        changes = [
            Change(str(model._meta.get_field(column).verbose_name), old, new)
            for column in shown
            if column in differences
            for old, new in [(_shown_value(model, column, v) for v in differences[column])]
            if old != new  # None and "" read the same: no change for a reader
        ]
        row = entry.new or entry.old or {}
        if entry.action == "update" and not changes:
            continue  # bookkeeping only (version, derived dates)
        lines.append(HistoryLine(entry, str(row.get("title", "")), changes))
    return lines


def _shown_value(model: Any, column: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    field = model._meta.get_field(column)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if column == "progress":
        return f"{value} %"
    if field.get_internal_type() == "DateField":
        try:
            return date_format(dt.date.fromisoformat(str(value)[:10]), "j F Y")
        except ValueError:
            return str(value)
    return str(value)


def milestone_history(milestone: Milestone) -> tuple[list[HistoryLine], list[Any]]:
    """The changes of one milestone, newest first, and its slips (2 queries)."""
    from .models import HistoryEntry, MilestoneSlip

    entries = list(
        HistoryEntry.objects.filter(table_name=Milestone._meta.db_table, row_id=milestone.pk)
        .select_related("actor")
        .order_by("-pk")[:100]
    )
    slips = list(MilestoneSlip.objects.filter(milestone=milestone).select_related("recorded_by"))
    return history_lines(entries), slips


def mission_history(mission: Mission, limit: int = 50) -> list[HistoryLine]:
    """The latest changes of a mission, its workstreams and its milestones (3 queries)."""
    from .models import HistoryEntry

    workstream_ids = list(mission.workstreams.values_list("pk", flat=True))
    milestone_ids = list(mission.milestones.values_list("pk", flat=True))
    entries = list(
        HistoryEntry.objects.filter(
            Q(table_name=Mission._meta.db_table, row_id=mission.pk)
            | Q(table_name=Workstream._meta.db_table, row_id__in=workstream_ids)
            | Q(table_name=Milestone._meta.db_table, row_id__in=milestone_ids)
        )
        .select_related("actor")
        .order_by("-pk")[:limit]
    )
    mission_url = reverse("initiatives:mission", args=[mission.key])
    return [
        replace(
            line,
            link=reverse("initiatives:milestone", args=[line.entry.row_id])
            if line.entry.table_name == Milestone._meta.db_table and line.entry.action != "delete"
            else mission_url,
        )
        for line in history_lines(entries)
    ]


@dataclass(frozen=True)
class WorkstreamPage:
    workstream: Workstream  # with .progress, .mission, .coordinator_list
    milestones: list[Milestone]
    footnotes: Any


def workstream_page(mission_key: str, key: str, today: dt.date) -> WorkstreamPage | None:
    """A workstream, its coordinators, its milestones and their quotes (4 queries)."""
    from .models import Citation

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
        )
        .select_related("source")
        .order_by(F("workstream_id").asc(nulls_last=True), "milestone_id", "start_offset")
    )
    return WorkstreamPage(workstream, milestones, footnotes_for(citations))


# --------------------------------------------------------------------------------------------
# Dormancy: missions the Observatoire has heard nothing of for longer than their rhythm

class DaysBefore(Func):
    """`day` minus a number of days read from a column, as a date, on both databases."""

    output_field = DateField()

    def __init__(self, day: dt.date, days: Any) -> None:
        super().__init__(Value(day, output_field=DateField()), days)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # date - integer is a date.
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner="::date - ", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite stores dates as ISO text and shifts them with date()'s modifiers.
        return self.as_sql(
            compiler, connection, template="date(%(expressions)s || ' days')", arg_joiner=", '-' || ", **extra
        )


def with_news(missions: QuerySet[Mission], today: dt.date) -> QuerySet[Mission]:
    """Annotate `last_news_on` and `no_news` ("sans nouvelles").

    The last news of a mission is the later of its latest source's publication date and the
    latest change a person made to it, its workstreams or its milestones (the history, via an
    edit or the admin). A mission has no news when that day is more than `rhythm_days` ago."""
    from django.db.models.functions import Coalesce, Greatest, TruncDate

    from .models import HistoryEntry, Source

    latest_source = (
        Source.objects.filter(missions=OuterRef("pk")).order_by("-published_on").values("published_on")[:1]
    )
    mine = OuterRef(OuterRef("pk"))
    latest_change = (
        HistoryEntry.objects.filter(via__in=NEWS_VIA)
        .filter(
            Q(table_name=Mission._meta.db_table, row_id=OuterRef("pk"))
            | Q(table_name=Workstream._meta.db_table, row_id__in=Workstream.objects.filter(mission=mine).values("pk"))
            | Q(table_name=Milestone._meta.db_table, row_id__in=Milestone.objects.filter(mission=mine).values("pk"))
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return missions.annotate(
        last_news_on=Greatest(
            # A mission with no source yet counts from its creation.
            Coalesce(Subquery(latest_source), TruncDate("created_at")),
            Coalesce(
                TruncDate(Subquery(latest_change, output_field=DateTimeField())),
                Value(dt.date.min, output_field=DateField()),
            ),
            output_field=DateField(),
        )
    ).annotate(
        no_news=ExpressionWrapper(
            Q(last_news_on__lt=DaysBefore(today, F("rhythm_days"))), output_field=BooleanField()
        )
    )


def missions_without_news(today: dt.date, limit: int = 10) -> tuple[list[Mission], int]:
    """The missions with no news, those silent longest first, and how many there are (one
    query: the total rides on each row)."""
    rows = list(
        with_news(Mission.objects.only("key", "title", "rhythm_days", "created_at"), today)
        .filter(no_news=True)
        .annotate(total=Window(Count("id")))
        .order_by("last_news_on", "title")[:limit]
    )
    return rows, (rows[0].total if rows else 0)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# Notifications and digests


def unread_notifications(user: Any) -> int:
    """The bell's count: one indexed count. An alert that closed itself (the milestone was
    done, its deadline moved, news was given) asks nothing of anyone any more: its
    notification no longer counts, read or not. The user's unread rows come from the
    partial index, each joined to its alert by primary key."""
    from .models import Notification

    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(
        user=user, read_at__isnull=True, alert__resolved_at__isnull=True
    ).count()


def notifications_of(user: Any) -> QuerySet[Any]:
    """A user's own notifications, newest first, with what they are about."""
    from .models import Notification

    return Notification.objects.filter(user=user).select_related(
        "alert__milestone__mission", "alert__milestone__workstream"
    )


@dataclass(frozen=True)
class Digest:
    overdue: list[Milestone]
    due_soon: list[Milestone]
    # Past their window, still planned, nothing said since: the digest asks for news.
    no_news: list[Milestone] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due_soon or self.no_news)


# What a digest is about: overdue, "deadline passed, no news" and due soon milestones.
_DIGESTED = (Milestone.Health.OVERDUE, Milestone.Health.NO_NEWS, Milestone.Health.DUE_SOON)


def _digested(today: dt.date) -> Q:
    filters = health_filters(today)
    return filters[_DIGESTED[0]] | filters[_DIGESTED[1]] | filters[_DIGESTED[2]]


def digest_for(user: Any, today: dt.date) -> Digest:
    """What is overdue, what passed its deadline with no news, and what is due soon, as of
    `today`, among the milestones of the workstreams `user` coordinates (one query)."""
    rows = list(
        with_current_health(
            Milestone.objects.filter(workstream__coordinators=user).select_related(
                "mission", "workstream"
            ),
            today,
        )
        .filter(_digested(today))
        .order_by("due_end", "mission__title", "pk")
    )

    def of(health: str) -> list[Milestone]:
        return [m for m in rows if m.current_health == health]  # type: ignore[attr-defined]

    H = Milestone.Health
    return Digest(overdue=of(H.OVERDUE), due_soon=of(H.DUE_SOON), no_news=of(H.NO_NEWS))


def digest_recipients(today: dt.date) -> list[int]:
    """The active coordinators with an email and at least one milestone overdue, past its
    deadline with no news, or due soon."""
    from django.contrib.auth import get_user_model

    late = Milestone.objects.filter(_digested(today), workstream__coordinators=OuterRef("pk"))
    return list(
        get_user_model()
        .objects.filter(Exists(late), is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )

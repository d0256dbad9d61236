"""Search: what the mission list's `q` reaches, and the search page's results grouped by kind
(missions, workstreams, milestones, actors, labels, sources, quotes), each kind in one query
whatever the data: its first PER_KIND rows, best first, and how many there are.

PostgreSQL: French stemming on unaccented words (the `fr_unaccent` configuration of
migration 0002), every word also a prefix ("souveraine" finds "souveraineté"), the passages
cut and marked by `ts_headline`. SQLite (the embedded mode): every word a substring of the
folded text (case, accents, apostrophes: `searchtext.fold`, registered as `obs_fold`),
passages cut and marked in Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Contains

from .. import searchtext
from ..models import Actor, Citation, Involvement, Label, Milestone, Mission, Source, Workstream

CONFIG = "fr_unaccent"
PER_KIND = 10
# Where each kind's words are: (title, body). The missions', workstreams' and quotes' are the
# expressions migration 0005 indexes; the others have no index yet (see docs/architecture.md).
FIELDS: dict[str, tuple[str, str]] = {
    "missions": ("title", "summary"),
    "workstreams": ("title", "summary"),
    "milestones": ("title", "comment"),
    "actors": ("name", "description"),
    "labels": ("name", "description"),
    "sources": ("title", "text"),
    "citations": ("quote", "quote"),
}


class TextQuery(SearchQuery):
    """`websearch_to_tsquery` (quoted phrases, "or", "-word"), each lexeme then made a prefix:
    its text form quotes every lexeme, and only a closing quote is followed by a space or the
    end, where `:*` goes. Cast, not `to_tsquery`: the lexemes are already stemmed."""

    def __init__(self, q: str) -> None:
        super().__init__(q, config=CONFIG, search_type="websearch")

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = super().as_sql(compiler, connection, **extra)
        return (
            f"regexp_replace(({sql})::text, %s, %s, 'g')::tsquery",
            [*params, r"'(\s|$)", r"':*\1"],
        )


class Fold(Func):
    """`searchtext.fold` in SQLite (`obs_fold`, registered on each connection)."""

    function = "obs_fold"
    output_field = TextField()


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _folded_match(fields: tuple[str, ...], q: str) -> Q:
    """Every word of `q` in one of `fields`, both sides folded (SQLite). No word: nothing."""
    terms = searchtext.words(q)
    if not terms:
        return Q(pk__in=[])
    match = Q()
    for term in terms:
        match &= Q(*(Contains(Fold(F(name)), term) for name in fields), _connector=Q.OR)
    return match


def search_matches(model: type[Any], fields: tuple[str, ...], q: str) -> QuerySet[Any]:
    """Rows of `model` whose `fields` match `q`. On PostgreSQL the expression is the one
    migration 0005 indexes (for missions, workstreams and quotes): change both together."""
    fields = tuple(dict.fromkeys(fields))  # a quote is its own title: named once
    if _postgresql():
        vector = SearchVector(*fields, config=CONFIG)
        return model.objects.annotate(v=vector).filter(v=TextQuery(q))
    return model.objects.filter(_folded_match(fields, q))


def _citations_missions(citations: QuerySet[Citation]) -> QuerySet[Any]:
    """The mission of each citation, whichever of its targets it supports (one query); a
    link's is the mission that states it."""
    return citations.annotate(
        target_mission=Coalesce(
            "mission_id",
            "workstream__mission_id",
            "milestone__mission_id",
            "involvement__mission_id",
            "link__from_mission_id",
        )
    ).values("target_mission")


def mission_matches(q: str) -> Q:
    """Missions `q` reaches: by their own words, their workstreams', milestones', actors' and
    labels', their quotes, and the text of the sources they list."""

    def matching(kind: str, model: type[Any]) -> QuerySet[Any]:
        return search_matches(model, FIELDS[kind], q)

    quotes = Citation.objects.filter(pk__in=matching("citations", Citation).values("pk"))
    # A source through the mission's list of sources only, not through every quote of it:
    # mapping the thousands of quotes of matching sources to their missions cost ten times
    # the rest of the search, for nothing in practice (a document lists what it quotes).
    sources = Mission.sources.through.objects.filter(
        source__in=matching("sources", Source).values("pk")
    )
    return (
        Q(pk__in=matching("missions", Mission).values("pk"))
        | Q(pk__in=matching("workstreams", Workstream).values("mission_id"))
        | Q(pk__in=matching("milestones", Milestone).values("mission_id"))
        | Q(
            pk__in=Involvement.objects.filter(
                actor__in=matching("actors", Actor).values("pk")
            ).values("mission_id")
        )
        | Q(
            pk__in=Mission.labels.through.objects.filter(
                label__in=matching("labels", Label).values("pk")
            ).values("mission_id")
        )
        | Q(pk__in=sources.values("mission_id"))
        | Q(pk__in=_citations_missions(quotes))
    )


@dataclass(frozen=True)
class ResultGroup:
    kind: str  # a key of FIELDS
    total: int
    # Rows of the kind's model, each with `title_html` and `passage_html` (marked, escaped);
    # a mission also has `own` (found by its own words) and, found through one of its
    # sources instead, `via_source_key` and `via_source_title` (the passage is the source's).
    rows: list[Any]


@dataclass(frozen=True)
class SearchResults:
    q: str
    groups: list[ResultGroup]  # the kinds with results, in FIELDS' order

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


def _bases() -> dict[str, QuerySet[Any]]:
    return {
        "missions": Mission.objects.all(),
        "workstreams": Workstream.objects.select_related("mission"),
        "milestones": Milestone.objects.select_related("mission", "workstream"),
        "actors": Actor.objects.all(),
        "labels": Label.objects.all(),
        "sources": Source.objects.defer("text") if _postgresql() else Source.objects.all(),
        "citations": Citation.objects.select_related(
            "source",
            "mission",
            "workstream__mission",
            "milestone__mission",
            "involvement__actor",
            "involvement__mission",
            "link__from_mission",
            "link__to_mission",
        ).defer("source__text"),
    }


def site_search(q: str, *, per_kind: int = PER_KIND) -> SearchResults:
    """The search page: for each kind, its best `per_kind` rows and their count, one query a
    kind (seven; eight on SQLite, whose missions found through a source need their passage)."""
    groups = []
    for kind, base in _bases().items():
        if _postgresql():
            rows = _pg_rows(kind, base, q, per_kind)
        else:
            rows = _sqlite_rows(kind, base, q, per_kind)
        if rows:
            groups.append(ResultGroup(kind, rows[0].total, rows))
    return SearchResults(q, groups)


_MARKERS: dict[str, Any] = {"start_sel": searchtext.START, "stop_sel": searchtext.STOP}
# A passage: up to two fragments of 15 to 35 words around what matched.
_PASSAGE: dict[str, Any] = {
    "max_words": 35,
    "min_words": 15,
    "max_fragments": 2,
    "fragment_delimiter": " … ",
}


def _pg_rows(kind: str, base: QuerySet[Any], q: str, limit: int) -> list[Any]:
    title, body = FIELDS[kind]
    query = TextQuery(q)
    vector = SearchVector(*dict.fromkeys((title, body)), config=CONFIG)  # a quote: once
    found = base.annotate(v=vector)
    found = found.filter(mission_matches(q)) if kind == "missions" else found.filter(v=query)
    passage = SearchHeadline(body, query, config=CONFIG, **_PASSAGE, **_MARKERS)
    if kind == "missions":
        # Found through a source, not its own words: that source's passage. Only the rows
        # shown are asked (the planner evaluates these after the LIMIT).
        via = (
            Source.objects.filter(missions=OuterRef("pk"))
            .annotate(sv=SearchVector("title", "text", config=CONFIG))
            .filter(sv=query)
            .order_by("published_on", "pk")
        )

        def unless_own(value: Any) -> Case:
            return Case(When(v=query, then=Value(None)), default=Subquery(value[:1]))

        found = found.annotate(
            own=Case(When(v=query, then=Value(True)), default=Value(False)),
            via_source_key=unless_own(via.values("key")),
            via_source_title=unless_own(via.values("title")),
            via_source_passage=unless_own(
                via.annotate(
                    h=SearchHeadline("text", query, config=CONFIG, **_PASSAGE, **_MARKERS)
                ).values("h")
            ),
        )
    found = found.annotate(
        total=Window(Count("pk")),
        rank=SearchRank(F("v"), query),
        title_hl=SearchHeadline(title, query, config=CONFIG, highlight_all=True, **_MARKERS),
        passage_hl=passage,
    ).order_by("-rank", title, "pk")
    rows = list(found[:limit])
    for row in rows:
        row.title_html = searchtext.marked(row.title_hl)
        row.passage_html = searchtext.marked(row.passage_hl)
        if getattr(row, "via_source_key", None):
            row.passage_html = searchtext.marked(row.via_source_passage)
    return rows


def _sqlite_rows(kind: str, base: QuerySet[Any], q: str, limit: int) -> list[Any]:
    title, body = FIELDS[kind]
    own = _folded_match((title, body), q)
    if kind == "missions":
        found = base.filter(mission_matches(q)).annotate(
            own=Case(When(own, then=Value(True)), default=Value(False))
        )
    else:
        found = base.filter(own)
    rows = list(found.annotate(total=Window(Count("pk"))).order_by(title, "pk")[:limit])
    terms = searchtext.words(q)
    for row in rows:
        row.title_html = searchtext.excerpt(getattr(row, title), terms)
        row.passage_html = searchtext.excerpt(getattr(row, body), terms, size=240)
        row.via_source_key = None
    if kind == "missions":
        _sqlite_via_sources([row for row in rows if not row.own], q, terms)
    return rows


def _sqlite_via_sources(rows: list[Any], q: str, terms: list[str]) -> None:
    """The passage of a source, for missions found without their own words (one query)."""
    if not rows:
        return
    by_pk = {row.pk: row for row in rows}
    through = Mission.sources.through.objects.filter(
        mission_id__in=by_pk, source__in=search_matches(Source, FIELDS["sources"], q)
    ).select_related("source")
    for link in through.order_by("source__published_on", "source_id"):
        row = by_pk[link.mission_id]
        if not row.via_source_key:
            row.via_source_key = link.source.key
            row.via_source_title = link.source.title
            row.passage_html = searchtext.excerpt(link.source.text, terms, size=240)

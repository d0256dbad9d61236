"""Dormancy ("sans nouvelles"): missions the Observatoire has heard nothing of for longer
than their rhythm."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)

from ..models import NEWS_VIA, Milestone, Mission, Workstream

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class NewsAnnotations(TypedDict):
    """What with_news adds to each mission."""

    last_news_on: dt.date
    last_news_precision: str  # a source's month or year, or "day"
    no_news: bool


class DaysBefore(Func):
    """`day` minus a number of days read from a column, as a date, on both databases."""

    output_field = DateField()

    def __init__(self, day: dt.date, days: Any) -> None:
        super().__init__(Value(day, output_field=DateField()), days)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # date - integer is a date.
        return self.as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner="::date - ", **extra
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite stores dates as ISO text and shifts them with date()'s modifiers.
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '-' || ",
            **extra,
        )


def with_news(
    missions: QuerySet[Mission], today: dt.date
) -> QuerySet[WithAnnotations[Mission, NewsAnnotations]]:
    """Annotate `last_news_on`, its precision and `no_news` ("sans nouvelles").

    The last news of a mission is the later of its latest source's publication date and the
    latest change a person made to it, its workstreams or its milestones (the history, via an
    edit or the admin). A mission has no news when that day is more than `rhythm_days` ago.
    Its precision is the source's when the news is a source dated to the month or the year
    (stored as its first day), so that "janvier 2014" is never shown as 1 January."""
    from django.db.models.functions import Coalesce, Greatest, TruncDate

    from ..models import HistoryEntry, Source

    sources = Source.objects.filter(missions=OuterRef("pk")).order_by(
        "-published_on",
        "published_precision",  # the same first day: "day" < "month" < "year"
    )
    latest_source = sources.values("published_on")[:1]
    mine = OuterRef(OuterRef("pk"))
    latest_change = (
        HistoryEntry.objects.filter(via__in=NEWS_VIA)
        .filter(
            Q(table_name=Mission._meta.db_table, row_id=OuterRef("pk"))
            | Q(
                table_name=Workstream._meta.db_table,
                row_id__in=Workstream.objects.filter(mission=mine).values("pk"),
            )
            | Q(
                table_name=Milestone._meta.db_table,
                row_id__in=Milestone.objects.filter(mission=mine).values("pk"),
            )
        )
        .order_by("-at")
        .values("at")[:1]
    )
    changed_on = Coalesce(
        TruncDate(Subquery(latest_change, output_field=DateTimeField())),
        Value(dt.date.min, output_field=DateField()),
    )
    return missions.annotate(
        last_news_on=Greatest(
            # A mission with no source yet counts from its creation.
            Coalesce(Subquery(latest_source), TruncDate("created_at")),
            changed_on,
            output_field=DateField(),
        )
    ).annotate(
        last_news_precision=Case(
            When(
                Q(last_news_on=Subquery(latest_source)) & Q(last_news_on__gt=changed_on),
                then=Subquery(sources.values("published_precision")[:1]),
            ),
            default=Value("day"),
            output_field=CharField(),
        ),
        no_news=ExpressionWrapper(
            Q(last_news_on__lt=DaysBefore(today, F("rhythm_days"))), output_field=BooleanField()
        ),
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
    total: int = rows[0].total if rows else 0
    # Annotated missions are missions; only the list's invariance needs telling.
    return cast(list[Mission], rows), total

"""The timeline (the frise, in the interface): every milestone of a page of missions on one time axis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import get_language

from .. import dates
from ..models import Milestone, Mission, MissionLink, Precision, Workstream
from .health import SHOWN_DUE_FIELDS, with_current_health
from .missions import _cursor

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
class Thread:
    """A mission row's link to another row: « ↳ remplace Plan Cloud », to that row when it is
    on the same page, else to the mission's page."""

    words: StrOrPromise
    other: Mission
    on_page: bool


@dataclass(frozen=True)
class TimelineRow:
    mission: Mission
    workstream: Workstream | None
    bars: list[Bar]
    threads: list[Thread] = field(default_factory=list)  # a mission's row: what it states


@dataclass(frozen=True)
class Timeline:
    start: dt.date
    end: dt.date
    ticks: list[tuple[float, str]]  # (percent, label)
    today: float | None  # percent, None when today is off the axis
    rows: list[TimelineRow]
    missions_total: int
    next_cursor: str | None


TIMELINE_FIRST_YEAR = 2013


@dataclass(frozen=True)
class Axis:
    """The frise's axis: all years from 2013 to two years after `today`, or one year by
    quarter; where a day stands on it, in percent."""

    start: dt.date
    end: dt.date
    ticks_at: list[tuple[dt.date, str]]

    @classmethod
    def of(cls, today: dt.date, year: int | None) -> Axis:
        if year is not None:
            quarters = [
                (dt.date(year, m, 1), dates.quarter_tick((m - 1) // 3 + 1, get_language()))
                for m in (1, 4, 7, 10)
            ]
            return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), quarters)
        # A day before 2011 (the frise "as known on" it) still gets the axis's first years.
        last = max(today.year, TIMELINE_FIRST_YEAR) + 2
        start, end = dt.date(TIMELINE_FIRST_YEAR, 1, 1), dt.date(last, 12, 31)
        return cls(
            start, end, [(dt.date(y, 1, 1), str(y)) for y in range(start.year, end.year + 1)]
        )

    def at(self, day: dt.date) -> float:
        span = (self.end - self.start).days + 1
        return max(0.0, min(100.0, (day - self.start).days / span * 100))

    def ticks(self) -> list[tuple[float, str]]:
        return [(self.at(day), text) for day, text in self.ticks_at]

    def today(self, today: dt.date) -> float | None:
        return self.at(today) if self.start <= today <= self.end else None

    def bars(self, milestones: Iterable[Milestone]) -> dict[tuple[int, int | None], list[Bar]]:
        """Each dated milestone's bar, by (mission, workstream) row, in the order given."""
        by_row: dict[tuple[int, int | None], list[Bar]] = {}
        for m in milestones:
            assert m.due_start is not None and m.due_end is not None
            left, right = self.at(m.due_start), self.at(m.due_end + dt.timedelta(days=1))
            is_point = m.due_precision == Precision.DAY
            by_row.setdefault((m.mission_id, m.workstream_id), []).append(
                Bar(m, left, 0.0 if is_point else max(right - left, 0.3), is_point)
            )
        return by_row


def timeline(
    today: dt.date,
    *,
    label: str = "",
    year: int | None = None,
    after: tuple[str, int] | None = None,
    missions_per_page: int = 5,
) -> Timeline:
    """Rows of one page of missions (and their workstreams) with their milestones placed on
    the axis: all years from 2013 to two years after today, or one year by quarter."""
    axis = Axis.of(today, year)
    start, end = axis.start, axis.end
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
        *SHOWN_DUE_FIELDS,
        "status",
        "mission_id",
        "workstream_id",
    )
    # By the end of each window, what its words mean ("d'ici fin 2027" after "mars 2027");
    # due_start__lte and due_end__gte above leave out the milestones with no window.
    by_row = axis.bars(milestones.order_by("due_end", "due_start", "pk"))
    # The threads between rows: each mission's own statements (the later plan says it
    # continues or replaces the earlier), one query.
    shown = {m.pk for m in page}
    threads: dict[int, list[Thread]] = {}
    for link in MissionLink.objects.filter(from_mission__in=page).select_related("to_mission"):
        threads.setdefault(link.from_mission_id, []).append(
            Thread(link.get_kind_display(), link.to_mission, link.to_mission_id in shown)
        )
    rows: list[TimelineRow] = []
    for mission in page:
        rows.append(
            TimelineRow(
                mission, None, by_row.get((mission.pk, None), []), threads.get(mission.pk, [])
            )
        )
        # A workstream with nothing in the window would be an empty line: left out. The
        # mission's own row stays, so that every mission of the page is named.
        for ws in (w for w in workstreams if w.mission_id == mission.pk):
            if (mission.pk, ws.pk) in by_row:
                rows.append(TimelineRow(mission, ws, by_row[(mission.pk, ws.pk)]))
    return Timeline(
        start=start,
        end=end,
        ticks=axis.ticks(),
        today=axis.today(today),
        rows=rows,
        missions_total=total,
        next_cursor=_cursor(page[-1]) if more else None,
    )

"""The pages "as known on" a day (`?au=AAAA-MM-JJ`): the dashboard, a mission, a milestone and
the frise as they stood at the end of that day, rebuilt from the history
(selectors/as_of.py), read-only; and the comparison of a mission between two days. The
dashboard, mission, milestone and frise views hand their requests with `au` over here."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .models import Milestone, Mission
from .pagecache import cached_page
from .selectors import as_of
from .selectors.timeline import TIMELINE_FIRST_YEAR, Axis, Timeline, TimelineRow


def _invalid(request: HttpRequest, message: str) -> HttpResponse:
    """A date that cannot be read, or in the future: a 400 page that says why."""
    return render(
        request, "initiatives/as_of_invalid.html", {"message": message, "status": 400}, status=400
    )


def _day(request: HttpRequest, name: str = "au") -> dt.date | HttpResponse:
    text = request.GET.get(name, "")
    today = timezone.localdate()
    day = as_of.parse_day(text, today)
    if day is None:
        try:
            future = dt.date.fromisoformat(text) > today
        except ValueError:
            future = False
        return _invalid(
            request,
            _("This date is in the future: the data can only be shown as known on a past day.")
            if future
            else _("This date cannot be read: write it as YYYY-MM-DD, for instance 2021-05-18."),
        )
    return day


def _context(day: dt.date, snapshot: as_of.AsOf, **more: object) -> dict[str, object]:
    return {"as_of": snapshot, "au": day.isoformat(), **more}


def dashboard(request: HttpRequest) -> HttpResponse:
    day = _day(request)
    if isinstance(day, HttpResponse):
        return day
    (snapshot,) = as_of.snapshots([day])
    health = Counter(as_of.health(m) for m in snapshot.milestones)
    status = Counter(m.status for m in snapshot.missions)
    open_ = [m for m in snapshot.milestones if m.status in ("planned", "in_progress")]
    return render(
        request,
        "initiatives/as_of_dashboard.html",
        _context(
            day,
            snapshot,
            missions_by_status=[(s.label, status[s.value]) for s in Mission.Status],
            health=[(h.value, h.label, health[h.value]) for h in Milestone.Health],
            next_deadlines=[m for m in open_ if m.due_end and m.due_end >= day][:10],
            overdue=[m for m in snapshot.milestones if as_of.health(m) == "overdue"][:10],
            horizon_days=settings.DEADLINE_HORIZON_DAYS,
        ),
    )


def mission_detail(request: HttpRequest, key: str) -> HttpResponse:
    day = _day(request)
    if isinstance(day, HttpResponse):
        return day
    mission_id = as_of.mission_id_for(key)
    if mission_id is None:
        raise Http404
    (snapshot,) = as_of.snapshots([day], mission_id)
    if not snapshot.missions:
        return _not_yet(request, day, snapshot)
    for workstream in snapshot.workstreams:
        workstream.milestone_list = [  # type: ignore[attr-defined]
            m for m in snapshot.milestones if m.workstream_id == workstream.pk
        ]
    own = [m for m in snapshot.milestones if m.workstream_id is None]
    return render(
        request,
        "initiatives/as_of_mission.html",
        _context(day, snapshot, mission=snapshot.missions[0], own_milestones=own),
    )


def milestone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    day = _day(request)
    if isinstance(day, HttpResponse):
        return day
    mission_id = as_of.milestone_mission_id(pk)
    if mission_id is None:
        raise Http404
    (snapshot,) = as_of.snapshots([day], mission_id)
    milestone = next((m for m in snapshot.milestones if m.pk == pk), None)
    if milestone is None:
        return _not_yet(request, day, snapshot)
    slips = [s for s in snapshot.slips if s.milestone_id == pk]
    return render(
        request,
        "initiatives/as_of_milestone.html",
        _context(
            day,
            snapshot,
            milestone=milestone,
            slips=slips,
            total_delay=sum((s.delay for s in slips), dt.timedelta()),
        ),
    )


def _not_yet(request: HttpRequest, day: dt.date, snapshot: as_of.AsOf) -> HttpResponse:
    """Asked of a row that did not exist on that day: a 404 that says so."""
    return render(
        request, "initiatives/as_of_absent.html", _context(day, snapshot, status=404), status=404
    )


def timeline(request: HttpRequest) -> HttpResponse:
    day = _day(request)
    if isinstance(day, HttpResponse):
        return day
    (snapshot,) = as_of.snapshots([day])
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    if year is not None and not TIMELINE_FIRST_YEAR <= year <= day.year + 2:
        year = None
    view = "table" if request.GET.get("view") == "table" else "chart"
    query = {"au": day.isoformat(), "year": year or "", "view": "table" if view == "table" else ""}
    # A TemplateResponse: to an HTMX request, the frise's view answers its region alone.
    return TemplateResponse(
        request,
        "initiatives/timeline.html",
        _context(
            day,
            snapshot,
            view=view,
            query=urlencode({k: v for k, v in query.items() if v}),
            timeline=_axis(snapshot, year),
            labels=[],
            label="",
            year=year,
            years=range(TIMELINE_FIRST_YEAR, max(day.year, TIMELINE_FIRST_YEAR) + 3),
        ),
    )


def _axis(snapshot: as_of.AsOf, year: int | None) -> Timeline:
    """The frise of every mission known that day, one page, with the day as "today"."""
    axis = Axis.of(snapshot.day, year)
    shown = [
        m
        for m in snapshot.milestones
        if m.due_start and m.due_end and m.due_start <= axis.end and m.due_end >= axis.start
    ]
    by_row = axis.bars(sorted(shown, key=lambda m: (m.due_end, m.due_start, m.pk)))
    rows: list[TimelineRow] = []
    for mission in snapshot.missions:
        rows.append(TimelineRow(mission, None, by_row.get((mission.pk, None), [])))
        for ws in (w for w in snapshot.workstreams if w.mission_id == mission.pk):
            if (mission.pk, ws.pk) in by_row:
                rows.append(TimelineRow(mission, ws, by_row[(mission.pk, ws.pk)]))
    return Timeline(
        start=axis.start,
        end=axis.end,
        ticks=axis.ticks(),
        today=axis.today(snapshot.day),
        rows=rows,
        missions_total=len(snapshot.missions),
        next_cursor=None,
    )


@require_safe
@cached_page(params=("du", "au"))
def mission_compare(request: HttpRequest, key: str) -> HttpResponse:
    """What moved in a mission between two days (`du`, `au`; by default a year ago and today)."""
    today = timezone.localdate()
    mission_id = as_of.mission_id_for(key)
    if mission_id is None:
        raise Http404
    days: list[dt.date] = []
    for name, default in (("du", today.replace(day=1) - dt.timedelta(days=365)), ("au", today)):
        if not request.GET.get(name):
            days.append(default)
            continue
        day = _day(request, name)
        if isinstance(day, HttpResponse):
            return day
        days.append(day)
    earlier, later = sorted(days)
    found = as_of.compare(mission_id, earlier, later)
    if found is None:
        raise Http404
    return render(
        request,
        "initiatives/mission_compare.html",
        {"comparison": found, "du": earlier.isoformat(), "au": later.isoformat(), "key": key},
    )

"""Calendars of deadlines (iCalendar, RFC 5545 and RFC 7986), written by the `icalendar`
package: one event per dated milestone, all day long over its whole due window.

- The window is the event: DTSTART;VALUE=DATE is its first day, DTEND the day after its last
  (RFC 5545's end is exclusive), so « 12 mars 2026 » is one day, « mars 2026 » the month,
  « T2 2026 » the quarter, « fin 2025 » its last quarter. An undated milestone has no day to
  show and is left out (the selectors keep dated ones only).
- The words stay verbatim in the description, with the health as of today and the declared
  status in the site's language, the workstream, the mission and the page's address.
- STATUS: CANCELLED for a cancelled milestone; TENTATIVE while it is still to be delivered
  (planned, in progress), since the date is a promise, not a fact; CONFIRMED once the
  window is history (done or missed). Every event is TRANSPARENT: a deadline does not make
  its reader busy.
- The bytes depend on the data only: DTSTAMP is when the data version last changed (not the
  time of the request), every UID is fixed (`jalon-<pk>@<host>`), so two requests between
  two writes get the same file, which the ETag (initiatives.conditional) vouches for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from .models import Milestone, Mission

PRODID = "-//Observatoire de la souveraineté numérique//Échéances//FR"
# How often calendar applications are asked to fetch again (RFC 7986, and Outlook's name).
REFRESH = dt.timedelta(hours=6)
TIMEZONE = "Europe/Paris"
_SINCE_EVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def event_status(milestone: Milestone) -> str:
    S = Milestone.Status
    if milestone.status == S.CANCELLED:
        return "CANCELLED"
    if milestone.status in (S.PLANNED, S.IN_PROGRESS):
        return "TENTATIVE"
    return "CONFIRMED"


def _description(milestone: Milestone, link: str, health: str) -> str:
    workstream = milestone.workstream
    lines = [
        _("Deadline, as written: « %(words)s »") % {"words": milestone.due_text},
        _("Health: %(health)s") % {"health": Milestone.Health(health).label},
        _("Declared status: %(status)s") % {"status": milestone.get_status_display()},
        _("Workstream: %(title)s") % {"title": workstream.title}
        if workstream is not None
        else _("Milestone of the mission as a whole"),
        _("Mission: %(title)s") % {"title": milestone.mission.title},
        link,
    ]
    return "\n".join(lines)


def milestone_event(milestone: Milestone, stamp: dt.datetime, with_mission: bool) -> Event:
    """The all-day event of one dated milestone (annotated with `current_health`)."""
    assert milestone.due_start is not None and milestone.due_end is not None  # dated only
    link = settings.SITE_URL + reverse("initiatives:milestone", args=[milestone.pk])
    health = getattr(milestone, "current_health", milestone.health)
    summary = milestone.title
    if with_mission:
        summary = _("%(title)s (%(mission)s)") % {
            "title": milestone.title,
            "mission": milestone.mission.title,
        }
    return Event.new(
        uid=f"jalon-{milestone.pk}@{host()}",
        stamp=_utc(stamp),
        start=milestone.due_start,
        end=milestone.due_end + dt.timedelta(days=1),
        summary=summary,
        description=_description(milestone, link, health),
        url=link,
        last_modified=_utc(milestone.updated_at),
        categories=[health, milestone.mission.key],
        status=event_status(milestone),  # type: ignore[arg-type]
        transparency="TRANSPARENT",  # type: ignore[arg-type]
    )


def build(
    milestones: Iterable[Milestone],
    *,
    name: str,
    uid: str,
    stamp: dt.datetime | None,
    with_mission: bool = False,
) -> bytes:
    """The calendar `name` of these milestones, as bytes (UTF-8, CRLF lines). `stamp`: when
    the data last changed (None: the latest change of a milestone listed)."""
    listed = list(milestones)
    if stamp is None:
        stamp = max((m.updated_at for m in listed), default=_SINCE_EVER)
    calendar = Calendar.new(prodid=PRODID, name=name, uid=f"{uid}@{host()}")
    calendar.add("X-WR-TIMEZONE", TIMEZONE)
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    for milestone in listed:
        calendar.add_component(milestone_event(milestone, stamp, with_mission))
    return calendar.to_ical()


def mission_calendar(
    mission: Mission, milestones: Iterable[Milestone], stamp: dt.datetime | None
) -> bytes:
    return build(
        milestones,
        name=_("Deadlines: %(title)s") % {"title": mission.title},
        uid=f"echeances-{mission.key}",
        stamp=stamp,
    )


def user_calendar(user: Any, milestones: Iterable[Milestone], stamp: dt.datetime | None) -> bytes:
    return build(
        milestones,
        name=_("My deadlines — %(site)s") % {"site": _("Digital Sovereignty Observatory")},
        uid=f"mes-echeances-{user.pk}",
        stamp=stamp,
        with_mission=True,
    )

"""The one way templates write a date: {{ value|when:"options" }}, in the active language,
written by initiatives.dates (see there for the typography).

The value is a date, a datetime, a periods.Period, or an object with a period named by the
first option that is not a word below: `{{ m|when:"due" }}` reads m.due_start, m.due_end,
m.due_precision and m.due_text; `{{ source|when:"published" }}` reads published_on and
published_precision; `{{ mission|when:"last_news" }}` last_news_on and last_news_precision;
`{{ alert|when:"deadline" }}` an alert's deadline, at the precision of its milestone's
window when that window still ends there.

Options, separated by spaces: a precision (day, month, season, quarter, half, year) for a
bare date; "short" (abbreviated months, "T2", "S1"); "end" (the end of the window: "fin
2027"); "by" (as a deadline, whatever the words: "d’ici fin 2027", "d’ici le 1er avril"); "on" (with its preposition: "le 1er avril 2027", "en janvier 2014"); "ago" (relative
to today: "il y a 1 an"); "time" (a datetime with its time); "weekday" (a day with its
weekday).

Dates are returned as plain text, escaped by the template like any other value; `{% for
year, items in milestones|chronology %}` groups milestones under the year their window
belongs to (a deadline under the year it ends in)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django import template
from django.utils import timezone, translation

from initiatives import dates, periods

register = template.Library()

_FLAGS = {"short", "end", "by", "on", "ago", "time", "weekday"}


@register.filter
def when(value: Any, options: str = "") -> str:
    """A date, a window or a moment as the interface writes it (see the module)."""
    words = str(options).split()
    flags = {word for word in words if word in _FLAGS}
    precision = next((word for word in words if word in dates.PRECISIONS), "day")
    field = next((w for w in words if w not in _FLAGS and w not in dates.PRECISIONS), "")
    lang = translation.get_language()
    short = "short" in flags
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if "time" in flags:
            return dates.moment(value, lang, short=short)
        value = value.date()
    if isinstance(value, dt.date):
        window: dates.Window | None = dates.Window.around(value, precision)
    elif isinstance(value, periods.Period):
        window = dates.Window(
            value.start, value.end, value.precision.value, periods.names_deadline(value.text)
        )
    elif value is None or value == "" or not field:
        return ""
    else:
        window = _window_of(value, field)
    if window is None:
        return ""
    if "ago" in flags:
        return dates.relative(window.start, timezone.localdate(), lang, window.precision)
    if window.precision == "day" and window.start == window.end and "weekday" in flags:
        return dates.day(window.start, lang, short=short, weekday=True)
    if "by" in flags:
        window = dataclasses.replace(window, deadline=True)
    form: dates.Form = "end" if "end" in flags else "on" if "on" in flags else "plain"
    return dates.window(window, lang, short=short, form=form)


def _window_of(obj: Any, field: str) -> dates.Window | None:
    """The window `obj` holds under `field`."""
    if field == "deadline":
        return _alert_deadline(obj)
    start = getattr(obj, f"{field}_start", None) or getattr(obj, f"{field}_on", None)
    if not isinstance(start, dt.date):
        return None
    if isinstance(start, dt.datetime):
        start = start.date()
    end = getattr(obj, f"{field}_end", None) or start
    precision = getattr(obj, f"{field}_precision", "") or "day"
    text = getattr(obj, f"{field}_text", "") or ""
    if not hasattr(obj, f"{field}_end"):  # a date at a precision: the window it stands for
        window = dates.Window.around(start, precision)
    else:
        window = dates.Window(start, end, precision, periods.names_deadline(text))
    return window


def _alert_deadline(alert: Any) -> dates.Window | None:
    deadline = getattr(alert, "deadline", None)
    if not isinstance(deadline, dt.date):
        return None
    milestone = getattr(alert, "milestone", None)
    if milestone is not None and milestone.due_end == deadline and milestone.due_start:
        return dates.Window(milestone.due_start, deadline, milestone.due_precision or "day")
    return dates.Window(deadline, deadline)


@register.filter
def chronology(milestones: Any) -> list[tuple[int | None, list[Any]]]:
    """Milestones grouped under the year their due window belongs to, undated last."""
    return dates.chronology(
        milestones,
        lambda m: None
        if m.due_start is None
        else dates.Window(
            m.due_start, m.due_end, m.due_precision, periods.names_deadline(m.due_text)
        ),
    )

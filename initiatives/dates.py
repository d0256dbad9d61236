"""Dates as the interface writes them, French first: a day ("1er avril 2027"), a month
("avril 2027"), a season, a quarter ("T2 2027"), a half, a year, a deadline ("d’ici fin
2027"), a moment, a time relative to today ("il y a 1 an"), and the year a window belongs
to in a chronology. Pure standard library: the language is a parameter, "fr" or "en" (any
code starting with "en" is English; anything else is French, the site's language).

Conventions:

* A date is never shown finer than it is known: a window is written at its precision (a
  source of "janvier 2014" stays "janvier 2014", never "1 janvier 2014"). A window whose
  bounds do not fit its precision (an odd import) is written as its two days.
* French writes the first of a month "1er", abbreviates months as the CLDR and the DSFR do
  ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
  "nov.", "déc."), quarters "T2 2027" and halves "S1 2027" in short; English writes
  "1 April 2027", "Apr 2027", "Q2 2027", "H1 2027".
* Words that set a deadline ("d'ici fin 2027", "avant 2025") mean the end of their window:
  written "d’ici fin 2027" / "by the end of 2027", and placed in a chronology by that end.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, TypeVar

__all__ = [
    "Window",
    "chronology",
    "day",
    "language",
    "moment",
    "quarter_tick",
    "relative",
    "window",
    "year_of",
]

Lang = Literal["fr", "en"]
Form = Literal["plain", "end", "on"]
T = TypeVar("T")

PRECISIONS = ("day", "month", "season", "quarter", "half", "year")

_MONTHS: dict[Lang, tuple[str, ...]] = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_MONTHS_SHORT: dict[Lang, tuple[str, ...]] = {
    "fr": (
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
# The conventional seasons of periods.py, by (start month, start day): name, French
# article after "fin"/"la fin", French preposition for "in".
_SEASONS: dict[tuple[int, int], tuple[str, str, str, str]] = {
    (3, 20): ("printemps", "du printemps", "au printemps", "spring"),
    (6, 21): ("été", "de l’été", "en été", "summer"),
    (9, 22): ("automne", "de l’automne", "en automne", "autumn"),
    (12, 21): ("hiver", "de l’hiver", "en hiver", "winter"),
}
_SEASON_ENDS = {(3, 20): (6, 20), (6, 21): (9, 21), (9, 22): (12, 20), (12, 21): (3, 19)}
_ORDINALS_EN = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th"}
_ORDINALS_FR = {1: "1er", 2: "2e", 3: "3e", 4: "4e"}


def language(code: str | None) -> Lang:
    """The language of a Django language code: English for "en…", French otherwise."""
    return "en" if (code or "").lower().startswith("en") else "fr"


def month_names(lang: str | None = "fr") -> tuple[str, ...]:
    """The twelve months in full, January first."""
    return _MONTHS[language(lang)]


@dataclass(frozen=True, slots=True)
class Window:
    """An inclusive window at a precision (periods.Precision's values); `deadline`: its
    words set a deadline, so its end is what they mean."""

    start: dt.date
    end: dt.date
    precision: str = "day"
    deadline: bool = False

    @classmethod
    def around(cls, day: dt.date, precision: str = "day") -> Window:
        """The window of `precision` a stored day stands for: a source published in
        "janvier 2014" is stored as 2014-01-01 with month precision."""
        if precision == "month":
            last = calendar.monthrange(day.year, day.month)[1]
            return cls(day.replace(day=1), day.replace(day=last), "month")
        if precision == "year":
            return cls(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), "year")
        if precision == "quarter":
            first = (day.month - 1) // 3 * 3 + 1
            last = calendar.monthrange(day.year, first + 2)[1]
            return cls(dt.date(day.year, first, 1), dt.date(day.year, first + 2, last), "quarter")
        if precision == "half":
            first = 1 if day.month <= 6 else 7
            last = 30 if first == 1 else 31
            return cls(dt.date(day.year, first, 1), dt.date(day.year, first + 5, last), "half")
        return cls(day, day, "day")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# --- the shape of a window ------------------------------------------------------------------

Shape = tuple[str, int, int]  # (kind, number, year): ("quarter", 2, 2027), ("season", 0, …)


def _shape(w: Window) -> Shape:
    """What a window is, checked against its precision: ("day"|"month"|"quarter"|"half"|
    "mid"|"season"|"year"|"range", number, year). Season numbers index _SEASONS."""
    start, end, year = w.start, w.end, w.end.year
    if w.precision == "day" and start == end:
        return ("day", 0, year)
    if start.day == 1 and end.year == start.year:
        months = end.month - start.month + 1
        if end == _month_end(end.year, end.month):
            if w.precision == "month" and months == 1:
                return ("month", start.month, year)
            if w.precision == "quarter" and months == 3 and start.month in (1, 4, 7, 10):
                return ("quarter", (start.month - 1) // 3 + 1, year)
            if w.precision == "half" and months == 6 and start.month in (1, 7):
                return ("half", 1 if start.month == 1 else 2, year)
            if w.precision == "half" and months == 6 and start.month == 4:
                return ("mid", 0, year)  # "mi-2027": April to September
            if w.precision == "year" and months == 12:
                return ("year", 0, year)
    if w.precision == "season":
        key = (start.month, start.day)
        if key in _SEASON_ENDS and (end.month, end.day) == _SEASON_ENDS[key]:
            if end.year == start.year + (1 if key == (12, 21) else 0):
                return ("season", list(_SEASONS).index(key), year)
    return ("range", 0, year)


# --- days and moments ----------------------------------------------------------------------


def day(
    value: dt.date, lang: str | None = "fr", *, short: bool = False, weekday: bool = False
) -> str:
    """A day: "1er avril 2027", "17 mai 2021" ("1er avr. 2027" short); "1 April 2027"."""
    tongue = language(lang)
    months = _MONTHS_SHORT if short else _MONTHS
    number = "1er" if tongue == "fr" and value.day == 1 else str(value.day)
    text = f"{number} {months[tongue][value.month - 1]} {value.year}"
    if weekday:
        text = f"{_WEEKDAYS[tongue][value.weekday()]} {text}"
    return text


def moment(value: dt.datetime, lang: str | None = "fr", *, short: bool = False) -> str:
    """A day and a time: "22 septembre 2020 à 14 h 05"; "22 September 2020, 14:05"."""
    tongue = language(lang)
    on = day(value.date(), tongue, short=short)
    if tongue == "fr":
        return f"{on} à {value.hour} h {value.minute:02d}"
    return f"{on}, {value.hour:02d}:{value.minute:02d}"


# --- windows --------------------------------------------------------------------------------


def _season(shape: Shape, w: Window) -> tuple[tuple[str, str, str, str], str]:
    """A season's words (see _SEASONS) and its year: "2027", or "2026-2027" for a winter."""
    words = list(_SEASONS.values())[shape[1]]
    years = f"{w.start.year}-{w.end.year}" if w.start.year != w.end.year else str(w.end.year)
    return words, years


def _label(shape: Shape, w: Window, tongue: Lang, short: bool) -> str:
    kind, number, year = shape
    fr = tongue == "fr"
    if kind == "day":
        return day(w.start, tongue, short=short)
    if kind == "month":
        return f"{(_MONTHS_SHORT if short else _MONTHS)[tongue][number - 1]} {year}"
    if kind == "quarter":
        if fr:
            return f"T{number} {year}"
        return f"Q{number} {year}" if short else f"{_ORDINALS_EN[number]} quarter {year}"
    if kind == "half":
        if short:
            return f"{'S' if fr else 'H'}{number} {year}"
        if fr:
            return f"{_ORDINALS_FR[number]} semestre {year}"
        return f"{_ORDINALS_EN[number]} half {year}"
    if kind == "mid":
        return f"mi-{year}" if fr else f"mid-{year}"
    if kind == "season":
        words, years = _season(shape, w)
        return f"{words[0]} {years}" if fr else f"{words[3]} {years.replace('-', '–')}"
    if kind == "year":
        return str(year)
    return f"{day(w.start, tongue, short=short)} – {day(w.end, tongue, short=short)}"


def _end(shape: Shape, w: Window, tongue: Lang, short: bool, *, article: bool = False) -> str:
    """The end of a window at its precision: "fin 2027", "fin avril 2027", "fin T2 2027",
    "(la) fin du 1er semestre 2027", "(the) end of Q2 2027"; a day as itself, an odd
    window as its last day."""
    kind = shape[0]
    if kind == "range":
        return day(w.end, tongue, short=short)
    if kind in ("day", "mid"):
        return _label(shape, w, tongue, short)
    if tongue == "en":
        # "end of the 2nd quarter 2027" reads badly: quarters and halves are Q2, H1 here.
        label = _label(shape, w, tongue, short or kind in ("quarter", "half"))
        return f"{'the ' if article else ''}end of {label}"
    the = "la " if article else ""
    if kind == "season":
        words, years = _season(shape, w)
        return f"{the}fin {words[1]} {years}"
    if kind == "half" and not short:
        return f"{the}fin du {_label(shape, w, tongue, short)}"
    return f"fin {_label(shape, w, tongue, short)}"


def _on(shape: Shape, w: Window, tongue: Lang, short: bool) -> str:
    """A window with its preposition: "le 1er avril 2027", "en avril 2027", "au T2 2027",
    "au printemps 2027", "en été 2027"; "on 1 April 2027", "in April 2027", "in Q2 2027"."""
    kind = shape[0]
    if kind == "range":
        first, last = day(w.start, tongue, short=short), day(w.end, tongue, short=short)
        return f"du {first} au {last}" if tongue == "fr" else f"from {first} to {last}"
    if tongue == "en":
        label = _label(shape, w, tongue, short or kind in ("quarter", "half"))
        return f"on {label}" if kind == "day" else f"in {label}"
    label = _label(shape, w, tongue, short)
    if kind == "season":
        words, years = _season(shape, w)
        return f"{words[2]} {years}"
    preposition = {"day": "le", "quarter": "au", "half": "au", "mid": "à la"}.get(kind, "en")
    return f"{preposition} {label}"


def _by(shape: Shape, w: Window, tongue: Lang, short: bool) -> str:
    """A deadline: "d’ici fin 2027", "d’ici le 1er avril 2027", "d’ici la fin de l’été
    2027", "d’ici mi-2027"; "by the end of 2027", "by 1 April 2027", "by mid-2027"."""
    kind = shape[0]
    if kind in ("day", "range"):
        last = day(w.end, tongue, short=short)
        return f"d’ici le {last}" if tongue == "fr" else f"by {last}"
    end = _end(shape, w, tongue, short, article=True)
    return f"d’ici {end}" if tongue == "fr" else f"by {end}"


def window(w: Window, lang: str | None = "fr", *, short: bool = False, form: Form = "plain") -> str:
    """A window at its precision. `form`: "plain" ("avril 2027"; a deadline "d’ici fin
    2027"), "end" (its end: "fin 2027", a day as itself), "on" (with its preposition: "le
    1er avril 2027", "en avril 2027", "au T2 2027"; a deadline as in plain)."""
    tongue = language(lang)
    shape = _shape(w)
    if form == "end" or w.deadline:
        # Only the end counts: a deadline window that starts on the day its words were read
        # ("d'ici fin 2027" said in March) still ends at the end of 2027.
        whole = _ending(w)
        if whole is not None:
            w, shape = whole, _shape(whole)
    if form == "end":
        return _end(shape, w, tongue, short)
    if w.deadline:
        return _by(shape, w, tongue, short)
    if form == "on":
        return _on(shape, w, tongue, short)
    return _label(shape, w, tongue, short)


def _ending(w: Window) -> Window | None:
    """The whole month, quarter, half or year of `w`'s precision that ends where `w` ends,
    if any (a deadline keeps it)."""
    if w.precision not in ("month", "quarter", "half", "year"):
        return None
    whole = Window.around(w.end, w.precision)
    if whole.end != w.end:
        return None
    return Window(whole.start, whole.end, whole.precision, w.deadline)


def quarter_tick(number: int, lang: str | None = "fr") -> str:
    """A quarter on an axis of one year: "T2"; "Q2"."""
    return f"{'T' if language(lang) == 'fr' else 'Q'}{number}"


# --- relative times -------------------------------------------------------------------------

_UNITS: dict[Lang, dict[str, tuple[str, str]]] = {
    "fr": {
        "year": ("an", "ans"),
        "month": ("mois", "mois"),
        "week": ("semaine", "semaines"),
        "day": ("jour", "jours"),
    },
    "en": {
        "year": ("year", "years"),
        "month": ("month", "months"),
        "week": ("week", "weeks"),
        "day": ("day", "days"),
    },
}
_SAME: dict[Lang, dict[str, str]] = {
    "fr": {"day": "aujourd’hui", "month": "ce mois-ci", "year": "cette année"},
    "en": {"day": "today", "month": "this month", "year": "this year"},
}
_NEXT_DAY: dict[Lang, tuple[str, str]] = {"fr": ("hier", "demain"), "en": ("yesterday", "tomorrow")}


def _whole_months(earlier: dt.date, later: dt.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def relative(
    value: dt.date, today: dt.date, lang: str | None = "fr", precision: str = "day"
) -> str:
    """How long ago or ahead `value` is, in the largest whole unit, never finer than its
    precision: "il y a 1 an", "il y a 3 jours", "dans 2 mois", "hier", "aujourd’hui";
    a date of month precision counts in months ("ce mois-ci"), of year precision in years."""
    tongue = language(lang)
    if precision == "year":
        years = today.year - value.year
        if years == 0:
            return _SAME[tongue]["year"]
        return _counted(abs(years), "year", years > 0, tongue)
    if precision == "month":
        months = (today.year - value.year) * 12 + today.month - value.month
        if months == 0:
            return _SAME[tongue]["month"]
        unit, count = ("year", abs(months) // 12) if abs(months) >= 12 else ("month", abs(months))
        return _counted(count, unit, months > 0, tongue)
    days = (today - value).days
    if days == 0:
        return _SAME[tongue]["day"]
    if abs(days) == 1:
        return _NEXT_DAY[tongue][0 if days > 0 else 1]
    earlier, later = sorted((value, today))
    months = _whole_months(earlier, later)
    if months >= 12:
        unit, count = "year", months // 12
    elif months >= 1:
        unit, count = "month", months
    elif abs(days) >= 7:
        unit, count = "week", abs(days) // 7
    else:
        unit, count = "day", abs(days)
    return _counted(count, unit, days > 0, tongue)


def _counted(count: int, unit: str, past: bool, tongue: Lang) -> str:
    # French and English alike: 1 is singular, 2 and more plural (no 0 here).
    words = f"{count} {_UNITS[tongue][unit][0 if count == 1 else 1]}"
    if tongue == "fr":
        return f"il y a {words}" if past else f"dans {words}"
    return f"{words} ago" if past else f"in {words}"


# --- chronologies ---------------------------------------------------------------------------


def year_of(w: Window) -> int:
    """The year a window belongs to in a chronology: the year it ends in. A deadline means
    its end ("d'ici fin 2027" is 2027, not January 2027); a winter is named by the year it
    ends in, as periods.py reads "hiver 2022"; every other window lies within one year."""
    return w.end.year


def chronology(
    items: Iterable[T], window_of: Callable[[T], Window | None]
) -> list[tuple[int | None, list[T]]]:
    """Items grouped under the year their window belongs to, years in order, undated items
    last (under None); each group keeps the items' order."""
    groups: dict[int | None, list[T]] = {}
    for item in items:
        w = window_of(item)
        groups.setdefault(None if w is None else year_of(w), []).append(item)
    years = sorted(year for year in groups if year is not None)
    ordered: list[int | None] = [*years, *([None] if None in groups else [])]
    return [(year, groups[year]) for year in ordered]

"""Read French date expressions ("fin 2021", "à l'automne", "T4 2021") into date windows.

Every expression becomes a :class:`Period`: an inclusive window ``start..end`` plus a
:class:`Precision` saying how coarse the statement was. The reader never guesses: any
word it cannot account for raises :class:`PeriodParseError`. Pure standard library.

Conventions the rest of the project relies on:

* Matching ignores case, accents, typographic apostrophes, extra spaces and surrounding
  punctuation; ``Period.text`` keeps the caller's words untouched.
* Seasons are astronomical with fixed conventional dates: spring 03-20..06-20, summer
  06-21..09-21, autumn 09-22..12-20, winter 12-21..03-19. Winter crosses the year end:
  "hiver 2021-2022" and "hiver 2022" both mean 2021-12-21..2022-03-19 (a single year
  names the winter that ends in it).
* Year-less inference. A day, month, season, quarter or half without a year is read
  against the reference date (usually when the source was written). With
  ``tense="future"`` (the default) it is the next occurrence that has not ended at the
  reference ("en mars" read on 2020-08-05 is March 2021, "à l'automne" is autumn 2020).
  With ``tense="past"`` it is the latest occurrence that has started ("en mars" is
  March 2020). "prochain" / "dernier" after the name beat the tense: the first occurrence
  starting after the reference / the last one ended before it ("l'automne prochain").
  A year written in the text is always used as is.
* Parts. "début 2022" is Q1 and "fin 2021" is Q4 (precision quarter); "mi-2023" is
  April..September (precision half); "début/fin du second semestre" is its first/last
  quarter. Parts of a month ("début mars", "mi-mars", "fin mars") keep the whole month
  with month precision: nothing sits between day and month on our scale, and being
  lenient about lateness beats inventing a window. Parts of a season or quarter keep it.
* Deadlines. "d'ici", "au plus tard", "jusqu'à" mean "by": the window of what follows.
  With "fin" after a by/before word the deadline is the end of what follows, so the
  window is all of it: "avant fin 2021" and "d'ici fin 2021" are the whole year 2021.
* "avant" without "fin" means strictly before: the period of the same precision just
  preceding what follows ("avant 2025" is 2024, "avant mars 2014" is February 2014).
* Relative words ("hier", "le mois prochain", "l'an dernier", "dans 6 mois", "d'ici
  15 jours") count from the reference: days and weeks give the day reached, months the
  month reached, years the year reached.
"""

from __future__ import annotations

import calendar
import enum
import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal, NamedTuple, cast

__all__ = ["Period", "PeriodParseError", "Precision", "Tense", "names_deadline", "parse_period"]


class Precision(enum.StrEnum):
    """How coarse a period is; members are ordered finest first."""

    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


Tense = Literal["future", "past"]


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive date window read from ``text`` against ``reference``."""

    text: str
    start: date
    end: date
    precision: Precision
    reference: date

    def fields(self, prefix: str) -> dict[str, Any]:
        """The five stored columns of a period named `prefix` (due, launch)."""
        return {
            f"{prefix}_text": self.text,
            f"{prefix}_start": self.start,
            f"{prefix}_end": self.end,
            f"{prefix}_precision": self.precision.value,
            f"{prefix}_reference": self.reference,
        }


def same_window(
    text: str, reference: date | None, start: date | None, end: date | None
) -> Period | None:
    """`text` read against the day stored words were read against, if it names the same
    window (start, end): words edited without moving the date (a typo, an apostrophe) keep
    their reference, so "à l'automne" read in 2020 does not jump to this autumn."""
    if reference is None:
        return None
    for tense in ("future", "past"):
        try:
            period = parse_period(text, reference, tense=tense)
        except PeriodParseError:
            return None
        if (period.start, period.end) == (start, end):
            return period
    return None


_UNKNOWN = "unknown date expression"


class PeriodParseError(ValueError):
    """The text is not a date expression this module can read in full."""

    def __init__(self, text: str, reason: str = _UNKNOWN) -> None:
        self.text = text
        self.reason = reason
        separator = " " if reason == _UNKNOWN else ": "
        super().__init__(f'{reason}{separator}"{text}"')


_Mode = Literal["plain", "by", "before"]
_Part = Literal["debut", "mi", "fin"]
_Rule = Literal["future", "past", "next", "last"]
_ONE_DAY = timedelta(days=1)


class _Failure(Exception):
    """Raised deep in the reader, which does not know the caller's original text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Span:
    start: date
    end: date
    precision: Precision


_At = Callable[[int], _Span]


@dataclass(frozen=True, slots=True)
class _Reading:
    # A window as a function of the year, so year-less forms (and their parts) can be
    # tried against several years; winters are keyed by the year they start in.
    at: _At
    year: int | None  # None: inferred from the reference by the year-less rule
    rule: _Rule | None = None  # "prochain" / "dernier" in the text overrule the tense
    weekday: int | None = None  # checked only once the year is known: never pick a year


class _Context(NamedTuple):
    reference: date
    mode: _Mode


# --- calendar arithmetic -------------------------------------------------------------

_SIZES: dict[Precision, int] = {
    Precision.MONTH: 1,
    Precision.QUARTER: 3,
    Precision.HALF: 6,
    Precision.YEAR: 12,
}
_BY_SIZE: dict[int, Precision] = {size: precision for precision, size in _SIZES.items()}
_SEASONS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "printemps": ((3, 20), (6, 20)),
    "ete": ((6, 21), (9, 21)),
    "automne": ((9, 22), (12, 20)),
    "hiver": ((12, 21), (3, 19)),
}


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _months(first: int, count: int, precision: Precision) -> _Span:
    start_year, start_month = divmod(first, 12)
    end_year, end_month = divmod(first + count - 1, 12)
    last_day = calendar.monthrange(end_year, end_month + 1)[1]
    return _Span(
        date(start_year, start_month + 1, 1), date(end_year, end_month + 1, last_day), precision
    )


def _day(day: date) -> _Span:
    return _Span(day, day, Precision.DAY)


def _season(name: str, year: int) -> _Span:
    (start_month, start_day), (end_month, end_day) = _SEASONS[name]
    end_year = year + 1 if end_month < start_month else year
    return _Span(
        date(year, start_month, start_day), date(end_year, end_month, end_day), Precision.SEASON
    )


def _season_containing(day: date) -> _Span:
    for year in (day.year - 1, day.year):
        for name in _SEASONS:
            span = _season(name, year)
            if span.start <= day <= span.end:
                return span
    raise AssertionError("the four seasons tile the year")


def _with_part(span: _Span, part: _Part) -> _Span:
    if span.precision is Precision.DAY:
        raise _Failure("a day has no beginning, middle or end")
    # Our scale has nothing finer than a quarter above the month, so parts of a month,
    # season or quarter keep the whole window rather than invent one.
    if span.precision not in (Precision.HALF, Precision.YEAR):
        return span
    first, last = _month_index(span.start), _month_index(span.end)
    if part == "debut":
        return _months(first, 3, Precision.QUARTER)
    if part == "fin":
        return _months(last - 2, 3, Precision.QUARTER)
    if span.precision is Precision.YEAR:
        return _months(first + 3, 6, Precision.HALF)
    return span  # the middle of a half straddles its two quarters


def _preceding(span: _Span) -> _Span:
    end = span.start - _ONE_DAY
    if span.precision is Precision.DAY:
        return _day(end)
    if span.precision is Precision.SEASON:
        return _season_containing(end)
    size = _SIZES[span.precision]
    return _months(_month_index(span.start) - size, size, span.precision)


# --- year-less inference ---------------------------------------------------------------

_RULES: dict[_Rule, Callable[[_Span, date], bool]] = {
    "future": lambda span, reference: span.end >= reference,
    "past": lambda span, reference: span.start <= reference,
    "next": lambda span, reference: span.start > reference,
    "last": lambda span, reference: span.end < reference,
}


def _infer(at: _At, reference: date, rule: _Rule) -> _Span:
    spans: list[_Span] = []
    # Nine years each way so 29 February always finds a leap year.
    for year in range(reference.year - 9, reference.year + 10):
        try:
            spans.append(at(year))
        except ValueError:
            continue
    if not spans:
        raise _Failure("invalid date")
    fitting = [span for span in spans if _RULES[rule](span, reference)]
    if not fitting:
        raise _Failure("date out of range")
    pick = min if rule in ("future", "next") else max
    return pick(fitting, key=lambda span: span.start)


def _settle(reading: _Reading, reference: date, tense: Tense) -> _Span:
    if reading.year is None:
        span = _infer(reading.at, reference, reading.rule or tense)
    else:
        try:
            span = reading.at(reading.year)
        except ValueError:
            raise _Failure("invalid date") from None
    if reading.weekday is not None and span.start.weekday() != reading.weekday:
        raise _Failure("weekday does not match the date")
    return span


# --- normalisation -----------------------------------------------------------------------

# Web texts mix curly, modifier and backquote apostrophes and Unicode hyphens.
_TRANSLATION = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "`": "'",
        "\u02bc": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2013": "-",
    }
)
_SURROUNDING = " .,;:!?«»\"“”„'"
_ABBREVIATION = re.compile(r"\b(janv|fevr|fev|avr|juil|sept|oct|nov|dec)\.")
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z0-9])")
_APOSTROPHE = re.compile(r"\s*'\s*")
_ORDINAL_ONE = re.compile(r"\b(?:premiere?|1ere?|1re)\b")


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = _ABBREVIATION.sub(r"\1 ", folded.translate(_TRANSLATION))
    folded = " ".join(folded.split()).strip(_SURROUNDING)
    # "mi-2023", "avant-hier", "dix-huit" read as separate words; "2021-2022" stays whole.
    folded = _APOSTROPHE.sub("' ", _WORD_HYPHEN.sub(" ", folded))
    return " ".join(_ORDINAL_ONE.sub("1er", folded).split())


# --- prefixes ---------------------------------------------------------------------------

# Tried in order, so phrases come before the single words they begin with ("au plus
# tard" before "au"). "mois" is transparent only before "de" so "le mois prochain" and
# "fin du mois" still reach the core reader.
_PREFIXES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"(?:{words}) "), effect)
    for words, effect in (
        (r"d' ici|au plus tard|jusqu' (?:aux|au|a|en)", "by"),
        (r"avant(?! hier$)", "before"),  # "avant-hier" is a day of its own
        (r"debut", "debut"),
        (r"milieu|mi", "mi"),
        (r"fin", "fin"),
        (
            (
                r"dans le courant|au cours|aux alentours|autour|a partir|prevue?s?"
                r"|mois(?= (?:de|d') )"
            ),
            "plain",
        ),
        (r"en|courant|durant|pendant|pour|vers|des|aux|au|a|la|les|le|l'|du|de|d'", "plain"),
    )
)


def _next_prefix(text: str) -> tuple[str, str] | None:
    for pattern, effect in _PREFIXES:
        if match := pattern.match(text):
            return effect, text[match.end() :]
    return None


def _strip_prefixes(text: str) -> tuple[_Mode, _Part | None, str]:
    mode: _Mode = "plain"
    part: _Part | None = None
    while (found := _next_prefix(text)) is not None:
        effect, text = found
        if effect in ("by", "before"):
            # "d'ici avant 2025" or "fin d'ici 2025" have no single reading.
            if part is not None or mode not in ("plain", effect):
                raise _Failure("conflicting prefixes")
            mode = cast(_Mode, effect)
        elif effect != "plain":
            if part is not None:
                raise _Failure("conflicting prefixes")
            part = cast(_Part, effect)
    return mode, part, text


# --- core forms -------------------------------------------------------------------------

_MONTHS: dict[str, int] = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_MONTH_WORDS: dict[str, int] = {**_MONTHS, "rentree": 9}
_WEEKDAYS: dict[str, int] = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}
_NUMBERS: dict[str, int] = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "dix sept": 17,
    "dix huit": 18,
    "dix neuf": 19,
    "vingt": 20,
    "trente": 30,
}
_ORDINALS: dict[str, int] = {
    "1er": 1,
    "deuxieme": 2,
    "second": 2,
    "seconde": 2,
    "troisieme": 3,
    "quatrieme": 4,
}
_RELATIVE_DAYS: dict[str, int] = {
    "aujourd' hui": 0,
    "hier": -1,
    "avant hier": -2,
    "demain": 1,
    "apres demain": 2,
}
_UNIT_SIZES: dict[str, int] = {"mois": 1, "trimestre": 3, "semestre": 6, "annee": 12, "an": 12}


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


def _group(match: re.Match[str], name: str) -> str | None:
    return match.groupdict().get(name)


def _fixed(span: _Span) -> _Reading:
    return _Reading(lambda _year: span, span.start.year)


def _cyclic(match: re.Match[str], context: _Context, at: _At) -> _Reading:
    year: int | None = None
    if year_text := _group(match, "year"):
        year = int(year_text)
    elif _group(match, "this"):
        year = context.reference.year
    relative = _group(match, "rel")
    rule: _Rule | None = None
    if relative is not None:
        rule = "next" if relative.startswith("proch") else "last"
    return _Reading(at, year, rule)


def _relative_day(match: re.Match[str], context: _Context) -> _Reading:
    return _fixed(_day(context.reference + timedelta(days=_RELATIVE_DAYS[match["word"]])))


def _calendar_day(match: re.Match[str], context: _Context) -> _Reading:
    day_text, month_text = match["day"], match["month"]
    day = 1 if day_text == "1er" else int(day_text)
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text]
    reading = _cyclic(match, context, lambda year: _day(date(year, month, day)))
    weekday = _group(match, "weekday")
    return replace(reading, weekday=None if weekday is None else _WEEKDAYS[weekday])


def _duration(match: re.Match[str], context: _Context) -> _Reading | None:
    # A bare "deux ans" is a length, not a date; only "dans", "sous" or "d'ici" anchor it.
    if _group(match, "intro") is None and context.mode != "by":
        return None
    count_text, unit, reference = match["count"], match["unit"], context.reference
    count = int(count_text) if count_text.isdigit() else _NUMBERS[count_text]
    if unit.startswith(("jour", "semaine")):
        days = count * 7 if unit.startswith("semaine") else count
        return _fixed(_day(reference + timedelta(days=days)))
    if unit == "mois":
        return _fixed(_months(_month_index(reference) + count, 1, Precision.MONTH))
    return _fixed(_months((reference.year + count) * 12, 12, Precision.YEAR))


def _month(match: re.Match[str], context: _Context) -> _Reading:
    month = _MONTH_WORDS[match["month"]]
    return _cyclic(match, context, lambda year: _months(year * 12 + month - 1, 1, Precision.MONTH))


def _season_reading(match: re.Match[str], context: _Context) -> _Reading:
    name = match["season"]
    reading = _cyclic(match, context, lambda year: _season(name, year))
    if reading.year is None:
        return reading
    if second := _group(match, "year2"):
        if name != "hiver" or int(second) != reading.year + 1:
            raise _Failure("only a winter spans two consecutive years")
        return reading
    # A single year names the winter that ends in it.
    return replace(reading, year=reading.year - 1) if name == "hiver" else reading


def _block(match: re.Match[str], context: _Context) -> _Reading:
    letter = _group(match, "letter")
    unit = _group(match, "unit") or ("trimestre" if letter in ("t", "q") else "semestre")
    size = _UNIT_SIZES[unit]
    count = 12 // size
    ordinal = match["ord"]
    if ordinal.startswith("dernier"):
        number = count
    else:
        number = _ORDINALS.get(ordinal) or int(ordinal.rstrip(string.ascii_lowercase))
    if not 1 <= number <= count:
        raise _Failure("invalid quarter" if size == 3 else "invalid half")
    precision = _BY_SIZE[size]
    return _cyclic(
        match, context, lambda year: _months(year * 12 + (number - 1) * size, size, precision)
    )


def _current_block(match: re.Match[str], context: _Context) -> _Reading:
    size = _UNIT_SIZES[match["unit"]]
    relative = _group(match, "rel")
    offset = 0 if relative is None else 1 if relative.startswith("proch") else -1
    index = _month_index(context.reference) // size + offset
    return _fixed(_months(index * size, size, _BY_SIZE[size]))


def _year(match: re.Match[str], context: _Context) -> _Reading:
    return _Reading(lambda year: _months(year * 12, 12, Precision.YEAR), int(match["year"]))


_Y = r"[12][0-9]{3}"
_REL = r"(?P<rel>prochaine?|derniere?|passee?)"
_TAIL = (
    rf"(?: (?:(?:de |d' )?(?:l' )?(?:annee )?(?P<year>{_Y})"
    rf"|(?P<this>de l' annee|de cette annee)|{_REL}))?"
)
_WEEKDAY = rf"(?:(?P<weekday>{_alternatives(_WEEKDAYS)}) )?"
_ORDINAL = (
    r"(?P<ord>1er|[0-9]+(?:e|eme|ieme|nd|nde)|deuxieme|seconde?|troisieme|quatrieme"
    r"|derniere?)"
)
_Reader = Callable[[re.Match[str], _Context], _Reading | None]
# Each form must cover the whole text left after the prefixes. The duration reader may
# decline (return None): a bare "deux ans" is a length, refused rather than guessed.
_FORMS: tuple[tuple[str, _Reader], ...] = (
    (rf"(?P<word>{_alternatives(_RELATIVE_DAYS)})", _relative_day),
    (
        (
            rf"{_WEEKDAY}(?P<day>[0-9]{{1,2}})(?P<sep>[/.-])(?P<month>[0-9]{{1,2}})(?P=sep)"
            rf"(?P<year>[0-9]{{4}})"
        ),
        _calendar_day,
    ),
    (rf"{_WEEKDAY}(?P<year>[0-9]{{4}})-(?P<month>[0-9]{{2}})-(?P<day>[0-9]{{2}})", _calendar_day),
    (
        rf"{_WEEKDAY}(?P<day>1er|[0-9]{{1,2}}) (?P<month>{_alternatives(_MONTHS)}){_TAIL}",
        _calendar_day,
    ),
    (
        (
            rf"(?:(?P<intro>dans|sous) )?(?P<count>[0-9]{{1,3}}|{_alternatives(_NUMBERS)})"
            rf" (?P<unit>jours?|semaines?|mois|ans?|annees?)"
        ),
        _duration,
    ),
    (rf"(?P<month>{_alternatives(_MONTH_WORDS)}){_TAIL}", _month),
    (
        (
            rf"(?P<season>{_alternatives(_SEASONS)})"
            rf"(?: (?P<year>{_Y})(?: ?[-/] ?(?P<year2>{_Y}))?| {_REL})?"
        ),
        _season_reading,
    ),
    (rf"(?P<letter>[tqsh])(?P<ord>[0-9]){_TAIL}", _block),
    (rf"{_ORDINAL} (?P<unit>trimestre|semestre){_TAIL}", _block),
    (
        r"(?:(?:ce|cet|cette) )?(?P<unit>mois|trimestre|semestre|annee)(?: ci| en cours)?",
        _current_block,
    ),
    (rf"(?P<unit>mois|trimestre|semestre|annee|an) {_REL}", _current_block),
    (rf"(?:annee |an )?(?P<year>{_Y})", _year),
)
_READERS = tuple((re.compile(pattern), reader) for pattern, reader in _FORMS)


def _read_core(text: str, context: _Context) -> _Reading:
    for pattern, reader in _READERS:
        match = pattern.fullmatch(text)
        if match is not None and (reading := reader(match, context)) is not None:
            return reading
    raise _Failure(_UNKNOWN)


def _parted(at: _At, part: _Part) -> _At:
    # Applied before year-less inference so "début du second semestre" read in November
    # means the coming third quarter, not the one just ended.
    return lambda year: _with_part(at(year), part)


def _read(text: str, reference: date, tense: Tense) -> _Span:
    mode, part, core = _strip_prefixes(text)
    reading = _read_core(core, _Context(reference, mode))
    # "d'ici fin 2022": a deadline at the end of 2022 makes all of 2022 the window.
    whole = part == "fin" and mode != "plain"
    if part is not None and not whole:
        reading = replace(reading, at=_parted(reading.at, part))
    span = _settle(reading, reference, tense)
    return _preceding(span) if mode == "before" and not whole else span


def names_deadline(text: str) -> bool:
    """Whether the words set a deadline ("d'ici fin 2027", "au plus tard en mars", "avant
    2025") rather than name a time: their window is the time left, and its end is what
    they mean. Words that cannot be read name no deadline."""
    try:
        mode, _part, _core = _strip_prefixes(_normalise(text))
    except _Failure:
        return False
    return mode != "plain"


def parse_period(text: str, reference: date, *, tense: Tense = "future") -> Period:
    """Read a French date expression against ``reference`` (see the module docstring).

    Raises :class:`PeriodParseError` when the text is empty, has words this module
    cannot account for, or names an impossible date.
    """
    if tense not in ("future", "past"):
        raise ValueError(f"tense must be 'future' or 'past', not {tense!r}")
    if isinstance(reference, datetime):  # a datetime would not compare with dates
        reference = reference.date()
    normalised = _normalise(text)
    if not normalised:
        raise PeriodParseError(text, "empty date expression")
    try:
        span = _read(normalised, reference, tense)
    except _Failure as failure:
        raise PeriodParseError(text, failure.reason) from None
    except (ValueError, OverflowError):
        # Only arithmetic running off the calendar (before year 1, after 9999) gets here.
        raise PeriodParseError(text, "date out of range") from None
    return Period(text, span.start, span.end, span.precision, reference)

"""Dated statements: every date expression periods.py reads in a sentence, in the tense
of the verb before it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .. import periods
from .text import Line, _fold


_DATEISH = re.compile(
    r"^(?:janv(?:ier)?|fevr(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|aout|sept(?:embre)?|"
    r"oct(?:obre)?|nov(?:embre)?|dec(?:embre)?|printemps|ete|automne|hiver|[12]\d{3}(?:-[12]\d{3})?|"
    r"t[1-4]|s[12]|semestre|trimestre|hier|avant-hier|aujourd'hui|demain|prochaine?s?|derniere?s?|"
    r"jours?|semaines?|mois|ans|annees?)$"
)
_TOKEN = re.compile(r"\S+")
_ELISION = re.compile(r"^(?:l|d|qu|jusqu)'")
# Alone, these words are not dates: "ont été identifiés", "depuis quelques mois".
_NOT_ALONE = {
    "ete",
    "mois",
    "jour",
    "jours",
    "semaine",
    "semaines",
    "an",
    "ans",
    "annee",
    "annees",
    "prochain",
    "prochaine",
    "prochains",
    "prochaines",
    "dernier",
    "derniere",
    "derniers",
    "dernieres",
}
_MAX_WORDS = 8
# A past tense just before the date: passé composé, plus-que-parfait, imparfait.
_PAST = re.compile(
    r"\b(?:ont|a|avait|avaient|sont|est|etait|etaient)\s+(?:\w+\s+){0,2}?"
    r"\w+(?:e|ee|es|ees|i|is|ie|u|us|ue|ert|erts|it|its)\b[^.]{0,25}$"
    r"|\b\w{3,}(?:ait|aient)\b[^.]{0,25}$"
)


@dataclass(frozen=True)
class DatedStatement:
    sentence: Line
    period: periods.Period
    tense: periods.Tense


def find_periods(
    sentence: str, reference: dt.date, *, past_reference: dt.date | None = None
) -> list[tuple[int, int, periods.Period, periods.Tense]]:
    """Every date expression periods.py reads in the sentence: the longest reading ending at
    each date word, without overlaps, each read in the tense of the verb before it."""
    tokens = list(_TOKEN.finditer(sentence))
    found: list[tuple[int, int, periods.Period, periods.Tense]] = []
    for j, token in enumerate(tokens):
        if not _DATEISH.match(_ELISION.sub("", _fold(token.group()).strip('.,;:!?«»"“”()'))):
            continue
        end = token.end()
        while end > token.start() and sentence[end - 1] in '.,;:!?»”")':
            end -= 1
        for i in range(max(0, j - _MAX_WORDS + 1), j + 1):
            start = tokens[i].start()
            while start < end and sentence[start] in '«“"(':
                start += 1
            if _fold(sentence[start:end]).strip(" .,;:") in _NOT_ALONE:
                continue
            before = _fold(sentence[max(0, start - 80) : start])
            tense: periods.Tense = "past" if _PAST.search(before[-60:]) else "future"
            try:
                period = periods.parse_period(
                    sentence[start:end],
                    (past_reference or reference) if tense == "past" else reference,
                    tense=tense,
                )
            except periods.PeriodParseError:
                continue
            if found and start < found[-1][1]:
                if end - start > found[-1][1] - found[-1][0]:
                    found[-1] = (start, end, period, tense)
            else:
                found.append((start, end, period, tense))
            break
    return found

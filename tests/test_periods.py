"""Tests for initiatives.periods: a table of readings, a table of refusals, properties."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from initiatives.periods import Period, PeriodParseError, Precision, Tense, parse_period

DAY, MONTH, SEASON = Precision.DAY, Precision.MONTH, Precision.SEASON
QUARTER, HALF, YEAR = Precision.QUARTER, Precision.HALF, Precision.YEAR

# The design document's reference date for texts without a better one.
REF = date(2020, 8, 5)


def d(text: str) -> date:
    return date.fromisoformat(text)


class Case(NamedTuple):
    text: str
    reference: date
    start: str
    end: str
    precision: Precision
    tense: Tense = "future"


CASES: list[Case] = [
    # Days.
    Case("le 24 janvier", d("2014-01-01"), "2014-01-24", "2014-01-24", DAY),
    Case("le 24 janvier", d("2014-01-24"), "2014-01-24", "2014-01-24", DAY),
    Case("le 24 janvier", d("2014-01-31"), "2015-01-24", "2015-01-24", DAY),
    Case("le 24 janvier", d("2014-01-31"), "2014-01-24", "2014-01-24", DAY, "past"),
    Case("le 24 janvier", d("2014-01-10"), "2013-01-24", "2013-01-24", DAY, "past"),
    Case("24 janvier 2014", REF, "2014-01-24", "2014-01-24", DAY),
    Case("mercredi 5 août 2020", REF, "2020-08-05", "2020-08-05", DAY),
    Case("le mercredi 5 août", d("2020-07-01"), "2020-08-05", "2020-08-05", DAY),
    Case("le 1er mars", REF, "2021-03-01", "2021-03-01", DAY),
    Case("le premier mars 2021", REF, "2021-03-01", "2021-03-01", DAY),
    Case("05/08/2020", REF, "2020-08-05", "2020-08-05", DAY),
    Case("5/8/2020", REF, "2020-08-05", "2020-08-05", DAY),
    Case("2020-08-05", REF, "2020-08-05", "2020-08-05", DAY),
    Case("le 29 février", d("2021-03-01"), "2024-02-29", "2024-02-29", DAY),
    Case("le 24 janvier prochain", d("2014-01-24"), "2015-01-24", "2015-01-24", DAY),
    Case("aujourd'hui", d("2024-02-06"), "2024-02-06", "2024-02-06", DAY),
    Case("aujourd\u2019hui", d("2024-02-06"), "2024-02-06", "2024-02-06", DAY),
    Case("hier", d("2024-02-06"), "2024-02-05", "2024-02-05", DAY),
    Case("avant-hier", d("2024-03-01"), "2024-02-28", "2024-02-28", DAY),
    Case("demain", d("2024-02-06"), "2024-02-07", "2024-02-07", DAY),
    Case("après-demain", d("2024-02-28"), "2024-03-01", "2024-03-01", DAY),
    # Months and their parts.
    Case("mars 2014", REF, "2014-03-01", "2014-03-31", MONTH),
    Case("pour le mois de mars 2014", REF, "2014-03-01", "2014-03-31", MONTH),
    Case("au mois d'août 2013", REF, "2013-08-01", "2013-08-31", MONTH),
    Case("en mars", REF, "2021-03-01", "2021-03-31", MONTH),
    Case("en mars", REF, "2020-03-01", "2020-03-31", MONTH, "past"),
    Case("en août", REF, "2020-08-01", "2020-08-31", MONTH),
    Case("le mois de juin", REF, "2021-06-01", "2021-06-30", MONTH),
    Case("courant mars 2022", REF, "2022-03-01", "2022-03-31", MONTH),
    Case("à la rentrée 2021", REF, "2021-09-01", "2021-09-30", MONTH),
    Case("la rentrée", REF, "2020-09-01", "2020-09-30", MONTH),
    Case("début mars", REF, "2021-03-01", "2021-03-31", MONTH),
    Case("mi-mars 2022", REF, "2022-03-01", "2022-03-31", MONTH),
    Case("fin mars 2014", REF, "2014-03-01", "2014-03-31", MONTH),
    Case("fin du mois de mars", REF, "2021-03-01", "2021-03-31", MONTH),
    Case("mars prochain", d("2021-03-10"), "2022-03-01", "2022-03-31", MONTH),
    Case("le mois prochain", REF, "2020-09-01", "2020-09-30", MONTH),
    Case("ce mois-ci", REF, "2020-08-01", "2020-08-31", MONTH),
    Case("le mois dernier", d("2020-01-15"), "2019-12-01", "2019-12-31", MONTH),
    Case("d'ici la fin du mois", REF, "2020-08-01", "2020-08-31", MONTH),
    # Seasons.
    Case("à l'automne", REF, "2020-09-22", "2020-12-20", SEASON),
    Case("d'ici le printemps", d("2014-01-01"), "2014-03-20", "2014-06-20", SEASON),
    Case("au printemps 2022", REF, "2022-03-20", "2022-06-20", SEASON),
    Case("été 2023", REF, "2023-06-21", "2023-09-21", SEASON),
    Case("l'été", REF, "2020-06-21", "2020-09-21", SEASON),
    Case("l'hiver 2021-2022", REF, "2021-12-21", "2022-03-19", SEASON),
    Case("hiver 2022", REF, "2021-12-21", "2022-03-19", SEASON),
    Case("l'hiver", REF, "2020-12-21", "2021-03-19", SEASON),
    Case("l'hiver", d("2021-01-10"), "2020-12-21", "2021-03-19", SEASON),
    Case("l'hiver", d("2021-03-20"), "2021-12-21", "2022-03-19", SEASON),
    Case("l'hiver", REF, "2019-12-21", "2020-03-19", SEASON, "past"),
    Case("début de l'automne 2022", REF, "2022-09-22", "2022-12-20", SEASON),
    Case("l'automne prochain", REF, "2020-09-22", "2020-12-20", SEASON),
    Case("l'automne prochain", d("2020-10-01"), "2021-09-22", "2021-12-20", SEASON),
    Case("l'été dernier", REF, "2019-06-21", "2019-09-21", SEASON),
    # Quarters.
    Case("T4 2021", REF, "2021-10-01", "2021-12-31", QUARTER),
    Case("T3 2024", REF, "2024-07-01", "2024-09-30", QUARTER),
    Case("Q4 2021", REF, "2021-10-01", "2021-12-31", QUARTER),
    Case("4e trimestre 2021", REF, "2021-10-01", "2021-12-31", QUARTER),
    Case("4ème trimestre", REF, "2020-10-01", "2020-12-31", QUARTER),
    Case("quatrième trimestre 2021", REF, "2021-10-01", "2021-12-31", QUARTER),
    Case("premier trimestre de l'année 2021", REF, "2021-01-01", "2021-03-31", QUARTER),
    Case("1er trimestre 2021", REF, "2021-01-01", "2021-03-31", QUARTER),
    Case("deuxième trimestre 2021", REF, "2021-04-01", "2021-06-30", QUARTER),
    Case("le second trimestre de 2021", REF, "2021-04-01", "2021-06-30", QUARTER),
    Case("troisième trimestre 2021", REF, "2021-07-01", "2021-09-30", QUARTER),
    Case("dernier trimestre 2021", REF, "2021-10-01", "2021-12-31", QUARTER),
    Case("au troisième trimestre", REF, "2020-07-01", "2020-09-30", QUARTER),
    Case("au troisième trimestre", d("2020-10-01"), "2021-07-01", "2021-09-30", QUARTER),
    Case("fin du T2 2023", REF, "2023-04-01", "2023-06-30", QUARTER),
    Case("le trimestre prochain", REF, "2020-10-01", "2020-12-31", QUARTER),
    # Halves.
    Case("premier semestre 2023", REF, "2023-01-01", "2023-06-30", HALF),
    Case("au premier semestre 2023", REF, "2023-01-01", "2023-06-30", HALF),
    Case("S1 2023", REF, "2023-01-01", "2023-06-30", HALF),
    Case("S2 2024", REF, "2024-07-01", "2024-12-31", HALF),
    Case("H1 2023", REF, "2023-01-01", "2023-06-30", HALF),
    Case("second semestre 2024", REF, "2024-07-01", "2024-12-31", HALF),
    Case("deuxième semestre 2024", REF, "2024-07-01", "2024-12-31", HALF),
    Case("2e semestre 2024", REF, "2024-07-01", "2024-12-31", HALF),
    Case("2nd semestre 2024", REF, "2024-07-01", "2024-12-31", HALF),
    Case("dernier semestre 2024", REF, "2024-07-01", "2024-12-31", HALF),
    Case("au premier semestre", REF, "2021-01-01", "2021-06-30", HALF),
    Case("au premier semestre", REF, "2020-01-01", "2020-06-30", HALF, "past"),
    Case("fin du premier semestre 2023", REF, "2023-04-01", "2023-06-30", QUARTER),
    Case("début du second semestre", d("2020-02-01"), "2020-07-01", "2020-09-30", QUARTER),
    Case("début du second semestre", d("2020-11-01"), "2021-07-01", "2021-09-30", QUARTER),
    # Years and their parts.
    Case("2021", REF, "2021-01-01", "2021-12-31", YEAR),
    Case("en 2021", REF, "2021-01-01", "2021-12-31", YEAR),
    Case("courant 2022", REF, "2022-01-01", "2022-12-31", YEAR),
    Case("dans le courant de 2022", REF, "2022-01-01", "2022-12-31", YEAR),
    Case("au cours de 2022", REF, "2022-01-01", "2022-12-31", YEAR),
    Case("l'année 2021", REF, "2021-01-01", "2021-12-31", YEAR),
    Case("cette année", REF, "2020-01-01", "2020-12-31", YEAR),
    Case("l'année prochaine", REF, "2021-01-01", "2021-12-31", YEAR),
    Case("l'an prochain", REF, "2021-01-01", "2021-12-31", YEAR),
    Case("l'année dernière", REF, "2019-01-01", "2019-12-31", YEAR),
    Case("l'an dernier", REF, "2019-01-01", "2019-12-31", YEAR),
    Case("début 2022", REF, "2022-01-01", "2022-03-31", QUARTER),
    Case("début de l'année 2022", REF, "2022-01-01", "2022-03-31", QUARTER),
    Case("fin 2021", REF, "2021-10-01", "2021-12-31", QUARTER),
    Case("fin de l'année 2021", REF, "2021-10-01", "2021-12-31", QUARTER),
    Case("la fin de l'année", d("2021-05-17"), "2021-10-01", "2021-12-31", QUARTER),
    Case("mi-2023", REF, "2023-04-01", "2023-09-30", HALF),
    Case("mi 2023", REF, "2023-04-01", "2023-09-30", HALF),
    Case("à la mi-2023", REF, "2023-04-01", "2023-09-30", HALF),
    Case("mi-année 2023", REF, "2023-04-01", "2023-09-30", HALF),
    # Relative durations.
    Case("dans 6 mois", REF, "2021-02-01", "2021-02-28", MONTH),
    Case("sous 3 mois", d("2020-11-30"), "2021-02-01", "2021-02-28", MONTH),
    Case("dans dix-huit mois", REF, "2022-02-01", "2022-02-28", MONTH),
    Case("d'ici deux ans", REF, "2022-01-01", "2022-12-31", YEAR),
    Case("dans un an", REF, "2021-01-01", "2021-12-31", YEAR),
    Case("d'ici 15 jours", REF, "2020-08-20", "2020-08-20", DAY),
    Case("dans trois semaines", REF, "2020-08-26", "2020-08-26", DAY),
    # "By" deadlines.
    Case("d'ici 2025", REF, "2025-01-01", "2025-12-31", YEAR),
    Case("d'ici fin 2022", REF, "2022-01-01", "2022-12-31", YEAR),
    Case("d'ici la fin de l'année", d("2021-05-17"), "2021-01-01", "2021-12-31", YEAR),
    Case("d'ici fin mars 2015", REF, "2015-03-01", "2015-03-31", MONTH),
    Case("d'ici le début 2022", REF, "2022-01-01", "2022-03-31", QUARTER),
    Case("d'ici la fin du premier semestre 2023", REF, "2023-01-01", "2023-06-30", HALF),
    Case("au plus tard le 24 janvier 2014", REF, "2014-01-24", "2014-01-24", DAY),
    Case("au plus tard fin 2021", REF, "2021-01-01", "2021-12-31", YEAR),
    Case("jusqu'à fin 2021", REF, "2021-01-01", "2021-12-31", YEAR),
    Case("jusqu'en 2023", REF, "2023-01-01", "2023-12-31", YEAR),
    Case("jusqu'au 31 mars 2023", REF, "2023-03-31", "2023-03-31", DAY),
    # "Before".
    Case("avant fin 2021", REF, "2021-01-01", "2021-12-31", YEAR),
    Case("avant la fin de l'année", REF, "2020-01-01", "2020-12-31", YEAR),
    Case("avant 2025", REF, "2024-01-01", "2024-12-31", YEAR),
    Case("avant mars 2014", REF, "2014-02-01", "2014-02-28", MONTH),
    Case("avant l'été", REF, "2020-03-20", "2020-06-20", SEASON),
    Case("avant le printemps 2021", REF, "2020-12-21", "2021-03-19", SEASON),
    Case("avant le 24 janvier 2014", REF, "2014-01-23", "2014-01-23", DAY),
    Case("avant le T2 2023", REF, "2023-01-01", "2023-03-31", QUARTER),
    Case("avant le second semestre", d("2021-02-01"), "2021-01-01", "2021-06-30", HALF),
    Case("avant début 2022", REF, "2021-10-01", "2021-12-31", QUARTER),
    Case("avant mi-2023", REF, "2022-10-01", "2023-03-31", HALF),
    # Other transparent prefixes.
    Case("prévue pour juin 2022", REF, "2022-06-01", "2022-06-30", MONTH),
    Case("dès janvier 2022", REF, "2022-01-01", "2022-01-31", MONTH),
    Case("vers la fin 2021", REF, "2021-10-01", "2021-12-31", QUARTER),
    Case("autour de mars 2022", REF, "2022-03-01", "2022-03-31", MONTH),
    Case("aux alentours de l'été 2022", REF, "2022-06-21", "2022-09-21", SEASON),
    Case("durant l'été 2022", REF, "2022-06-21", "2022-09-21", SEASON),
    Case("pendant le T2 2023", REF, "2023-04-01", "2023-06-30", QUARTER),
    Case("à partir de mars 2022", REF, "2022-03-01", "2022-03-31", MONTH),
    # Normalisation: case, accents, abbreviations, typography, punctuation.
    Case("FÉVRIER 2021", REF, "2021-02-01", "2021-02-28", MONTH),
    Case("fevrier 2021", REF, "2021-02-01", "2021-02-28", MONTH),
    Case("févr. 2021", REF, "2021-02-01", "2021-02-28", MONTH),
    Case("janv. 2020", REF, "2020-01-01", "2020-01-31", MONTH),
    Case("le 3 sept. 2020", REF, "2020-09-03", "2020-09-03", DAY),
    Case("déc. 2020", REF, "2020-12-01", "2020-12-31", MONTH),
    Case("decembre 2020", REF, "2020-12-01", "2020-12-31", MONTH),
    Case("l\u2019automne 2021", REF, "2021-09-22", "2021-12-20", SEASON),
    Case("« mars 2014 »", REF, "2014-03-01", "2014-03-31", MONTH),
    Case("mars\u00a02014", REF, "2014-03-01", "2014-03-31", MONTH),
    Case("  En   Mars 2014. ", REF, "2014-03-01", "2014-03-31", MONTH),
    Case("DÉBUT 2022 !", REF, "2022-01-01", "2022-03-31", QUARTER),
    # A 31 December reference.
    Case("demain", d("2021-12-31"), "2022-01-01", "2022-01-01", DAY),
    Case("le 31 décembre", d("2021-12-31"), "2021-12-31", "2021-12-31", DAY),
    Case("le 1er janvier", d("2021-12-31"), "2022-01-01", "2022-01-01", DAY),
    Case("en décembre", d("2021-12-31"), "2021-12-01", "2021-12-31", MONTH),
    Case("le mois prochain", d("2021-12-31"), "2022-01-01", "2022-01-31", MONTH),
    Case("l'année prochaine", d("2021-12-31"), "2022-01-01", "2022-12-31", YEAR),
    Case("T4", d("2021-12-31"), "2021-10-01", "2021-12-31", QUARTER),
    Case("au premier trimestre", d("2021-12-31"), "2022-01-01", "2022-03-31", QUARTER),
    Case("l'hiver", d("2021-12-31"), "2021-12-21", "2022-03-19", SEASON),
    Case("l'automne", d("2021-12-31"), "2022-09-22", "2022-12-20", SEASON),
    Case("dans 2 mois", d("2021-12-31"), "2022-02-01", "2022-02-28", MONTH),
    Case("d'ici la fin de l'année", d("2021-12-31"), "2021-01-01", "2021-12-31", YEAR),
]


@pytest.mark.parametrize(
    "case", CASES, ids=lambda case: f"{case.text}@{case.reference}:{case.tense}"
)
def test_reads_expression(case: Case) -> None:
    period = parse_period(case.text, case.reference, tense=case.tense)
    assert (period.start, period.end, period.precision) == (
        d(case.start),
        d(case.end),
        case.precision,
    )
    assert period.text == case.text
    assert period.reference == case.reference


REFUSED: list[tuple[str, str]] = [
    ("la semaine prochaine", "unknown date expression"),
    ("à terme", "unknown date expression"),
    ("prochainement", "unknown date expression"),
    ("bientôt", "unknown date expression"),
    ("", "empty date expression"),
    ("   ", "empty date expression"),
    ("32 mars 2020", "invalid date"),
    ("31 février 2021", "invalid date"),
    ("30 février", "invalid date"),
    ("mardi 5 août 2020", "weekday does not match the date"),
    ("T5 2021", "invalid quarter"),
    ("5e trimestre 2021", "invalid quarter"),
    ("S3 2021", "invalid half"),
    ("le 24 machin", "unknown date expression"),
    ("2021 ou 2022", "unknown date expression"),
    ("13/13/2020", "invalid date"),
    ("6 mois", "unknown date expression"),
    ("les années 2020", "unknown date expression"),
    ("été 2021-2022", "only a winter spans two consecutive years"),
    ("hiver 2021-2023", "only a winter spans two consecutive years"),
    ("fin du 24 janvier", "a day has no beginning, middle or end"),
    ("fin début 2022", "conflicting prefixes"),
    ("d'ici avant 2025", "conflicting prefixes"),
    ("d'ici", "unknown date expression"),
    ("en mars 2014 2015", "unknown date expression"),
]


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_refuses_expression(text: str, reason: str) -> None:
    with pytest.raises(PeriodParseError) as caught:
        parse_period(text, REF)
    assert caught.value.text == text
    assert caught.value.reason == reason
    assert f'"{text}"' in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("à terme", 'unknown date expression "à terme"'),
        ("mardi 5 août 2020", 'weekday does not match the date: "mardi 5 août 2020"'),
        ("31 février 2021", 'invalid date: "31 février 2021"'),
    ],
)
def test_error_messages(text: str, message: str) -> None:
    with pytest.raises(PeriodParseError) as caught:
        parse_period(text, REF)
    assert str(caught.value) == message


def test_error_is_a_value_error_and_period_is_frozen() -> None:
    assert issubclass(PeriodParseError, ValueError)
    period = parse_period("mars 2014", REF)
    with pytest.raises(dataclasses.FrozenInstanceError):
        period.start = REF  # type: ignore[misc]


def test_precision_order_is_finest_first() -> None:
    assert [p.value for p in Precision] == ["day", "month", "season", "quarter", "half", "year"]


def test_datetime_reference_is_read_as_its_date() -> None:
    period = parse_period("demain", datetime(2021, 12, 31, 23, 59))
    assert period.start == d("2022-01-01")
    assert type(period.reference) is date


def test_unknown_tense_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="tense"):
        parse_period("mars 2014", REF, tense="present")  # type: ignore[arg-type]


# --- properties ----------------------------------------------------------------------

MONTH_NAMES = [
    "janvier",
    "février",
    "fevrier",
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
    "janv.",
    "sept.",
    "déc.",
]
SEASON_NAMES = ["le printemps", "l'été", "l'automne", "l'hiver", "printemps", "été", "hiver"]
ORDINALS = {
    1: ["1er", "premier"],
    2: ["2e", "deuxième", "second"],
    3: ["3e", "3ème", "troisième"],
    4: ["4e", "quatrième"],
}
BY = ["", "d'ici ", "au plus tard ", "jusqu'à "]
LENGTHS = {
    DAY: (1, 1),
    MONTH: (28, 31),
    SEASON: (89, 93),
    QUARTER: (90, 92),
    HALF: (181, 184),
    YEAR: (365, 366),
}
REFERENCES = st.dates(date(1990, 1, 1), date(2060, 12, 31))
TENSES = st.sampled_from(["future", "past"])


class Expression(NamedTuple):
    text: str
    kind: str
    year: int | None


@st.composite
def expressions(draw: st.DrawFn, explicit_year: bool | None = None) -> Expression:
    """Compose "[prefix] [part] base [year]" the way French texts do."""
    has_year = draw(st.booleans()) if explicit_year is None else explicit_year
    year = draw(st.integers(1990, 2060)) if has_year else None
    kinds = ["day", "month", "season", "quarter", "half"] + (["year"] if has_year else [])
    kind = draw(st.sampled_from(kinds))
    prefix = draw(st.sampled_from([*BY, "en ", "courant ", "vers ", "pour "]))
    if kind == "day":
        day = draw(st.sampled_from(["1er", *map(str, range(1, 29))]))
        part, base = "", f"le {day} {draw(st.sampled_from(MONTH_NAMES))}"
    elif kind == "month":
        part = draw(st.sampled_from(["", "début ", "mi-", "fin ", "au mois de ", "fin mois de "]))
        base = draw(st.sampled_from(MONTH_NAMES))
    elif kind == "season":
        part = draw(st.sampled_from(["", "début de ", "la fin de "]))
        base = draw(st.sampled_from(SEASON_NAMES))
    elif kind in ("quarter", "half"):
        n = draw(st.integers(1, 4 if kind == "quarter" else 2))
        unit, letters = ("trimestre", "TQ") if kind == "quarter" else ("semestre", "SH")
        forms = [f"{letter}{n}" for letter in letters] + [f"{o} {unit}" for o in ORDINALS[n]]
        part = draw(st.sampled_from(["", "le ", "début du ", "mi-", "fin du "]))
        base = draw(st.sampled_from(forms))
    else:
        part = draw(st.sampled_from(["", "début ", "mi-", "fin ", "la fin de ", "début de "]))
        base = "l'année" if draw(st.booleans()) else ""
    words = f"{prefix}{part}{base}"
    if year is not None:
        words += f"{'' if words.endswith('-') else ' '}{year}"
    text = " ".join(words.split())
    if draw(st.booleans()):
        text = text.upper()
    return Expression(text, "winter" if "hiver" in base else kind, year)


def days(period: Period) -> int:
    return (period.end - period.start).days + 1


@settings(max_examples=300, deadline=None)
@given(expressions(), REFERENCES, TENSES)
def test_valid_expressions_give_coherent_periods(
    expression: Expression, reference: date, tense: Tense
) -> None:
    period = parse_period(expression.text, reference, tense=tense)
    assert period.start <= period.end
    assert period.text == expression.text
    assert period.reference == reference
    low, high = LENGTHS[period.precision]
    assert low <= days(period) <= high


@settings(max_examples=300, deadline=None)
@given(expressions(explicit_year=False), REFERENCES, TENSES)
def test_year_less_expressions_follow_the_tense(
    expression: Expression, reference: date, tense: Tense
) -> None:
    period = parse_period(expression.text, reference, tense=tense)
    if tense == "past":
        assert period.start <= reference
        return
    assert period.end >= reference
    years = {reference.year, reference.year + 1}
    if expression.kind == "winter":
        years.add(reference.year - 1)
    assert period.start.year in years


@settings(max_examples=300, deadline=None)
@given(expressions(explicit_year=True), REFERENCES, TENSES)
def test_explicit_year_is_used_as_is(expression: Expression, reference: date, tense: Tense) -> None:
    period = parse_period(expression.text, reference, tense=tense)
    assert expression.year is not None
    if expression.kind == "winter":
        assert (period.start.year, period.end.year) == (expression.year - 1, expression.year)
    else:
        assert period.start.year == expression.year == period.end.year
    low, high = LENGTHS[period.precision]
    assert low <= days(period) <= high


# Words the reader knows, so random sentences reach deep into the grammar.
VOCABULARY = [
    "le",
    "la",
    "l'",
    "de",
    "d'ici",
    "avant",
    "fin",
    "début",
    "mi-",
    "au",
    "en",
    "mois",
    "année",
    "an",
    "prochain",
    "dernier",
    "hiver",
    "été",
    "mars",
    "février",
    "T4",
    "S2",
    "trimestre",
    "semestre",
    "premier",
    "1er",
    "29",
    "31",
    "2021",
    "2022-2023",
    "dans",
    "sous",
    "deux",
    "jours",
    "hier",
    "mercredi",
    "05/08/2020",
    "-",
    "'",
    ".",
    "9999",
]


@settings(max_examples=300, deadline=None)
@given(
    st.text() | st.lists(st.sampled_from(VOCABULARY), max_size=6).map(" ".join), REFERENCES, TENSES
)
def test_arbitrary_text_reads_or_raises_parse_error(
    text: str, reference: date, tense: Tense
) -> None:
    try:
        period = parse_period(text, reference, tense=tense)
    except PeriodParseError as error:
        assert error.text == text
    else:
        assert period.start <= period.end
        assert period.text == text

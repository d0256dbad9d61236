"""French typography of dates: one filter, `when`, writes every day, window, deadline and
moment of the interface, at the precision it is known, in French and in English; the
chronologies place a window by what its words mean; a date from public record is said so,
not quoted."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from initiatives import dates, periods

from .factories import MilestoneFactory, MissionFactory, SourceFactory

READ_ON = dt.date(2024, 5, 1)


def when(value: Any, options: str = "", lang: str = "fr") -> str:
    """`value` through the filter, as a template in `lang` writes it."""
    with translation.override(lang):
        return Template("{% load dates %}{{ value|when:options }}").render(
            Context({"value": value, "options": options}, autoescape=False)
        )


# --- every precision, both languages ----------------------------------------------------------

# words read on READ_ON -> (French, French short, English, English short)
WINDOWS = [
    ("1er avril 2027", ("1er avril 2027", "1er avr. 2027", "1 April 2027", "1 Apr 2027")),
    ("17 mai 2021", ("17 mai 2021", "17 mai 2021", "17 May 2021", "17 May 2021")),
    ("le 24 janvier 2014", ("24 janvier 2014", "24 janv. 2014", "24 January 2014", "24 Jan 2014")),
    ("avril 2027", ("avril 2027", "avr. 2027", "April 2027", "Apr 2027")),
    ("septembre 2020", ("septembre 2020", "sept. 2020", "September 2020", "Sep 2020")),
    ("juin 2014", ("juin 2014", "juin 2014", "June 2014", "Jun 2014")),
    ("juillet 2014", ("juillet 2014", "juil. 2014", "July 2014", "Jul 2014")),
    ("février 2026", ("février 2026", "févr. 2026", "February 2026", "Feb 2026")),
    ("T2 2027", ("T2 2027", "T2 2027", "2nd quarter 2027", "Q2 2027")),
    ("fin 2021", ("T4 2021", "T4 2021", "4th quarter 2021", "Q4 2021")),
    ("premier semestre 2027", ("1er semestre 2027", "S1 2027", "1st half 2027", "H1 2027")),
    ("second semestre 2027", ("2e semestre 2027", "S2 2027", "2nd half 2027", "H2 2027")),
    ("mi-2023", ("mi-2023", "mi-2023", "mid-2023", "mid-2023")),
    ("au printemps 2027", ("printemps 2027", "printemps 2027", "spring 2027", "spring 2027")),
    ("l'été 2027", ("été 2027", "été 2027", "summer 2027", "summer 2027")),
    ("hiver 2026-2027", ("hiver 2026-2027",) * 2 + ("winter 2026–2027",) * 2),
    ("2027", ("2027", "2027", "2027", "2027")),
    # Windows with an open end: what the words mean is the end.
    ("d'ici fin 2027", ("d’ici fin 2027",) * 2 + ("by the end of 2027",) * 2),
    ("avant fin 2021", ("d’ici fin 2021",) * 2 + ("by the end of 2021",) * 2),
    ("avant 2025", ("d’ici fin 2024",) * 2 + ("by the end of 2024",) * 2),
    (
        "d'ici le 1er avril 2027",
        ("d’ici le 1er avril 2027", "d’ici le 1er avr. 2027", "by 1 April 2027", "by 1 Apr 2027"),
    ),
    (
        "au plus tard en juin 2027",
        ("d’ici fin juin 2027",) * 2 + ("by the end of June 2027", "by the end of Jun 2027"),
    ),
    ("d'ici le T3 2027", ("d’ici fin T3 2027",) * 2 + ("by the end of Q3 2027",) * 2),
    (
        "d'ici la fin du premier semestre 2027",
        (
            "d’ici la fin du 1er semestre 2027",
            "d’ici fin S1 2027",
            "by the end of H1 2027",
            "by the end of H1 2027",
        ),
    ),
    (
        "d'ici le printemps 2014",
        ("d’ici la fin du printemps 2014",) * 2 + ("by the end of spring 2014",) * 2,
    ),
    ("d'ici mi-2027", ("d’ici mi-2027",) * 2 + ("by mid-2027",) * 2),
]


@pytest.mark.parametrize(("words", "written"), WINDOWS, ids=[w for w, _ in WINDOWS])
@pytest.mark.parametrize(
    ("lang", "short", "column"),
    [("fr", False, 0), ("fr", True, 1), ("en", False, 2), ("en", True, 3)],
)
def test_a_window_is_written_at_its_precision(
    words: str, written: tuple[str, ...], lang: str, short: bool, column: int
) -> None:
    period = periods.parse_period(words, READ_ON)
    assert when(period, "short" if short else "", lang) == written[column]


@pytest.mark.parametrize(
    ("words", "fr", "en"),
    [
        ("1er avril 2027", "1er avril 2027", "1 April 2027"),
        ("avril 2027", "fin avril 2027", "end of April 2027"),
        ("T2 2027", "fin T2 2027", "end of Q2 2027"),
        ("premier semestre 2027", "fin du 1er semestre 2027", "end of H1 2027"),
        ("l'été 2027", "fin de l’été 2027", "end of summer 2027"),
        ("d'ici fin 2027", "fin 2027", "end of 2027"),
    ],
)
def test_the_end_of_a_window(words: str, fr: str, en: str) -> None:
    period = periods.parse_period(words, READ_ON)
    assert (when(period, "end"), when(period, "end", "en")) == (fr, en)


@pytest.mark.parametrize(
    ("words", "fr", "en"),
    [
        ("1er avril 2027", "le 1er avril 2027", "on 1 April 2027"),
        ("janvier 2014", "en janvier 2014", "in January 2014"),
        ("2014", "en 2014", "in 2014"),
        ("T2 2027", "au T2 2027", "in Q2 2027"),
        ("premier semestre 2027", "au 1er semestre 2027", "in H1 2027"),
        ("au printemps 2027", "au printemps 2027", "in spring 2027"),
        ("l'été 2027", "en été 2027", "in summer 2027"),
        ("mi-2027", "à la mi-2027", "in mid-2027"),
    ],
)
def test_a_window_with_its_preposition(words: str, fr: str, en: str) -> None:
    period = periods.parse_period(words, READ_ON)
    assert (when(period, "on"), when(period, "on", "en")) == (fr, en)


@pytest.mark.parametrize(
    ("words", "fr", "en"),
    [
        ("T2 2027", "d’ici fin T2 2027", "by the end of Q2 2027"),
        ("1er avril 2027", "d’ici le 1er avril 2027", "by 1 April 2027"),
        ("2027", "d’ici fin 2027", "by the end of 2027"),
    ],
)
def test_any_window_as_a_deadline(words: str, fr: str, en: str) -> None:
    period = periods.parse_period(words, READ_ON)
    assert (when(period, "by"), when(period, "by", "en")) == (fr, en)


@pytest.mark.parametrize(
    ("start", "end", "precision", "fr", "en"),
    [
        ("2025-03-10", "2025-12-31", "year", "d’ici fin 2025", "by the end of 2025"),
        ("2025-03-10", "2025-06-30", "quarter", "d’ici fin T2 2025", "by the end of Q2 2025"),
        ("2025-03-10", "2025-03-31", "month", "d’ici fin mars 2025", "by the end of March 2025"),
        ("2025-03-10", "2025-03-24", "day", "d’ici le 24 mars 2025", "by 24 March 2025"),
    ],
)
def test_a_deadline_is_written_by_its_end_whatever_its_window_starts_on(
    start: str, end: str, precision: str, fr: str, en: str
) -> None:
    # The time left, from the day the words were read: only the end says what they mean.
    w = dates.Window(dt.date.fromisoformat(start), dt.date.fromisoformat(end), precision, True)
    assert (dates.window(w, "fr"), dates.window(w, "en")) == (fr, en)
    assert dates.year_of(w) == 2025


# --- stored days at a precision (a source's publication) ---------------------------------------


@pytest.mark.parametrize(
    ("day", "precision", "fr", "en"),
    [
        (dt.date(2014, 1, 1), "day", "1er janvier 2014", "1 January 2014"),
        (dt.date(2014, 1, 1), "month", "janvier 2014", "January 2014"),
        (dt.date(2014, 1, 1), "year", "2014", "2014"),
        (dt.date(2021, 5, 17), "day", "17 mai 2021", "17 May 2021"),
        (dt.date(2021, 5, 17), "month", "mai 2021", "May 2021"),
        (dt.date(2027, 5, 17), "quarter", "T2 2027", "2nd quarter 2027"),
        (dt.date(2027, 8, 17), "half", "2e semestre 2027", "2nd half 2027"),
    ],
)
def test_a_month_or_year_is_never_shown_as_a_day(
    day: dt.date, precision: str, fr: str, en: str
) -> None:
    assert (when(day, precision), when(day, precision, "en")) == (fr, en)
    source = SourceFactory.build(published_on=day, published_precision=precision)
    assert (when(source, "published"), when(source, "published", "en")) == (fr, en)


@pytest.mark.parametrize(
    ("value", "options", "fr", "en"),
    [
        (dt.date(2027, 4, 1), "", "1er avril 2027", "1 April 2027"),
        (dt.date(2027, 4, 1), "short", "1er avr. 2027", "1 Apr 2027"),
        (dt.date(2026, 11, 23), "weekday", "lundi 23 novembre 2026", "Monday 23 November 2026"),
        (dt.date(2026, 12, 1), "short", "1er déc. 2026", "1 Dec 2026"),
        (dt.date(2026, 3, 2), "short", "2 mars 2026", "2 Mar 2026"),
        (dt.date(2026, 8, 15), "short", "15 août 2026", "15 Aug 2026"),
        (
            dt.datetime(2020, 9, 22, 9, 5),
            "time",
            "22 septembre 2020 à 9 h 05",
            "22 September 2020, 09:05",
        ),
        (
            dt.datetime(2020, 9, 1, 14, 30),
            "short time",
            "1er sept. 2020 à 14 h 30",
            "1 Sep 2020, 14:30",
        ),
        (dt.datetime(2020, 9, 22, 9, 5), "", "22 septembre 2020", "22 September 2020"),
        (None, "", "", ""),
    ],
)
def test_days_and_moments(value: Any, options: str, fr: str, en: str) -> None:
    assert (when(value, options), when(value, options, "en")) == (fr, en)


def test_a_moment_is_written_in_the_sites_time_zone() -> None:
    utc = dt.datetime(2020, 9, 22, 22, 30, tzinfo=dt.UTC)  # already the 23rd in Paris
    assert when(utc, "time") == "23 septembre 2020 à 0 h 30"


# --- relative times ---------------------------------------------------------------------------

TODAY = dt.date(2026, 4, 20)


@pytest.mark.parametrize(
    ("value", "precision", "fr", "en"),
    [
        (dt.date(2026, 4, 20), "day", "aujourd’hui", "today"),
        (dt.date(2026, 4, 19), "day", "hier", "yesterday"),
        (dt.date(2026, 4, 21), "day", "demain", "tomorrow"),
        (dt.date(2026, 4, 17), "day", "il y a 3 jours", "3 days ago"),
        (dt.date(2026, 4, 13), "day", "il y a 1 semaine", "1 week ago"),
        (dt.date(2026, 3, 30), "day", "il y a 3 semaines", "3 weeks ago"),
        (dt.date(2026, 3, 20), "day", "il y a 1 mois", "1 month ago"),
        (dt.date(2025, 4, 21), "day", "il y a 11 mois", "11 months ago"),
        (dt.date(2025, 4, 20), "day", "il y a 1 an", "1 year ago"),
        (dt.date(2023, 4, 20), "day", "il y a 3 ans", "3 years ago"),
        (dt.date(2026, 6, 25), "day", "dans 2 mois", "in 2 months"),
        (dt.date(2027, 4, 20), "day", "dans 1 an", "in 1 year"),
        (dt.date(2026, 4, 25), "day", "dans 5 jours", "in 5 days"),
        # Never finer than the date is known: a month counts in months, a year in years.
        (dt.date(2026, 4, 1), "month", "ce mois-ci", "this month"),
        (dt.date(2026, 3, 1), "month", "il y a 1 mois", "1 month ago"),
        (dt.date(2014, 1, 1), "month", "il y a 12 ans", "12 years ago"),
        (dt.date(2026, 1, 1), "year", "cette année", "this year"),
        (dt.date(2025, 1, 1), "year", "il y a 1 an", "1 year ago"),
    ],
)
def test_relative_times_count_singular_and_plural(
    value: dt.date, precision: str, fr: str, en: str
) -> None:
    assert dates.relative(value, TODAY, "fr", precision) == fr
    assert dates.relative(value, TODAY, "en", precision) == en


def test_the_filter_counts_from_today() -> None:
    today = timezone.localdate()
    assert when(today - dt.timedelta(days=400), "ago") == "il y a 1 an"
    assert when(today - dt.timedelta(days=3), "ago", "en") == "3 days ago"


# --- chronologies -----------------------------------------------------------------------------


def test_a_chronology_places_a_window_by_what_its_words_mean() -> None:
    def window(words: str) -> dates.Window | None:
        if not words:
            return None
        period = periods.parse_period(words, READ_ON)
        return dates.Window(
            period.start, period.end, period.precision, periods.names_deadline(words)
        )

    items = ["mars 2027", "d'ici fin 2027", "avant 2027", "hiver 2026-2027", "", "T4 2026"]
    assert dates.chronology(items, window) == [
        (2026, ["avant 2027", "T4 2026"]),
        (2027, ["mars 2027", "d'ici fin 2027", "hiver 2026-2027"]),
        (None, [""]),
    ]


# --- pages ------------------------------------------------------------------------------------


def in_english(client: Client, url: str) -> str:
    """The page as a reader who chose English sees it (the language switch's cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        return client.get(url).content.decode()
    finally:
        del client.cookies[settings.LANGUAGE_COOKIE_NAME]


def _timeline_group(html: str, year: str) -> str:
    """The milestones listed under `year` in a mission's timeline ("undated": the others)."""
    heading = year if year != "undated" else "(?:non daté|undated)"
    found = re.search(
        rf'<h3[^>]*id="timeline-{year}"[^>]*>{heading}</h3>\s*<ol[^>]*>(.*?)</ol>', html, re.S
    )
    assert found, f"no group {year} in the mission's timeline"
    return found.group(1)


@pytest.mark.django_db
def test_the_mission_page_keeps_a_sources_month_and_groups_a_deadline_under_its_year(
    client: Client,
) -> None:
    source = SourceFactory(
        published_on=dt.date(2014, 1, 1), published_precision="month", published_basis="text"
    )
    mission = MissionFactory(sources=[source])
    MilestoneFactory(workstream__mission=mission, title="Offres qualifiées", due="d'ici fin 2027")
    MilestoneFactory(workstream__mission=mission, title="Appel lancé", due="mars 2027")
    MilestoneFactory(workstream__mission=mission, title="Bilan", due="T4 2026")
    MilestoneFactory(workstream__mission=mission, title="Sans date", due=None)
    html = client.get(reverse("initiatives:mission", args=[mission.key])).content.decode()
    assert "janvier 2014" in html and "1 janvier 2014" not in html and "1er janvier" not in html
    group = _timeline_group(html, "2027")
    assert "d’ici fin 2027" in group and "Offres qualifiées" in group
    assert "mars 2027" in group and "Appel lancé" in group
    assert group.index("Appel lancé") < group.index("Offres qualifiées")  # March, then the end
    assert "Bilan" in _timeline_group(html, "2026") and "Bilan" not in group
    assert "Sans date" in _timeline_group(html, "undated")
    assert "janv. 2027" not in html and "Jan 2027" not in html

    english = in_english(client, reverse("initiatives:mission", args=[mission.key]))
    assert "January 2014" in english and "1 January 2014" not in english
    assert "by the end of 2027" in _timeline_group(english, "2027")


@pytest.mark.django_db
def test_the_dashboard_says_when_a_mission_was_last_heard_of_at_its_precision(
    client: Client,
) -> None:
    month = SourceFactory(
        published_on=dt.date(2014, 1, 1), published_precision="month", published_basis="text"
    )
    MissionFactory(title="Plan de 2014", sources=[month])
    year_ago = timezone.localdate() - dt.timedelta(days=400)
    MissionFactory(title="Plan récent", sources=[SourceFactory(published_on=year_ago)])
    html = client.get("/").content.decode()
    assert "dernière nouvelle en janvier 2014 (il y a" in html
    assert "1 janvier 2014" not in html and "1er janvier 2014" not in html
    assert f"dernière nouvelle le {dates.day(year_ago)} (il y a 1 an ;" in html
    assert "année" not in html.split('id="no-news-heading"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_a_date_from_public_record_is_said_so_and_quoted_words_keep_their_guillemets(
    client: Client,
) -> None:
    mission = MissionFactory(
        **periods.parse_period("17 mai 2021", dt.date(2021, 5, 17)).fields("launch"),
        editorial={"launch": "Le texte n'est pas daté. Registre public : 17 mai 2021."},
    )
    MilestoneFactory(
        workstream__mission=mission,
        title="Présentation",
        due="17 mai 2021",
        read_on=dt.date(2021, 5, 17),
        editorial={"due": "Registre public : présentée le 17 mai 2021."},
    )
    MilestoneFactory(workstream__mission=mission, title="Qualification", due="d'ici fin 2027")
    html = client.get(reverse("initiatives:mission", args=[mission.key])).content.decode()
    assert "« 17 mai 2021 »" not in html
    assert html.count("17 mai 2021, d’après le registre public") == 2  # launch and milestone
    assert "« d&#x27;ici fin 2027 »" in html  # quoted from a source: in guillemets
    english = in_english(client, reverse("initiatives:mission", args=[mission.key]))
    assert "17 May 2021, from public record" in english


@pytest.mark.django_db
def test_mails_write_a_deadline_at_its_precision() -> None:
    from django.template.loader import render_to_string

    from initiatives.models import DeadlineAlert

    milestone = MilestoneFactory(due="T2 2027", read_on=READ_ON)
    alert = DeadlineAlert(
        milestone=milestone, kind="due_soon", deadline=milestone.due_end, due_text="T2 2027"
    )
    with translation.override("fr"):
        mail = render_to_string(
            "emails/deadline_alert.txt", {"alert": alert, "milestone": milestone}
        )
    assert "« T2 2027 » (d’ici fin T2 2027)" in mail and "30 juin" not in mail
    # A deadline moved since: the alert keeps the day it was raised on.
    alert.deadline = dt.date(2027, 3, 31)
    with translation.override("en"):
        mail = render_to_string(
            "emails/deadline_alert.txt", {"alert": alert, "milestone": milestone}
        )
    assert "(by 31 March 2027)" in mail

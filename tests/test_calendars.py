"""Calendars of deadlines: a mission's public feed and a reader's feed at a secret address,
each parsed back with `icalendar` (every window a day, a month, a quarter, a year's end),
the address page and its reset, and what the feeds cost."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from initiatives import services
from initiatives.models import CalendarToken, Milestone

from . import factories

MY_CALENDAR = reverse("initiatives:my_calendar")


def logged_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def mission_feed(mission: Any) -> str:
    return reverse("initiatives:mission_calendar", args=[mission.key])


def user_feed(person: Any) -> str:
    return reverse("initiatives:user_calendar", args=[services.calendar_token(person).token])


def parsed(response: Any) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert response["Content-Disposition"].endswith('.ics"')
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, Any]:
    """The events, by UID."""
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(milestone: Milestone) -> str:
    return f"jalon-{milestone.pk}@127.0.0.1"


@pytest.fixture
def world(db: None, settings: Any) -> SimpleNamespace:
    """Claire coordinates a workstream of mission A (a milestone due each kind of window, an
    undated one, a cancelled one) and follows mission B; mission C is none of hers."""
    settings.SITE_URL = "http://127.0.0.1"
    claire = factories.user("claire")
    workstream = factories.WorkstreamFactory(coordinators=[claire], title="Cloud de confiance")
    read_on = dt.date(2025, 3, 10)

    def due(words: str | None, **fields: Any) -> Any:
        return factories.MilestoneFactory(
            workstream=workstream, due=words, read_on=read_on, **fields
        )

    ours = SimpleNamespace(
        day=due("12 mars 2026"),
        month=due("mars 2026"),
        quarter=due("T2 2026"),
        year_end=due("fin 2025", title="Qualification SecNumCloud"),
        undated=due(None),
        cancelled=due("juin 2026", status=Milestone.Status.CANCELLED, health="cancelled"),
    )
    followed: Any = factories.MilestoneFactory(due="avril 2026", read_on=read_on)
    services.follow(claire, followed.mission)
    other = factories.MilestoneFactory(due="mai 2026", read_on=read_on)
    return SimpleNamespace(
        claire=claire,
        mission=workstream.mission,
        ours=ours,
        followed=followed,
        other=other,
    )


def test_a_mission_feed_shows_each_window_as_an_all_day_event(world: SimpleNamespace) -> None:
    response = Client().get(mission_feed(world.mission))
    calendar = parsed(response)
    found = events(calendar)
    o = world.ours
    windows = {
        o.day: (dt.date(2026, 3, 12), dt.date(2026, 3, 13)),  # one day
        o.month: (dt.date(2026, 3, 1), dt.date(2026, 4, 1)),  # the month
        o.quarter: (dt.date(2026, 4, 1), dt.date(2026, 7, 1)),  # the quarter
        o.year_end: (dt.date(2025, 10, 1), dt.date(2026, 1, 1)),  # « fin 2025 »
        o.cancelled: (dt.date(2026, 6, 1), dt.date(2026, 7, 1)),
    }
    assert set(found) == {uid(m) for m in windows}  # the undated one is left out
    for milestone, (start, end) in windows.items():
        event = found[uid(milestone)]
        assert event.decoded("DTSTART") == start  # a date, not a moment: all day
        assert event.decoded("DTEND") == end  # exclusive end (RFC 5545)
        assert str(event["SUMMARY"]) == milestone.title
        assert str(event["URL"]) == f"http://127.0.0.1/jalons/{milestone.pk}/"
        assert event.decoded("LAST-MODIFIED") == milestone.updated_at.replace(microsecond=0)
        assert str(event["TRANSP"]) == "TRANSPARENT"
    assert b"DTSTART;VALUE=DATE:20260312\r\nDTEND;VALUE=DATE:20260313\r\n" in response.content

    # Cancelled is said; what is still to be delivered is a promise (tentative).
    assert str(found[uid(o.cancelled)]["STATUS"]) == "CANCELLED"
    assert str(found[uid(o.day)]["STATUS"]) == "TENTATIVE"

    # The words verbatim, the health in French (as of today), status, workstream, mission.
    event = found[uid(o.year_end)]
    today = timezone.localdate()
    health = o.year_end.health_on(today, settings.DEADLINE_HORIZON_DAYS)
    with translation.override("fr"):
        health_words = str(Milestone.Health(health).label)
    description = str(event["DESCRIPTION"])
    assert "Échéance, telle qu’annoncée : « fin 2025 »" in description
    assert f"Santé : {health_words}" in description
    assert "Statut déclaré : prévu" in description
    assert "Chantier : Cloud de confiance" in description
    assert f"Mission : {world.mission.title}" in description
    assert f"http://127.0.0.1/jalons/{o.year_end.pk}/" in description
    assert [str(c) for c in event["CATEGORIES"].cats] == [health, world.mission.key]
    assert "Santé : annulé" in str(found[uid(o.cancelled)]["DESCRIPTION"])

    # The calendar itself.
    assert str(calendar["VERSION"]) == "2.0"
    assert "Observatoire" in str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == f"Échéances : {world.mission.title}"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in response.content
    assert b"X-PUBLISHED-TTL:PT6H\r\n" in response.content

    # Two requests between two writes: the same bytes (DTSTAMP is the data's, not the clock's).
    assert Client().get(mission_feed(world.mission)).content == response.content


def test_an_unknown_mission_has_no_calendar(db: None) -> None:
    assert Client().get("/missions/inconnue/echeances.ics").status_code == 404


def test_the_mission_page_links_its_calendar(world: SimpleNamespace) -> None:
    page = Client().get(reverse("initiatives:mission", args=[world.mission.key]))
    assert f'href="{mission_feed(world.mission)}"' in page.content.decode()
    assert "S’abonner aux échéances (iCal)" in page.content.decode()


def test_a_readers_feed_holds_coordinated_and_followed_milestones_only(
    world: SimpleNamespace,
) -> None:
    response = Client().get(user_feed(world.claire))  # no login: the address is the key
    found = events(parsed(response))
    o = world.ours
    mine = [o.day, o.month, o.quarter, o.year_end, o.cancelled, world.followed]
    assert set(found) == {uid(m) for m in mine}
    assert uid(world.other) not in found and uid(o.undated) not in found
    # The mission's title goes with the milestone's: a reader's feed mixes missions.
    followed = found[uid(world.followed)]
    assert str(followed["SUMMARY"]) == f"{world.followed.title} ({world.followed.mission.title})"
    assert followed.decoded("DTEND") == dt.date(2026, 5, 1)
    assert response["Cache-Control"] == "private"

    # Stop following: its milestones leave the feed.
    services.unfollow(world.claire, world.followed.mission)
    assert uid(world.followed) not in events(parsed(Client().get(user_feed(world.claire))))


def test_unknown_and_inactive_addresses_answer_the_same_404(world: SimpleNamespace) -> None:
    url = user_feed(world.claire)
    assert Client().get(reverse("initiatives:user_calendar", args=["x" * 43])).status_code == 404
    world.claire.is_active = False
    world.claire.save()
    assert Client().get(url).status_code == 404


def test_the_page_gives_the_address_and_a_reset_replaces_it(world: SimpleNamespace) -> None:
    claire = logged_in(world.claire)
    page = claire.get(MY_CALENDAR)
    assert page.status_code == 200
    token = CalendarToken.objects.get(user=world.claire).token
    old_url = reverse("initiatives:user_calendar", args=[token])
    html = page.content.decode()
    assert f'value="http://127.0.0.1{old_url}"' in html and "readonly" in html
    assert "personnelle" in html and "Réinitialiser l’adresse" in html
    assert claire.get(MY_CALENDAR).status_code == 200  # made once, shown again
    assert CalendarToken.objects.get(user=world.claire).token == token
    old = Client().get(old_url)
    assert old.status_code == 200

    reset = claire.post(MY_CALENDAR, follow=True)  # POST, redirect, GET
    assert reset.redirect_chain == [(MY_CALENDAR, 302)]
    assert "nouvelle adresse" in reset.content.decode()
    new_token = CalendarToken.objects.get(user=world.claire).token
    assert new_token != token and len(new_token) >= 43
    assert Client().get(old_url).status_code == 404
    # Not even a 304 to a client holding the former answer's tag.
    assert Client().get(old_url, HTTP_IF_NONE_MATCH=old["ETag"]).status_code == 404
    assert Client().get(reverse("initiatives:user_calendar", args=[new_token])).status_code == 200


def test_the_page_is_for_signed_in_readers_and_linked_from_their_pages(
    world: SimpleNamespace,
) -> None:
    anonymous = Client().get(MY_CALENDAR)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("initiatives:login"))
    assert Client().post(MY_CALENDAR).status_code in (302, 403)
    assert not CalendarToken.objects.exists()
    claire = logged_in(world.claire)
    for page in ("initiatives:my_milestones", "initiatives:followed_missions"):
        assert f'href="{MY_CALENDAR}"' in claire.get(reverse(page)).content.decode()


def test_private_reading_still_serves_the_secret_address_only(
    world: SimpleNamespace, settings: Any
) -> None:
    url = user_feed(world.claire)
    settings.PUBLIC_READ = False
    assert Client().get(url).status_code == 200
    refused = Client().get(mission_feed(world.mission))
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("initiatives:login"))


def test_a_client_holding_the_answer_gets_304(world: SimpleNamespace) -> None:
    for url in (mission_feed(world.mission), user_feed(world.claire)):
        first = Client().get(url)
        assert first["ETag"] and first["Last-Modified"]
        again = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""


def _queries(url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    return len(queries)


def test_the_feeds_cost_the_same_queries_for_1_or_10_milestones(db: None) -> None:
    claire = factories.user("claire")
    coordinated = factories.WorkstreamFactory(coordinators=[claire])
    followed: Any = factories.MissionFactory()
    services.follow(claire, followed)

    def add(count: int) -> None:
        for _ in range(count):
            factories.MilestoneFactory(workstream=coordinated, due="T3 2026")
            factories.MilestoneFactory(mission=followed, workstream=None, due="juillet 2026")

    add(1)
    mission_url, user_url = mission_feed(coordinated.mission), user_feed(claire)
    small = (_queries(mission_url), _queries(user_url))
    add(9)
    assert (_queries(mission_url), _queries(user_url)) == small
    assert small == (3, 3)  # the data version, the mission or address, the milestones


@pytest.mark.django_db(transaction=True)
def test_two_first_visits_at_once_make_one_address() -> None:
    claire = factories.user("claire")
    tokens = factories.at_once(lambda: services.calendar_token(claire).token, 4)
    assert len(tokens) == 4 and len(set(tokens)) == 1
    assert CalendarToken.objects.filter(user=claire).count() == 1

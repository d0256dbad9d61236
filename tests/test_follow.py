"""Readers follow missions: the button of a mission page (plain POST and htmx), the page of
the missions one follows, and the changes people make reaching followers' bells and daily
digests, once, never their author's, no more after unfollowing."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from initiatives import selectors, services
from initiatives.models import Assessed, DeadlineAlert, Follow, HistoryEntry, Notification
from sovereignty import celery_app

from . import factories
from .processes import wait_until, wait_until_broker_idle

PAGE = reverse("initiatives:notifications")
FOLLOWED = reverse("initiatives:followed_missions")
BELL = reverse("initiatives:notification_bell")


def logged_in(person: Any, **options: Any) -> Client:
    client = Client(**options)
    client.force_login(person)
    return client


@pytest.fixture
def world(db: None) -> SimpleNamespace:
    """A mission whose workstream Claire and Paul coordinate, with a milestone due far off
    (no deadline alert, no digest of deadlines); Lucie reads."""
    claire, paul, lucie = factories.user("claire"), factories.user("paul"), factories.user("lucie")
    for person, first in ((claire, "Claire"), (paul, "Paul"), (lucie, "Lucie")):
        person.first_name = first
        person.save()
    milestone = factories.MilestoneFactory(
        title="Premières offres qualifiées",
        due="d'ici fin 2035",
        read_on=timezone.localdate(),
        workstream=factories.WorkstreamFactory(coordinators=[claire, paul]),
    )
    mission = milestone.mission
    return SimpleNamespace(
        claire=claire,
        paul=paul,
        lucie=lucie,
        mission=mission,
        milestone=milestone,
        url=reverse("initiatives:mission", args=[mission.key]),
        follow=reverse("initiatives:follow", args=[mission.key]),
    )


def edit(person: Any, milestone: Any, **change: Any) -> None:
    """A coordinator's edit, as the edit page makes it."""
    milestone.refresh_from_db()
    services.milestone_update(
        person, milestone.pk, services.MilestoneChange(**change), base_version=milestone.version
    )


def notifications_of(person: Any) -> list[Notification]:
    return list(Notification.objects.filter(user=person).order_by("pk"))


# --- the button -------------------------------------------------------------------------


def test_a_reader_follows_and_stops_with_plain_forms(world: SimpleNamespace) -> None:
    lucie = logged_in(world.lucie)
    page = lucie.get(world.url).content.decode()
    assert "Suivre cette mission" in page and "Ne plus suivre" not in page
    assert f'action="{world.follow}"' in page and "csrfmiddlewaretoken" in page

    response = lucie.post(world.follow, {"follow": "1", "next": world.url})
    assert response.status_code == 302 and response["Location"] == world.url
    assert Follow.objects.filter(user=world.lucie, mission=world.mission).count() == 1
    page = lucie.get(world.url).content.decode()
    assert "Ne plus suivre" in page and "Suivre cette mission" not in page
    assert "Vous suivez « " in page  # the one-time message, then gone
    assert "Vous suivez « " not in lucie.get(world.url).content.decode()

    # Twice (a second tab, a double click): still one follow, no error.
    assert lucie.post(world.follow, {"follow": "1"}).status_code == 302
    assert Follow.objects.filter(user=world.lucie).count() == 1

    # A `next` leading elsewhere is not followed: back to the mission.
    response = lucie.post(world.follow, {"follow": "0", "next": "https://ailleurs.example/"})
    assert response.status_code == 302 and response["Location"] == world.url
    assert not Follow.objects.filter(user=world.lucie).exists()
    page = lucie.get(world.url).content.decode()
    assert "Suivre cette mission" in page and "Vous ne suivez plus" in page


def test_a_loop_of_follow_clicks_is_cut_off_before_it_empties_every_cached_page(
    world: SimpleNamespace,
) -> None:
    """Each follow change makes a new data version (every cached page is built again): past
    FOLLOW_CHANGES_PER_HOUR in an hour, a change is refused and nothing is written."""
    from initiatives import dataversion
    from initiatives.follow_views import FOLLOW_CHANGES_PER_HOUR

    lucie = logged_in(world.lucie)
    for n in range(FOLLOW_CHANGES_PER_HOUR):
        assert lucie.post(world.follow, {"follow": str((n + 1) % 2)}).status_code == 302
    assert not Follow.objects.filter(user=world.lucie).exists()  # an even number of changes
    version = dataversion.identity()
    refused = lucie.post(world.follow, {"follow": "1"})
    assert refused.status_code == 429
    assert "Trop de changements" in refused.content.decode()
    assert not Follow.objects.filter(user=world.lucie).exists()
    assert dataversion.identity() == version
    # Someone else is not held back by Lucie's clicks.
    assert logged_in(world.paul).post(world.follow, {"follow": "1"}).status_code == 302


def test_htmx_swaps_only_the_buttons_region(world: SimpleNamespace) -> None:
    lucie = logged_in(world.lucie)
    response = lucie.post(world.follow, {"follow": "1", "next": world.url}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "<h1" not in body  # the region, not the page
    assert f'id="follow-button-{world.mission.key}"' in body  # same id: the focus stays on it
    assert "Ne plus suivre" in body and "Missions suivies" in body
    assert f'name="next" value="{world.url}"' in body  # and works again without JavaScript
    assert "HX-Request" in response["Vary"]
    assert Follow.objects.filter(user=world.lucie, mission=world.mission).exists()
    # No one-time message waits: htmx said it in place.
    assert "Vous suivez « " not in lucie.get(world.url).content.decode()

    body = lucie.post(world.follow, {"follow": "0"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Suivre cette mission" in body and "Ne plus suivre" not in body
    assert not Follow.objects.filter(user=world.lucie).exists()


def test_following_needs_a_signed_in_user_the_csrf_token_and_a_clear_answer(
    world: SimpleNamespace,
) -> None:
    # A visitor sees a way to sign in, and their POST is sent to sign in.
    page = Client().get(world.url).content.decode()
    assert "Se connecter pour suivre" in page
    assert f'href="/connexion/?next={world.url}"' in page
    response = Client().post(world.follow, {"follow": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    assert Client().get(FOLLOWED).status_code == 302
    # Without the token: refused, htmx or not.
    strict = logged_in(world.lucie, enforce_csrf_checks=True)
    assert strict.post(world.follow, {"follow": "1"}).status_code == 403
    assert strict.post(world.follow, {"follow": "1"}, HTTP_HX_REQUEST="true").status_code == 403
    assert not Follow.objects.exists()
    # Bad input is a 400 that says why; an unknown mission a 404; GET is not a way to follow.
    lucie = logged_in(world.lucie)
    for bad in ("", "2", "oui", "1; DROP TABLE"):
        response = lucie.post(world.follow, {"follow": bad})
        assert response.status_code == 400
        assert "Indiquez si vous voulez suivre cette mission." in response.content.decode()
    assert lucie.post("/missions/inconnue/suivre/", {"follow": "1"}).status_code == 404
    assert lucie.get(world.follow).status_code == 405
    assert not Follow.objects.exists()


def test_one_follows_for_oneself_only(world: SimpleNamespace) -> None:
    lucie = logged_in(world.lucie)
    # Naming someone else changes nothing: the view follows for the signed-in user.
    lucie.post(world.follow, {"follow": "1", "user": world.paul.pk, "user_id": world.paul.pk})
    assert list(Follow.objects.values_list("user__username", flat=True)) == ["lucie"]
    # Nor can anyone stop another's following.
    services.follow(world.paul, world.mission)
    logged_in(world.claire).post(world.follow, {"follow": "0", "user": world.paul.pk})
    assert Follow.objects.filter(user=world.paul).exists()
    # The service refuses a visitor, and an account that was switched off.
    with pytest.raises(PermissionDenied):
        services.follow(AnonymousUser(), world.mission)
    world.lucie.is_active = False
    with pytest.raises(PermissionDenied):
        services.follow(world.lucie, world.mission)


def test_the_page_of_followed_missions_lists_them_and_stops_following(
    world: SimpleNamespace,
) -> None:
    lucie = logged_in(world.lucie)
    assert "Vous ne suivez encore aucune mission." in lucie.get(FOLLOWED).content.decode()
    other = factories.MissionFactory(title="Stratégie <cloud> & co")
    services.follow(world.lucie, world.mission)
    services.follow(world.lucie, other)
    services.follow(world.paul, world.mission)  # someone else's: not on Lucie's page
    page = lucie.get(FOLLOWED).content.decode()
    assert page.count("Ne plus suivre") == 2
    assert "Stratégie &lt;cloud&gt; &amp; co" in page and "<cloud>" not in page
    assert world.mission.title in page and "suivie depuis le" in page
    # The notifications page leads there.
    assert f'href="{FOLLOWED}"' in lucie.get(PAGE).content.decode()

    response = lucie.post(world.follow, {"follow": "0", "next": FOLLOWED})
    assert response.status_code == 302 and response["Location"] == FOLLOWED
    page = lucie.get(FOLLOWED).content.decode()
    assert page.count("Ne plus suivre") == 1 and f'href="{world.url}"' not in page
    assert f"Vous ne suivez plus « {world.mission.title} »." in page
    assert Follow.objects.filter(user=world.paul).exists()


def test_the_mission_page_shows_each_reader_their_own_state_from_the_cache(
    world: SimpleNamespace,
) -> None:
    """The mission page is cached per user; a follow is a write the pages read, so the next
    page says so, and another reader's page is not touched."""
    lucie, paul = logged_in(world.lucie), logged_in(world.paul)
    for client in (lucie, paul, lucie, paul):  # rendered, then from the cache
        assert "Suivre cette mission" in client.get(world.url).content.decode()
    lucie.post(world.follow, {"follow": "1"}, HTTP_HX_REQUEST="true")
    assert "Ne plus suivre" in lucie.get(world.url).content.decode()
    assert "Suivre cette mission" in paul.get(world.url).content.decode()


# --- what followers are told ------------------------------------------------------------


def test_a_coordinators_change_reaches_each_follower_once_and_not_its_author(
    world: SimpleNamespace,
) -> None:
    # Lucie reads; Paul coordinates too and follows; Claire follows and makes the change.
    for person in (world.lucie, world.paul, world.claire):
        services.follow(person, world.mission)
    edit(world.claire, world.milestone, status="in_progress", progress=40)
    assert services.notify_followers() == 2
    assert services.notify_followers() == 0  # beat again, or delivered twice: nothing new
    for person in (world.lucie, world.paul):
        (told,) = notifications_of(person)
        assert told.change is not None and told.alert is None
    assert notifications_of(world.claire) == []

    # Lucie's bell counts it; her notifications page tells what changed, who, on what.
    lucie = logged_in(world.lucie)
    assert "Notifications (1 non lue)" in lucie.get(BELL).content.decode()
    page = lucie.get(PAGE).content.decode()
    item = page.split(f'id="notification-{notifications_of(world.lucie)[0].pk}"')[1]
    item = item.split("</li>\n")[0]
    assert world.milestone.title in item and "une mission que vous suivez" in item
    assert "par Claire" in item
    assert "Statut : prévu → en cours" in item
    assert "Avancement (%) : 0 % → 40 %" in item
    assert f'href="/jalons/{world.milestone.pk}/"' in item
    # Marked read like any other (htmx: the item alone comes back), the bell empties.
    (told,) = notifications_of(world.lucie)
    response = lucie.post(PAGE, {"read": told.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Statut : prévu → en cours" in response.content.decode()
    assert "non lue" not in lucie.get(BELL).content.decode()

    # A change that says nothing a follower follows (a title typo) tells nobody.
    edit(world.claire, world.milestone, title="Premières offres qualifiées (SecNumCloud)")
    assert services.notify_followers() == 0


def test_an_assessment_of_the_mission_reaches_its_followers(world: SimpleNamespace) -> None:
    from django.contrib.auth.models import Group

    from initiatives.apps import OBSERVERS

    odile = factories.user("odile")
    odile.groups.add(Group.objects.get(name=OBSERVERS))
    services.follow(world.lucie, world.mission)
    services.record_assessment(
        odile,
        world.mission,
        services.AssessmentInput(
            rating=Assessed.NO_EVIDENCE,
            as_of=timezone.localdate(),
            rationale="Aucun texte public depuis l’annonce.",
            evidence=[],
        ),
    )
    assert services.notify_followers() == 1
    page = logged_in(world.lucie).get(PAGE).content.decode()
    assert "nouvelle évaluation" in page and world.mission.title in page
    assert "Statut constaté : non évalué → aucun élément probant" in page


def test_unfollowing_stops_the_changes(world: SimpleNamespace) -> None:
    services.follow(world.lucie, world.mission)
    edit(world.claire, world.milestone, progress=20)
    assert services.notify_followers() == 1
    logged_in(world.lucie).post(world.follow, {"follow": "0"})
    edit(world.claire, world.milestone, progress=30)
    assert services.notify_followers() == 0
    assert len(notifications_of(world.lucie)) == 1  # what she was told stays hers
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    # Her digest still has the change made while she followed, and nothing after.
    digest = selectors.digest_for(world.lucie, tomorrow)
    assert [c.changes[0].new for c in digest.followed] == ["20 %"]


def test_the_digest_tells_a_follower_yesterdays_changes_once(
    world: SimpleNamespace, mailoutbox: list[Any]
) -> None:
    services.follow(world.lucie, world.mission)
    services.follow(world.claire, world.mission)
    edit(world.claire, world.milestone, status="in_progress", progress=40, comment="Lancé")
    services.notify_followers()
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    # Today's changes are tomorrow's digest; the author gets none of hers.
    assert world.lucie.pk not in selectors.digest_recipients(today)
    assert selectors.digest_recipients(tomorrow) == [world.lucie.pk]
    assert services.send_digest(world.lucie.pk, tomorrow) == 1
    (message,) = mailoutbox
    assert message.to == [world.lucie.email]
    assert message.subject.startswith("Missions suivies, changements du ")
    assert message.subject.endswith(" : 1")
    body = message.body
    assert "Voici ce qui a changé hier dans les missions que vous suivez." in body
    assert "DANS LES MISSIONS QUE VOUS SUIVEZ, HIER : 1 changement" in body
    assert f"- {world.milestone.title} — {world.mission.title}, par Claire" in body
    assert "Statut : prévu → en cours" in body and "Commentaire : — → Lancé" in body
    assert f"/jalons/{world.milestone.pk}/" in body and FOLLOWED in body
    assert "échéances des chantiers que vous coordonnez" not in body
    # Once: the same day again sends nothing; the next day has nothing new to say.
    assert services.send_digest(world.lucie.pk, tomorrow) == 0
    day_after = tomorrow + dt.timedelta(days=1)
    assert world.lucie.pk not in selectors.digest_recipients(day_after)
    assert services.send_digest(world.lucie.pk, day_after) == 0
    assert len(mailoutbox) == 1


def test_a_follower_gets_the_deadline_alerts_once_even_as_a_coordinator(
    world: SimpleNamespace, mailoutbox: list[Any]
) -> None:
    services.follow(world.lucie, world.mission)
    services.follow(world.paul, world.mission)  # a coordinator already told as such
    alert = DeadlineAlert.objects.create(
        milestone=world.milestone,
        kind=DeadlineAlert.Kind.NO_NEWS,
        deadline=dt.date(2035, 12, 31),
        due_text="d'ici fin 2035",
    )
    services.notify_alert(alert.pk)
    services.notify_alert(alert.pk)
    for person in (world.lucie, world.paul, world.claire):
        assert [n.alert_id for n in notifications_of(person)] == [alert.pk]
    # The email asks the coordinators to act: not to the reader.
    assert [sorted(m.to) for m in mailoutbox] == [[world.claire.email, world.paul.email]]
    ask = "Donnez des nouvelles de ce jalon"
    assert ask in logged_in(world.paul).get(PAGE).content.decode()
    assert ask not in logged_in(world.lucie).get(PAGE).content.decode()


def test_changes_reach_followers_through_a_real_worker_once(transactional_db: None) -> None:
    person = factories.user("claire")
    reader = factories.user("lucie")
    milestone = factories.MilestoneFactory(
        due="d'ici fin 2035",
        read_on=timezone.localdate(),
        workstream=factories.WorkstreamFactory(coordinators=[person]),
    )
    services.follow(reader, milestone.mission)
    edit(person, milestone, progress=60)
    entry = HistoryEntry.objects.filter(row_id=milestone.pk, via="edit").get()
    assert entry.notified_at is None
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        for _ in range(2):  # beat's tick, and a redelivery
            celery_app.send_task("initiatives.notify_followers", ignore_result=True)
        assert wait_until(lambda: Notification.objects.filter(user=reader).exists(), timeout=30)
        wait_until_broker_idle(settings.CELERY_BROKER_URL)
    assert Notification.objects.filter(user=reader, change=entry).count() == 1
    entry.refresh_from_db()
    assert entry.notified_at is not None
    celery_app.finalize()
    schedule = celery_app.conf.beat_schedule["notify-followers"]
    assert schedule["task"] == "initiatives.notify_followers"
    assert schedule["schedule"] == settings.BELL_POLL_SECONDS

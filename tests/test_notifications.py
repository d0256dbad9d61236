"""In-app notifications: created with the alert's email, under the bell, marked read by their
owner only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from initiatives import services
from initiatives.models import DeadlineAlert, Notification, Workstream

from . import factories

pytestmark = pytest.mark.django_db
MISSION = "mission-numerique-grands-groupes"
TODAY = dt.date(2026, 11, 23)
BELL = reverse("initiatives:notification_bell")
PAGE = reverse("initiatives:notifications")


@pytest.fixture
def alerted(seeded: None) -> tuple[object, object, list[DeadlineAlert]]:
    """Claire coordinates the mission's workstreams and has no email; Paul has one. The
    sweep's alerts for them are notified."""
    claire = get_user_model().objects.create_user("claire", first_name="Claire")
    paul = factories.user("paul")
    for workstream in Workstream.objects.filter(mission__key=MISSION):
        workstream.coordinators.add(claire, paul)
    services.deadlines_sweep(TODAY)
    alerts = list(
        DeadlineAlert.objects.filter(milestone__workstream__mission__key=MISSION).order_by("pk")
    )
    for alert in alerts:
        services.notify_alert(alert.pk)
    return claire, paul, alerts


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_coordinator_gets_a_notification_even_without_an_email(alerted, mailoutbox) -> None:
    claire, paul, alerts = alerted
    assert len(alerts) > 1
    for user in (claire, paul):
        assert Notification.objects.filter(user=user).count() == len(alerts)
    assert len(mailoutbox) == len(alerts)  # one email each, to Paul only
    assert all(m.to == [paul.email] for m in mailoutbox)
    # Delivered again: nothing new, anywhere.
    services.notify_alert(alerts[0].pk)
    assert Notification.objects.filter(user=claire).count() == len(alerts)
    assert len(mailoutbox) == len(alerts)


def test_the_bell_counts_what_is_unread(alerted) -> None:
    claire, _, alerts = alerted
    body = client_for(claire).get(BELL, HTTP_HX_REQUEST="true").content.decode()
    assert f"Notifications ({len(alerts)} non lues)" in body
    assert 'hx-trigger="every 60s' in body  # it keeps polling
    assert Client().get(BELL).status_code == 204  # visitors: nothing to show
    # Every page carries the bell for a signed-in user, and not for a visitor.
    assert f'href="{PAGE}"' in client_for(claire).get("/").content.decode()
    assert f'href="{PAGE}"' not in Client().get("/").content.decode()


def test_the_page_lists_ones_own_notifications_and_marks_them_read(alerted) -> None:
    claire, paul, alerts = alerted
    someone = factories.user("quelquun")
    client = client_for(claire)
    page = client.get(PAGE).content.decode()
    assert f"{len(alerts)} notifications non lues" in page
    assert escape(alerts[0].milestone.title) in page
    assert "Tout marquer comme lu" in page
    assert client_for(someone).get(PAGE).content.decode().count('class="notification') == 0

    mine = Notification.objects.filter(user=claire).order_by("-created_at", "-pk").first()
    response = client.post(PAGE, {"read": mine.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"  # the bell refreshes itself
    item = response.content.decode().split('<span id="unread-count"')[0]
    assert f'id="notification-{mine.pk}"' in item and "fr-badge--new" not in item
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert (
        f'id="unread-count" hx-swap-oob="true">{len(alerts) - 1} notifications non lues.'
        in response.content.decode()
    )
    assert Notification.objects.filter(user=paul, read_at__isnull=False).count() == 0

    response = client.post(PAGE, {"read": "all"})
    assert response.status_code == 302
    assert not Notification.objects.filter(user=claire, read_at__isnull=True).exists()
    page = client.get(PAGE).content.decode()
    assert "0 notification non lue." in page and "Tout marquer comme lu" not in page


def test_nobody_marks_anothers_notifications_and_bad_input_is_a_clear_error(alerted) -> None:
    claire, paul, _ = alerted
    pauls = Notification.objects.filter(user=paul).first()
    client = client_for(claire)
    assert client.post(PAGE, {"read": pauls.pk}).status_code == 404
    assert Notification.objects.get(pk=pauls.pk).read_at is None
    for bad in ("abc", "", "-1", "9" * 40):
        assert client.post(PAGE, {"read": bad}).status_code == 400
    assert client.get(PAGE, {"page": "zzz"}).status_code == 200  # a bad page number: the first
    assert Client().get(PAGE).status_code == 302  # log in first
    assert Client().post(PAGE, {"read": "all"}).status_code == 302


def test_marking_read_needs_the_csrf_token(alerted) -> None:
    claire, _, _ = alerted
    client = Client(enforce_csrf_checks=True)
    client.force_login(claire)
    assert client.post(PAGE, {"read": "all"}, HTTP_HX_REQUEST="true").status_code == 403
    assert Notification.objects.filter(user=claire, read_at__isnull=True).exists()


def test_digits_other_than_ascii_are_a_clear_error_and_mark_nothing(alerted) -> None:
    claire, _, _ = alerted
    client = client_for(claire)
    mine = Notification.objects.filter(user=claire).order_by("pk").first()
    # "²" is a digit to str.isdigit() that int() refuses; Arabic-Indic digits are ones int()
    # reads: either way, not a notification number the page ever sends.
    arabic_indic = str(mine.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for bad in ("²", "١٢", arabic_indic, f"{mine.pk}²"):
        response = client.post(PAGE, {"read": bad})
        assert response.status_code == 400
        assert "Notification inconnue." in response.content.decode()
    assert not Notification.objects.filter(user=claire, read_at__isnull=False).exists()

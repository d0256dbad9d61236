"""Accounts: the login page, throttled failures, ProConnect over real HTTP, PUBLIC_READ."""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import urlparse

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from initiatives.models import ProConnectIdentity

from .oidc_provider import Provider

pytestmark = pytest.mark.django_db


def test_login_page_in_the_dsfr_look_logs_in_and_out(seeded: None) -> None:
    get_user_model().objects.create_user("claire", password="pw-claire-2026", first_name="Claire")
    client = Client()
    page = client.get(reverse("initiatives:login")).content.decode()
    assert 'class="fr-input"' in page and "identifier avec ProConnect</a>" in page
    response = client.post(
        reverse("initiatives:login"),
        {"username": "claire", "password": "pw-claire-2026", "next": "/frise/"},
    )
    assert response.status_code == 302 and response["Location"] == "/frise/"
    assert "Se déconnecter (Claire)" in client.get("/").content.decode()
    assert client.post(reverse("initiatives:logout")).status_code == 302
    assert "Se connecter" in client.get("/").content.decode()


def test_a_wrong_password_keeps_the_username_and_says_why(db: None) -> None:
    get_user_model().objects.create_user("claire", password="pw-claire-2026")
    response = Client().post(
        reverse("initiatives:login"), {"username": "claire", "password": "non"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="claire"' in html and "fr-alert--error" in html


def test_failed_logins_are_throttled(db: None, settings: object) -> None:
    get_user_model().objects.create_user("claire", password="pw-claire-2026")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):  # type: ignore[attr-defined]
        client.post(reverse("initiatives:login"), {"username": "claire", "password": "faux"})
    # Locked out, even with the right password now; another account is not.
    locked = client.post(
        reverse("initiatives:login"), {"username": "claire", "password": "pw-claire-2026"}
    )
    assert locked.status_code == 429
    assert "Trop de tentatives échouées" in locked.content.decode()
    get_user_model().objects.create_user("lea", password="pw-lea-2026")
    other = client.post(
        reverse("initiatives:login"), {"username": "lea", "password": "pw-lea-2026"}
    )
    assert other.status_code == 302


@pytest.fixture
def provider() -> Provider:
    with Provider(int(os.environ["OIDC_TEST_PORT"])) as running:
        yield running


def proconnect_login(client: Client, provider: Provider, agent: dict[str, str]) -> object:
    provider.agent = agent
    start = client.get("/oidc/authenticate/", {"next": "/missions/"})
    assert start.status_code == 302 and start["Location"].startswith(provider.issuer)
    # The browser's trip to ProConnect and back, over HTTP.
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    callback = urlparse(answer.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


AGENT = {
    "sub": "proconnect-sub-1",
    "uid": "1234-agent",
    "email": "Claire.Dupont@numerique.gouv.fr",
    "given_name": "Claire",
    "usual_name": "Dupont",
    "siret": "13002526500013",
}


def test_proconnect_login_creates_the_agent_then_finds_them_by_email(
    db: None, provider: Provider
) -> None:
    client = Client()
    response = proconnect_login(client, provider, AGENT)
    assert response.status_code == 302 and response["Location"] == "/missions/"
    assert {"/authorize", "/token", "/jwks", "/userinfo"} <= set(provider.requests)
    user = get_user_model().objects.get(email__iexact=AGENT["email"])
    assert (user.first_name, user.last_name) == ("Claire", "Dupont")
    identity = ProConnectIdentity.objects.get(user=user)
    assert (identity.uid, identity.siret) == ("1234-agent", "13002526500013")
    assert "Se déconnecter (Claire Dupont)" in client.get("/").content.decode()

    # The same agent again, email in other case and a new siret: the same account.
    again = proconnect_login(
        Client(), provider, {**AGENT, "email": AGENT["email"].lower(), "siret": "11000201100044"}
    )
    assert again.status_code == 302
    assert get_user_model().objects.filter(email__iexact=AGENT["email"]).count() == 1
    assert ProConnectIdentity.objects.get(user=user).siret == "11000201100044"


def test_an_existing_account_is_matched_by_email(db: None, provider: Provider) -> None:
    existing = get_user_model().objects.create_user(
        "cdupont", email="claire.dupont@numerique.gouv.fr"
    )
    client = Client()
    assert proconnect_login(client, provider, AGENT).status_code == 302
    assert client.session["_auth_user_id"] == str(existing.pk)


def test_a_forged_state_is_refused(db: None, provider: Provider) -> None:
    client = Client()
    provider.agent = AGENT
    client.get("/oidc/authenticate/")
    response = client.get("/oidc/callback/", {"code": "x", "state": "forged"})
    assert response.status_code in (302, 400)
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(email__iexact=AGENT["email"]).exists()


def test_without_public_read_visitors_are_sent_to_login(seeded: None, settings: object) -> None:
    settings.PUBLIC_READ = False  # type: ignore[attr-defined]
    for url in ("/", "/missions/", "/frise/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("initiatives:login"))
    assert Client().get(reverse("initiatives:login")).status_code == 200
    assert Client().get("/healthz").status_code == 200
    reader = get_user_model().objects.create_user("lea", password="pw-lea-2026")
    client = Client()
    client.force_login(reader)
    assert client.get("/missions/").status_code == 200


def test_a_spray_from_an_address_does_not_shut_proconnect_there(
    db: None, provider: Provider, settings: object
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    client = Client()
    for i in range(settings.AXES_ADDRESS_FAILURE_LIMIT):  # type: ignore[attr-defined]
        client.post(reverse("initiatives:login"), {"username": f"agent{i}", "password": "faux"})
    # Passwords are locked out from this address...
    locked = client.post(reverse("initiatives:login"), {"username": "agent0", "password": "faux"})
    assert locked.status_code == 429
    # ...agents who log in through ProConnect, whose password is not typed here, are not.
    response = proconnect_login(client, provider, AGENT)
    assert response.status_code == 302 and response["Location"] == "/missions/"
    assert "Se déconnecter (Claire Dupont)" in client.get("/").content.decode()


def test_successful_logins_are_forgotten_after_their_retention_by_a_nightly_task(
    transactional_db: None, client: Client
) -> None:
    """The personal-data page promises how long successful logins are kept: beat runs the
    pass each night, and a real worker on the real broker deletes what is past it."""
    from axes.models import AccessLog
    from celery.contrib.testing.worker import start_worker

    from initiatives.auth import LOGIN_RECORDS_KEPT
    from initiatives.tasks import forget_old_logins
    from sovereignty import celery_app

    from .processes import wait_until

    now = timezone.now()
    old, recent = (
        AccessLog.objects.create(
            username=name, ip_address="192.0.2.1", user_agent="Firefox", path_info="/connexion/"
        )
        for name in ("ancienne", "recente")
    )
    AccessLog.objects.filter(pk=old.pk).update(
        attempt_time=now - LOGIN_RECORDS_KEPT - dt.timedelta(days=1)
    )
    AccessLog.objects.filter(pk=recent.pk).update(
        attempt_time=now - LOGIN_RECORDS_KEPT + dt.timedelta(days=1)
    )

    celery_app.finalize()
    entry = celery_app.conf.beat_schedule["forget-old-logins"]
    assert entry["task"] == "initiatives.forget_old_logins"
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        forget_old_logins.delay()
        assert wait_until(lambda: not AccessLog.objects.filter(pk=old.pk).exists(), timeout=20)
    assert AccessLog.objects.filter(pk=recent.pk).exists()

    page = client.get("/donnees-personnelles/").content.decode()
    assert f"effacées au bout de {LOGIN_RECORDS_KEPT.days} jours, chaque nuit" in page

"""Failed password logins are throttled three ways: one account from one address, one account
from anywhere, one address on any account; behind a reverse proxy, by the client's address."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db
LOGIN = reverse("initiatives:login")
PROXY = "10.0.0.2"  # the reverse proxy, as the app sees every connection behind it
GUESSES = ("azerty", "123456", "motdepasse", "soleil")


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    """Django's testing advice: a fast hasher. Dozens of logins with the real one's 1,000,000
    iterations add tens of seconds, and throttling does not depend on the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@functools.cache
def browser() -> Client:
    """One Client for all: each new one loads the middleware again, and WhiteNoise's then walks
    every static file (seconds on a busy machine)."""
    return Client()


def login(username: str, password: str, **extra: Any) -> int:
    """One login attempt from a browser with no cookies; its status: 302 in, 200 refused, 429
    locked out."""
    browser().cookies.clear()
    return browser().post(LOGIN, {"username": username, "password": password}, **extra).status_code


def agents(count: int) -> list[str]:
    for i in range(count):
        get_user_model().objects.create_user(f"agent{i}", password=f"juste-{i}-2026")
    return [f"agent{i}" for i in range(count)]


# How a client at `address` reaches the app: directly (PROXY_COUNT=0), or through one proxy
# that appends it to X-Forwarded-For (PROXY_COUNT=1). Either way the client also sends an
# X-Forwarded-For of its own, different each time: it must not choose its address.
ROUTES = {
    "direct": (
        0,
        lambda address, n: {"REMOTE_ADDR": address, "HTTP_X_FORWARDED_FOR": f"192.0.2.{n % 250}"},
    ),
    "behind a proxy": (
        1,
        lambda address, n: {
            "REMOTE_ADDR": PROXY,
            "HTTP_X_FORWARDED_FOR": f"192.0.2.{n % 250}, {address}",
        },
    ),
}


@pytest.mark.parametrize("route", ROUTES)
def test_spraying_a_few_guesses_on_many_accounts_from_one_address_is_locked_out(
    settings: Any, route: str
) -> None:
    settings.PROXY_COUNT, via = ROUTES[route]
    users = agents(8)
    statuses = [
        login(user, guess, **via("203.0.113.5", n))
        for n, (guess, user) in enumerate((g, u) for g in GUESSES for u in users)
    ]
    # Never more than 4 guesses on one account, and still locked out well before the end.
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert limit < len(users) * len(GUESSES)
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert set(statuses[limit - 1 :]) == {429}
    # Even the right password is refused from there during the cool-off...
    assert login("agent0", "juste-0-2026", **via("203.0.113.5", 999)) == 429
    # ...but not from another address, for the same accounts.
    assert login("agent0", "juste-0-2026", **via("198.51.100.7", 1000)) == 302
    assert login("agent7", "juste-7-2026", **via("198.51.100.8", 1001)) == 302
    # Once the cool-off has passed with no new failure, the address may log in again.
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert login("agent1", "juste-1-2026", **via("203.0.113.5", 1002)) == 302


def test_guesses_on_one_account_from_many_addresses_lock_that_account(settings: Any) -> None:
    settings.PROXY_COUNT = 1
    User = get_user_model()
    User.objects.create_user("claire", password="pw-claire-2026")
    User.objects.create_user("lea", password="pw-lea-2026")
    behind_proxy = {"REMOTE_ADDR": PROXY}
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT  # one failure per address: the pair never trips
    statuses = [
        login("claire", f"faux-{i}", HTTP_X_FORWARDED_FOR=f"203.0.113.{i + 1}", **behind_proxy)
        for i in range(limit)
    ]
    assert statuses == [200] * (limit - 1) + [429]
    # Claire's account is locked out everywhere for the cool-off, her password or not...
    elsewhere = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", **behind_proxy}
    assert login("claire", "pw-claire-2026", **elsewhere) == 429
    # ...another agent, from another address or the same proxy, is not.
    assert login("lea", "pw-lea-2026", HTTP_X_FORWARDED_FOR="198.51.100.8", **behind_proxy) == 302


def test_logging_in_between_guesses_does_not_wipe_the_address_count(settings: Any) -> None:
    users = agents(8)
    get_user_model().objects.create_user("mallory", password="pw-mallory-2026")
    here = {"REMOTE_ADDR": "203.0.113.5"}
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    guesses = [(u, g) for g in GUESSES for u in users]
    for user, guess in guesses[: limit - 2]:
        assert login(user, guess, **here) == 200
    # An account of one's own, in the middle of a spray: in, and the count stays.
    assert login("mallory", "pw-mallory-2026", **here) == 302
    assert login(guesses[limit - 2][0], guesses[limit - 2][1], **here) == 200
    assert login(guesses[limit - 1][0], guesses[limit - 1][1], **here) == 429


def test_a_success_clears_ones_own_mistakes(settings: Any) -> None:
    get_user_model().objects.create_user("claire", password="pw-claire-2026")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login("claire", "faux") == 200
    assert login("claire", "pw-claire-2026") == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login("claire", "faux") == 200


def test_the_admin_names_the_lockouts_section_for_what_it_holds(admin_client: Client) -> None:
    """django-axes's section of the administration was "AXES", a word the domain uses for
    workstreams: it says what it holds, and its pages stay where they were."""
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Connexions et blocages" in page and ">Axes<" not in page
    section = admin_client.get(reverse("admin:app_list", args=["axes"]))
    assert section.status_code == 200 and "Connexions et blocages" in section.content.decode()

"""ProConnect login (OpenID Connect) through mozilla-django-oidc.

An agent is matched to an account by email; a first login creates the account, a reader with
no rights until an administrator assigns workstreams. The claims ProConnect sends — given_name,
usual_name, email, uid, siret — fill the name and the identity record."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import ProConnectIdentity


class ProConnectBackend(OIDCAuthenticationBackend):
    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """ProConnect answers the userinfo endpoint with a signed JWT, not JSON: verified
        with the provider's keys like the ID token."""
        response = self.request_session().get(
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        if response.headers.get("Content-Type", "").startswith("application/jwt"):
            return self.verify_token(response.text)
        return response.json()

    def request_session(self) -> Any:
        import requests

        return requests.Session()

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("email")) and bool(claims.get("uid") or claims.get("sub"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[Any]:
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email)

    def create_user(self, claims: dict[str, Any]) -> Any:
        email = claims["email"].strip()
        user = get_user_model().objects.create_user(
            username=_free_username(email),
            email=email,
            first_name=(claims.get("given_name") or "")[:150],
            last_name=(claims.get("usual_name") or "")[:150],
        )
        _remember_identity(user, claims)
        return user

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        user.first_name = (claims.get("given_name") or user.first_name)[:150]
        user.last_name = (claims.get("usual_name") or user.last_name)[:150]
        user.save(update_fields=["first_name", "last_name"])
        _remember_identity(user, claims)
        return user


def _free_username(email: str) -> str:
    User = get_user_model()
    base = email.lower()[:140]
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _remember_identity(user: Any, claims: dict[str, Any]) -> None:
    ProConnectIdentity.objects.update_or_create(
        user=user,
        defaults={
            "uid": str(claims.get("uid") or claims.get("sub") or "")[:255],
            "siret": str(claims.get("siret") or "")[:14],
        },
    )


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes' answer to a login that is locked out: a page in the site's look, 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


def client_address(request: HttpRequest) -> str | None:
    """The client's address as django-axes counts it (AXES_CLIENT_IP_CALLABLE).

    Each of the PROXY_COUNT reverse proxies in front of the app appends the address it got
    the request from to X-Forwarded-For, so the client is the PROXY_COUNT-th entry from the
    end: whatever stands further left was written by the client and proves nothing. Without
    proxies, or when the header has no valid address there (the request did not come through
    them), the address of the connection itself."""
    count = settings.PROXY_COUNT
    if count > 0:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(hops) >= count:
            try:
                return str(ipaddress.ip_address(hops[-count].strip()))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


class PerParameterLimits(AxesDatabaseHandler):
    """django-axes' database handler with a limit of its own for each lockout parameter.

    Axes sums the failures matching each entry of AXES_LOCKOUT_PARAMETERS and compares the
    largest sum with one limit, AXES_FAILURE_LIMIT. An account on its own and an address on
    its own need higher limits than the two together (everyone behind one NAT shares an
    address), so the number given to axes is AXES_FAILURE_LIMIT plus how far the nearest
    parameter is past its own limit: it reaches AXES_FAILURE_LIMIT exactly when one of
    them reaches its own."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        if not get_client_username(request, credentials):
            # ProConnect: no password is typed here, and a spray from the same address must
            # not shut the door on agents who log in through it.
            return 0
        limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        counts = [m.aggregate(n=Sum("failures_since_start"))["n"] or 0 for m in attempts]
        beyond = max(
            count - _limit_of(parameter, limit)
            for parameter, count in zip(parameters, counts, strict=True)
        )
        return limit + beyond

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A successful login clears that account's failures from that address only. Axes
        would clear whatever matches each parameter, the address's failures on every other
        account included: whoever holds one account could then wipe a spray's count by
        logging in between guesses."""
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        ).delete()
        return count


def _limit_of(parameter: str | list[str], pair_limit: int) -> int:
    names = {parameter} if isinstance(parameter, str) else set(parameter)
    if names == {"username"}:
        return int(settings.AXES_ACCOUNT_FAILURE_LIMIT)
    if names == {"ip_address"}:
        return int(settings.AXES_ADDRESS_FAILURE_LIMIT)
    return pair_limit


# Successful logins (django-axes' AccessLog: username, address, user agent, login and logout
# times) are kept this long for the accounts' security, then forgotten: the personal-data page
# states it. Failed attempts go much sooner (AXES_COOLOFF_TIME, on the next attempt).
LOGIN_RECORDS_KEPT = dt.timedelta(days=180)


def forget_old_logins(now: dt.datetime | None = None) -> int:
    """Delete the successful-login records older than LOGIN_RECORDS_KEPT; how many."""
    cutoff = (now or timezone.now()) - LOGIN_RECORDS_KEPT
    deleted, _ = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted

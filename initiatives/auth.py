"""ProConnect login (OpenID Connect) through mozilla-django-oidc.

An agent is matched to an account by email; a first login creates the account, a reader with
no rights until an administrator assigns workstreams. The claims ProConnect sends — given_name,
usual_name, email, uid, siret — fill the name and the identity record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import ProConnectIdentity


class ProConnectBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
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


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes' answer to a login that is locked out: a page in the site's look, 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429
    )

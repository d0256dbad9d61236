"""Who may read the API, and how often: read access follows PUBLIC_READ as the pages do, and
each client has a rate, told in every answer's RateLimit headers (IETF httpapi draft
"RateLimit header fields for HTTP")."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)


class PublicRead(BasePermission):
    """Anyone while PUBLIC_READ is on; signed-in users only when it is off. Every endpoint
    is read-only: other methods are refused further on (405), whoever asks."""

    message = _("Sign in to read this data: it is not public on this site.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(settings.PUBLIC_READ or request.user.is_authenticated)


class _Told:
    """A throttle that leaves on the request what its RateLimit headers say, and lets the
    request through when the cache that counts is away: the cache is a server the API can do
    without, and an unreachable counter must cost a limit, never an answer (house rule 10)."""

    history: list[float]
    now: float
    duration: int
    num_requests: int
    rate: str | None

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            allowed: bool = super().allow_request(request, view)  # type: ignore[misc]
        except Exception:  # redis errors, timeouts: whatever the cache raises
            logger.warning("API rate limit not counted: the cache is unreachable", exc_info=True)
            return True
        if self.rate is not None and getattr(self, "key", None) is not None:
            used = len(self.history)
            reset = self.duration - (self.now - self.history[-1]) if self.history else 0
            request._rate_limit = {
                "RateLimit-Limit": str(self.num_requests),
                "RateLimit-Remaining": str(max(self.num_requests - used, 0)),
                "RateLimit-Reset": str(max(int(reset + 0.999), 0)),
                "RateLimit-Policy": f"{self.num_requests};w={self.duration}",
            }
        return allowed


class AnonymousRate(_Told, AnonRateThrottle):
    """Anonymous readers, by address: the address logins are counted by (PROXY_COUNT), not
    DRF's reading of X-Forwarded-For, which a client can write."""

    def get_ident(self, request: Request) -> str:
        from ..auth import client_address

        return client_address(request) or ""


class AccountRate(_Told, UserRateThrottle):
    """Signed-in readers, by account (DRF's would count anonymous ones too, by address)."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


def rate_limit_headers(request: Request) -> dict[str, str]:
    return getattr(request, "_rate_limit", {})

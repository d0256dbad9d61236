"""Small helpers about requests that several views share."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def own_url(request: HttpRequest, url: str) -> str | None:
    """`url` if it leads back to this site (same host, HTTPS kept), else None: for `next`
    parameters and Referer headers, which anyone can write."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None

"""The secret address of a reader's calendar of deadlines: made on first need, replaced on
demand (the old address then answers 404 at once)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ..models import CalendarToken
from ..models.calendars import new_token


def _signed_in(user: Any) -> None:
    """Only a signed-in, active user has a calendar address, and only their own: the views
    pass `request.user`, never a user named by the request."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        raise PermissionDenied


def calendar_token(user: Any) -> CalendarToken:
    """`user`'s calendar address, made on the first call. Two first visits at once (two tabs)
    both end with the one row: the user's unique (one-to-one) column refuses the second
    insert, and get_or_create then reads the winner's row."""
    _signed_in(user)
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


def reset_calendar_token(user: Any) -> CalendarToken:
    """Give `user` a new calendar address; the old one stops working as this commits. Two
    resets at once: each writes a fresh token, the last to commit is the address kept, and
    the page each redirects to reads it."""
    _signed_in(user)
    token, _created = CalendarToken.objects.update_or_create(
        user=user, defaults={"token": new_token(), "created_at": timezone.now()}
    )
    return token

"""The secret address of a reader's calendar of deadlines (calendar_views.user_calendar):
calendar applications cannot log in, so the address itself is the key."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    """256 random bits, URL-safe (43 characters): not guessable, not enumerable."""
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """One per user, made on the first visit of « Mon calendrier » and replaced on reset
    (services.calendar_token, services.reset_calendar_token). Kept in clear, as the page
    shows the address again on every visit. Not published data: no data-version trigger."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_token",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    # When this address was made: set again by a reset.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

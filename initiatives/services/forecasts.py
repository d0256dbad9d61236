"""The weather ("météo") of a workstream: its coordinators' forecast."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Forecast, Workstream


def can_record_forecast(user: Any, workstream: Workstream) -> bool:
    """A workstream's coordinators give its weather, and administrators: those who know
    where it stands say how they see it go."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(user.is_staff) or workstream.coordinators.filter(pk=user.pk).exists()


def record_forecast(
    user: Any,
    workstream: Workstream,
    level: str,
    narrative: str,
    stated_on: dt.date | None,
    *,
    today: dt.date | None = None,
) -> Forecast:
    """Record `user`'s forecast for `workstream`: a level (sunny, overcast, cloudy, stormy),
    the narrative that explains it (required: a sun with no reason is not information) and
    the day it was stated (today or earlier). Every forecast is kept; the latest is shown.
    Raises PermissionDenied (not a coordinator of this workstream, nor an administrator) or
    ValidationError (field -> messages; nothing written)."""
    today = today or timezone.localdate()
    if not can_record_forecast(user, workstream):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if level not in Forecast.Level.values:
        errors["level"] = [_("choose the weather")]
    narrative = (narrative or "").strip()
    if not narrative:
        errors["narrative"] = [_("say why: the weather needs its narrative")]
    if stated_on is None:
        errors["stated_on"] = [_("give the day this weather was stated")]
    elif stated_on > today:
        errors["stated_on"] = [_("the weather cannot be dated in the future")]
    if errors:
        raise ValidationError(errors)
    assert stated_on is not None  # a missing day is one of the errors above
    return Forecast.objects.create(
        workstream=workstream, level=level, narrative=narrative, stated_on=stated_on, author=user
    )

"""What every table shares: natural keys, and periods (a due date or a launch as written,
its window, its precision, the day it was read against) stored in four columns and checked."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import periods


# Natural keys: the same shape in fixture documents and in the admin, so either can name
# what the other made.
KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
key_validator = RegexValidator(
    KEY_PATTERN, _("Lowercase letters, digits and single hyphens only (e.g. plan-cloud-2014).")
)


def key_field(*, unique: bool = False) -> models.SlugField:
    return models.SlugField(_("key"), max_length=80, unique=unique, validators=[key_validator])


class Precision(models.TextChoices):
    # Same values as periods.Precision (a test keeps them equal); this copy carries the labels.
    DAY = periods.Precision.DAY.value, _("day")
    MONTH = periods.Precision.MONTH.value, _("month")
    SEASON = periods.Precision.SEASON.value, _("season")
    QUARTER = periods.Precision.QUARTER.value, _("quarter")
    HALF = periods.Precision.HALF.value, _("half-year")
    YEAR = periods.Precision.YEAR.value, _("year")


# periods.py is pure Python and speaks English; these are its reasons in the interface's words.
_PERIOD_REASONS = {
    "empty date expression": _("empty date expression"),
    "invalid date": _("this date does not exist"),
    "weekday does not match the date": _("the day of the week does not match the date"),
    "invalid quarter": _("there are only four quarters"),
    "invalid half": _("there are only two halves"),
    "only a winter spans two consecutive years": _("only a winter spans two consecutive years"),
    "a day has no beginning, middle or end": _("a day has no beginning, middle or end"),
    "conflicting prefixes": _("the words contradict each other"),
    "date out of range": _("date out of range"),
}


def period_error_message(error: periods.PeriodParseError) -> str:
    """Why a date expression could not be read, for a person to fix it."""
    reason = _PERIOD_REASONS.get(error.reason)
    if reason is None:
        return _("unknown date expression “%(text)s”") % {"text": error.text}
    return _("%(reason)s: “%(text)s”") % {"reason": reason, "text": error.text}


class DateBasis(models.TextChoices):
    TEXT = "text", _("stated in the text")
    PUBLIC_RECORD = "public_record", _("public record (editorial)")


def _period_check(prefix: str, name: str) -> list[models.BaseConstraint]:
    """The constraints every stored period keeps: all four parts or none, start <= end."""
    parts = [f"{prefix}_text", f"{prefix}_start", f"{prefix}_end", f"{prefix}_precision"]
    all_null = Q(**{f"{prefix}_start__isnull": True, f"{prefix}_end__isnull": True}) & Q(
        **{f"{prefix}_text": "", f"{prefix}_precision": ""}
    )
    all_set = (
        Q(**{f"{p}__isnull": False for p in parts[1:3]})
        & ~Q(**{f"{prefix}_text": ""})
        & ~Q(**{f"{prefix}_precision": ""})
        & Q(**{f"{prefix}_reference__isnull": False})
    )
    return [
        models.CheckConstraint(condition=all_null | all_set, name=f"{name}_{prefix}_complete"),
        models.CheckConstraint(
            condition=Q(**{f"{prefix}_start__isnull": True})
            | Q(**{f"{prefix}_start__lte": models.F(f"{prefix}_end")}),
            name=f"{name}_{prefix}_start_lte_end",
        ),
    ]


def _period_of(obj: models.Model, prefix: str) -> periods.Period | None:
    start = getattr(obj, f"{prefix}_start")
    if start is None:
        return None
    return periods.Period(
        text=getattr(obj, f"{prefix}_text"),
        start=start,
        end=getattr(obj, f"{prefix}_end"),
        precision=periods.Precision(getattr(obj, f"{prefix}_precision")),
        reference=getattr(obj, f"{prefix}_reference"),
    )

"""Observers' assessments and the evidence they stand on; coordinators' weather forecasts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .milestones import Milestone
from .missions import Mission, Workstream
from .ratings import Assessed
from .sources import Source


class Assessment(models.Model):
    """An observer's evidence-based rating of a milestone or of a mission, as of a date.

    Revisions are new rows: the latest (as_of, then recorded_at) is the current one, copied on
    the assessed row; the others are its timeline. Written by services.record_assessment."""

    mission = models.ForeignKey(
        Mission,
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
    )
    rating = models.CharField(_("assessed status"), max_length=20, choices=Assessed.choices)
    as_of = models.DateField(_("as of"))
    rationale = models.TextField(_("rationale"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments",
    )
    # "No longer relevant / replaced": what replaced it, when it is in the observatory.
    successor_milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("replaced by (milestone)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    successor_mission = models.ForeignKey(
        Mission,
        verbose_name=_("replaced by (mission)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A fixture's assessment is named in its document; a person's has no key.
    key = models.CharField(_("key"), max_length=80, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-as_of", "-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mission__isnull=False, milestone=None)
                | Q(mission=None, milestone__isnull=False),
                name="assessment_exactly_one_target",
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="assessment_has_rationale"),
        ]
        indexes = [
            models.Index(
                fields=["milestone", "-as_of", "-recorded_at"], name="assessment_milestone_idx"
            ),
            models.Index(
                fields=["mission", "-as_of", "-recorded_at"], name="assessment_mission_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} ({self.as_of})"


class Evidence(models.Model):
    """A verbatim quote of a source that an assessment stands on, checked like a citation."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="evidence"
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="evidence"
    )
    quote = models.TextField(_("quote"))
    start_offset = models.PositiveIntegerField(_("start offset"))
    end_offset = models.PositiveIntegerField(_("end offset"))
    primary = models.BooleanField(
        _("primary evidence"),
        default=True,
        help_text=_(
            "Primary: the act itself (a published text, a decision); secondary: a report of it."
        ),
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["assessment", "-primary", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_offset__lt=models.F("end_offset")),
                name="evidence_offsets_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"« {self.quote[:60]}… » ({self.source_id})"


class Forecast(models.Model):
    """The "météo": a coordinator's forward-looking confidence in a workstream, dated, with
    its narrative. The latest is shown; older than the mission's rhythm, it is stale."""

    class Level(models.TextChoices):
        SUNNY = "sunny", _("sunny")
        OVERCAST = "overcast", _("overcast")
        CLOUDY = "cloudy", _("cloudy")
        STORMY = "stormy", _("stormy")

    workstream = models.ForeignKey(
        Workstream, verbose_name=_("workstream"), on_delete=models.CASCADE, related_name="forecasts"
    )
    level = models.CharField(_("weather"), max_length=20, choices=Level.choices)
    narrative = models.TextField(_("narrative"))
    stated_on = models.DateField(_("stated on"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("weather forecast")
        verbose_name_plural = _("weather forecasts")
        ordering = ["-stated_on", "-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(narrative=""), name="forecast_has_narrative")
        ]
        indexes = [
            models.Index(
                fields=["workstream", "-stated_on", "-recorded_at"], name="forecast_ws_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.stated_on})"

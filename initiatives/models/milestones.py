"""Milestones: dated promises, their health, and the record of deadlines moved later."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import periods
from .base import Precision, _period_check, _period_of, key_field
from .missions import Mission, Workstream
from .ratings import assessed_fields, assessment_diverges

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


# A stored health that is wrong whatever the day: it disagrees with the status (done,
# cancelled) or with whether there is a due date. Only a write that bypassed the services
# (a raw UPDATE, a restore) leaves such rows, so the partial index over them is empty in
# steady state and the sweep finds them without reading the table (selectors.stale_health).
HEALTH_DRIFT = (
    (Q(status="done") & ~Q(health="done"))
    | (~Q(status="done") & Q(health="done"))
    | (Q(status="cancelled") & ~Q(health="cancelled"))
    | (~Q(status="cancelled") & Q(health="cancelled"))
    | (Q(status="missed") & ~Q(health="missed"))
    | (~Q(status="missed") & Q(health="missed"))
    | (Q(health="undated") & Q(due_end__isnull=False))
    | (Q(health__in=["overdue", "no_news", "due_soon", "on_track"]) & Q(due_end__isnull=True))
    # Late, and which kind of late: only a write changes status or news, so it is drift.
    | (Q(health="no_news") & ~Q(status="planned"))
    | (Q(health="no_news") & Q(news_on__gt=models.F("due_end")))
    | (
        Q(health="overdue", status="planned")
        & (Q(news_on__isnull=True) | Q(news_on__lte=models.F("due_end")))
    )
)


class Milestone(models.Model):
    """A dated promise, of a workstream or of the mission as a whole."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        MISSED = "missed", _("missed")
        CANCELLED = "cancelled", _("cancelled")

    class Kind(models.TextChoices):
        # A promised result: counts toward progress.
        DELIVERABLE = "deliverable", _("deliverable")
        # An announcement, a meeting, a conference, a signature, a publication: on the frise
        # and in the history, never in progress.
        EVENT = "event", _("event")

    class Health(models.TextChoices):
        ON_TRACK = "on_track", _("upcoming")
        DUE_SOON = "due_soon", _("due soon")
        # The window has ended and the milestone is in progress, or someone said something
        # of it after the window ended while it was still planned.
        OVERDUE = "overdue", _("overdue")
        # The window has ended, it is still planned, and nobody said anything since.
        NO_NEWS = "no_news", _("deadline passed, no news")
        MISSED = "missed", _("missed")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")
        UNDATED = "undated", _("undated")

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="milestones"
    )
    workstream = models.ForeignKey(
        Workstream,
        verbose_name=_("workstream"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="milestones",
        help_text=_("Empty for a milestone of the mission as a whole."),
    )
    key = key_field()
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.DELIVERABLE,
        help_text=_(
            "A deliverable counts toward progress; an event (announcement, meeting, signature) does not."
        ),
    )
    due_text = models.CharField(_("due, as written"), max_length=200, blank=True)
    due_start = models.DateField(_("due window start"), null=True, blank=True)
    due_end = models.DateField(_("due window end"), null=True, blank=True)
    due_precision = models.CharField(
        _("due precision"), max_length=10, choices=Precision.choices, blank=True
    )
    due_reference = models.DateField(_("due read against"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # The last day a person said something of this milestone (an edit, the admin, a sheet,
    # an assessment): after its window ended, a planned milestone is "overdue" rather than
    # "deadline passed, no news". Imports and the sweep are not news.
    news_on = models.DateField(_("last news on"), null=True, blank=True)
    assessed_status, assessed_on = assessed_fields()
    # Stored by the deadline sweep so lists can filter on it; derived by health_on().
    health = models.CharField(
        _("health"), max_length=20, choices=Health.choices, default=Health.UNDATED
    )
    # Optimistic locking: every write bumps it, an edit based on an older value is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    # What the last import said of the fields coordinators edit (status, progress,
    # completed_on, comment, due_text): the base of a three-way merge, so a re-import keeps
    # a coordinator's edits and refuses only a real conflict.
    imported_state = models.JSONField(_("progress as last imported"), default=dict, blank=True)
    editorial = models.JSONField(_("editorial notes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_end", "key"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "key"], name="milestone_unique_key"),
            *_period_check("due", "milestone"),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="milestone_progress_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(progress=100),
                name="milestone_done_is_100",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="milestone_version_positive"),
        ]
        indexes = [
            # The sweep: each health's stale rows are a short range of this index (a due
            # date that crossed the horizon or passed), and drifted rows the partial one.
            models.Index(fields=["health", "due_end"], name="milestone_health_due_idx"),
            models.Index(fields=["id"], name="milestone_health_drift_idx", condition=HEALTH_DRIFT),
            models.Index(fields=["status", "due_end"], name="milestone_status_due_idx"),
            models.Index(fields=["workstream", "due_end"], name="milestone_ws_due_idx"),
            # Next deadlines and overdue lists: open milestones in window order, nothing else;
            # per mission too, for each mission's next deadline in the mission list.
            models.Index(
                fields=["due_end"],
                name="milestone_open_due_idx",
                condition=~Q(status__in=["done", "cancelled"]),
            ),
            models.Index(
                fields=["mission", "due_end"],
                name="milestone_mission_open_due_idx",
                condition=~Q(status__in=["done", "cancelled"]),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def due(self) -> periods.Period | None:
        return _period_of(self, "due")

    @property
    def assessment_diverges(self) -> bool:
        return assessment_diverges(self.status, self.assessed_status)

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.workstream_id and self.mission_id:
            workstream = self.workstream
            assert workstream is not None  # workstream_id is set
            if workstream.mission_id != self.mission_id:
                errors["workstream"] = _("This workstream belongs to another mission.")
        # Checked here too because the workstream page's inline has no mission field, and
        # Django skips a unique constraint on a field the form does not show.
        if (
            self.mission_id
            and self.key
            and Milestone.objects.filter(mission_id=self.mission_id, key=self.key)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["key"] = _("This mission already has a milestone with this key.")
        if errors:
            raise ValidationError(errors)

    def health_on(self, today: dt.date, horizon_days: int) -> str:
        """Health as of `today`: the rule the sweep applies to every row in SQL
        (selectors.health_filters); a test holds the two to the same answers."""
        if self.status == self.Status.DONE:
            return self.Health.DONE
        if self.status == self.Status.CANCELLED:
            return self.Health.CANCELLED
        if self.status == self.Status.MISSED:
            return self.Health.MISSED
        if self.due_end is None:
            return self.Health.UNDATED
        if self.due_end < today:
            said_since = self.news_on is not None and self.news_on > self.due_end
            if self.status == self.Status.PLANNED and not said_since:
                return self.Health.NO_NEWS
            return self.Health.OVERDUE
        if self.due_end <= today + dt.timedelta(days=horizon_days):
            return self.Health.DUE_SOON
        return self.Health.ON_TRACK


class MilestoneSlip(models.Model):
    """A deadline moved later, by whatever path (services.write_milestones records it): the
    period before and after, who, and through what."""

    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="slips"
    )
    old_text = models.CharField(_("former due, as written"), max_length=200)
    old_start = models.DateField(_("former window start"))
    old_end = models.DateField(_("former window end"))
    new_text = models.CharField(_("new due, as written"), max_length=200)
    new_start = models.DateField(_("new window start"))
    new_end = models.DateField(_("new window end"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(_("through"), max_length=20, default="edit")

    class Meta:
        verbose_name = _("deadline slip")
        verbose_name_plural = _("deadline slips")
        ordering = ["milestone", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_end__gt=models.F("old_end")), name="slip_moves_later"
            )
        ]

    @property
    def delay(self) -> dt.timedelta:
        return self.new_end - self.old_end

    def __str__(self) -> str:
        return f"{self.milestone}: « {self.old_text} » → « {self.new_text} »"

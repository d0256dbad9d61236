"""Deadline alerts, the notifications under users' bells, and the daily digests sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .milestones import Milestone


class DeadlineAlert(models.Model):
    """One change of a milestone's health into due soon, overdue or "no news", for one
    deadline, with the words that deadline had when it was raised.

    Unique per (milestone, kind, deadline): one alert, one notification, ever. A slipped
    deadline is a new deadline, so it may alert again. It closes itself
    (services.resolve_alerts) once it no longer holds: the milestone is done, cancelled or
    missed, its deadline moved, its health moved on, or an observer assessed it."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("due soon")
        OVERDUE = "overdue", _("overdue")
        NO_NEWS = "no_news", _("deadline passed, no news")

    class Resolution(models.TextChoices):
        CLOSED = "closed", _("the milestone was closed (done, missed or cancelled)")
        MOVED = "moved", _("the deadline moved")
        NEWS = "news", _("news was given")
        ASSESSED = "assessed", _("an observer assessed it")
        PASSED = "passed", _("the deadline passed")

    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    deadline = models.DateField(_("deadline"))
    due_text = models.CharField(_("due, as written then"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=Resolution.choices, blank=True
    )

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "kind", "deadline"], name="alert_unique_per_deadline"
            )
        ]
        indexes = [
            # The notify task looks for alerts not yet sent.
            models.Index(
                fields=["created_at"],
                name="alert_unnotified_idx",
                condition=Q(notified_at__isnull=True),
            ),
            # Every write looks for the open alerts of the milestones it wrote.
            models.Index(
                fields=["milestone"], name="alert_open_idx", condition=Q(resolved_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.milestone} ({self.deadline})"


class Notification(models.Model):
    """Under a user's bell, read or not: a deadline alert (one per user and alert), or a
    change a person made to a mission the user follows (one per user and change: its
    history entry).

    Its words are rendered when it is shown, in the reader's language, from the alert or
    the change."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    alert = models.ForeignKey(
        DeadlineAlert,
        verbose_name=_("alert"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    change = models.ForeignKey(
        "initiatives.HistoryEntry",
        verbose_name=_("change"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "alert"], name="notification_once_per_alert"),
            # Followers are told by a task that may run twice: the second finds this.
            models.UniqueConstraint(fields=["user", "change"], name="notification_once_per_change"),
            models.CheckConstraint(
                condition=Q(alert__isnull=False, change__isnull=True)
                | Q(alert__isnull=True, change__isnull=False),
                name="notification_alert_or_change",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_idx"),
            # The bell counts these, every minute, for every signed-in page.
            models.Index(
                fields=["user"], name="notification_unread_idx", condition=Q(read_at__isnull=True)
            ),
            # The daily digest's followers: the changes told since yesterday, not all ever.
            models.Index(
                fields=["created_at"],
                name="notification_change_idx",
                condition=Q(change__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.alert or self.change}"


class DigestDelivery(models.Model):
    """The daily digest sent to one user for one day: claimed before sending, so a day's
    digest goes out once whatever beats or redeliveries happen."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="digests",
    )
    day = models.DateField(_("day"))
    overdue = models.PositiveIntegerField(_("overdue milestones"))
    due_soon = models.PositiveIntegerField(_("milestones due soon"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        ordering = ["-day", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"{self.user} — {self.day}"

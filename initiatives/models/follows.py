"""Readers follow missions (Decidim's "follow a process"): the changes people make to a
followed mission and its milestones, and its deadline alerts, reach the follower's bell and
daily digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .missions import Mission


class Follow(models.Model):
    """One signed-in user following one mission. Written only by services.follow and
    services.unfollow; unique per (user, mission), so two clicks at once follow once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(_("followed since"), auto_now_add=True)

    class Meta:
        verbose_name = _("followed mission")
        verbose_name_plural = _("followed missions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "mission"], name="follow_once_per_mission")
        ]
        # The followers of a mission (notify_followers): the unique index leads with the
        # user, for "missions I follow"; this one leads with the mission.
        indexes = [models.Index(fields=["mission", "user"], name="follow_mission_idx")]

    def __str__(self) -> str:
        return f"{self.user} → {self.mission}"

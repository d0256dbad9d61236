"""Links between missions: one plan continues, replaces, implements, is part of or responds to
another. A link is a fact like any other: a quote (a Citation whose target is the link) or an
editorial note supports its existence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .missions import Mission

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class MissionLink(models.Model):
    """`from_mission` <kind> `to_mission`: « La stratégie nationale pour le Cloud remplace le
    plan Cloud ». Unique per (from, to, kind); never a mission with itself (constraints).
    Written by the fixture importer; the page of each side reads it (as stated from one side,
    in its inverse reading from the other)."""

    class Kind(models.TextChoices):
        CONTINUES = "continues", pgettext_lazy("mission link", "continues")
        REPLACES = "replaces", pgettext_lazy("mission link", "replaces")
        IMPLEMENTS = "implements", pgettext_lazy("mission link", "implements")
        PART_OF = "part_of", pgettext_lazy("mission link", "is part of")
        RESPONDS_TO = "responds_to", pgettext_lazy("mission link", "responds to")

    from_mission = models.ForeignKey(
        Mission,
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="links_out",
    )
    to_mission = models.ForeignKey(
        Mission,
        verbose_name=_("linked mission"),
        on_delete=models.CASCADE,
        related_name="links_in",
    )
    kind = models.CharField(_("kind of link"), max_length=20, choices=Kind.choices)
    # Facts supported by a note rather than a quote ({"existence": "…"}), as on missions.
    editorial = models.JSONField(_("editorial notes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("link between missions")
        verbose_name_plural = _("links between missions")
        ordering = ["from_mission", "kind", "to_mission"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_mission", "to_mission", "kind"], name="mission_link_once"
            ),
            models.CheckConstraint(
                condition=~Q(from_mission=F("to_mission")), name="mission_link_not_self"
            ),
        ]
        # The links of a mission's other side (the unique index leads with from_mission).
        indexes = [models.Index(fields=["to_mission", "kind"], name="mission_link_to_idx")]

    def __str__(self) -> str:
        return f"{self.from_mission} {self.get_kind_display()} {self.to_mission}"

    @property
    def title(self) -> str:
        """What a footnote calls the link: both missions and the kind, in words."""
        return f"{self.from_mission.title} — {self.get_kind_display()} — {self.to_mission.title}"


# How the other side reads a link: « Remplacé par », « Comprend »…
INVERSE_LABELS: dict[str, StrOrPromise] = {
    MissionLink.Kind.CONTINUES: pgettext_lazy("mission link", "continued by"),
    MissionLink.Kind.REPLACES: pgettext_lazy("mission link", "replaced by"),
    MissionLink.Kind.IMPLEMENTS: pgettext_lazy("mission link", "implemented by"),
    MissionLink.Kind.PART_OF: pgettext_lazy("mission link", "includes"),
    MissionLink.Kind.RESPONDS_TO: pgettext_lazy("mission link", "prompted the response"),
}


def link_reading(link: MissionLink, side: Mission | int) -> tuple[StrOrPromise, Mission]:
    """(the words, the other mission) of `link` as read from `side` (a mission or its pk)."""
    pk = side if isinstance(side, int) else side.pk
    if link.from_mission_id == pk:
        return link.get_kind_display(), link.to_mission
    return INVERSE_LABELS[link.kind], link.from_mission

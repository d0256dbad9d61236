"""The texts the data comes from, and the verbatim quotes of them that support each fact."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import DateBasis, Precision, key_field

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# What the facts a quote supports are called on the pages: never their stored names ("due",
# "launch"), which are the fixture documents' words (importing.schema.FACTS).
FACT_LABELS: dict[str, StrOrPromise] = {
    "launch": pgettext_lazy("supported fact", "launch"),
    "budget": pgettext_lazy("supported fact", "budget"),
    "status": pgettext_lazy("supported fact", "status"),
    "due": pgettext_lazy("supported fact", "deadline"),
    "role": pgettext_lazy("supported fact", "role"),
}
EXISTENCE_LABELS: dict[str, StrOrPromise] = {
    "mission": pgettext_lazy("supported fact", "existence of the mission"),
    "involvement": pgettext_lazy("supported fact", "involvement of the actor"),
    "workstream": pgettext_lazy("supported fact", "existence of the workstream"),
    "milestone": pgettext_lazy("supported fact", "existence of the milestone"),
    "link": pgettext_lazy("supported fact", "existence of the link"),
}


def fact_label(fact: str, kind: str) -> StrOrPromise:
    """The words for `fact` of an object of `kind` (mission, involvement, workstream,
    milestone); empty for no fact (a quote that supports the object as a whole)."""
    if not fact:
        return ""
    if fact == "existence":
        return EXISTENCE_LABELS.get(kind, pgettext_lazy("supported fact", "existence"))
    return FACT_LABELS.get(fact, pgettext_lazy("supported fact", "another fact"))


class Source(models.Model):
    """A text the data comes from. Its text is stored whole, with its hash, so every quote can
    be checked against exactly what was imported."""

    key = key_field(unique=True)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"))
    published_precision = models.CharField(
        _("publication date precision"), max_length=10, choices=Precision.choices
    )
    published_basis = models.CharField(
        _("publication date basis"), max_length=20, choices=DateBasis.choices
    )
    published_note = models.TextField(_("note on the publication date"), blank=True)
    text = models.TextField(_("full text"))
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["published_on", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(text_sha256__regex=r"^[0-9a-f]{64}$"), name="source_sha256_hex"
            ),
        ]

    @staticmethod
    def sha256_of(text: str) -> str:
        """The fingerprint stored with a source's text: the same text is the same source."""
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def __str__(self) -> str:
        return self.title


def _exactly_one_of(*fields: str) -> Q:
    """Exactly one of these foreign keys is set."""
    one = Q()
    for chosen in fields:
        one |= Q(**{f"{f}__isnull": f != chosen for f in fields})
    return one


class Citation(models.Model):
    """A verbatim quote of a source that supports one fact of one object.

    A citation points at exactly one of mission, involvement, workstream, milestone or link
    (a check constraint holds it): plain foreign keys rather than a generic relation, so
    full-text search and the source page can join quotes with indexes."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="citations"
    )
    quote = models.TextField(_("quote"))
    fact = models.CharField(
        _("fact"),
        max_length=40,
        blank=True,
        help_text=_("The fact this quote supports (e.g. due, launch, budget); empty: all."),
    )
    # Where the quote stands in the source text (characters), found when it was verified.
    start_offset = models.PositiveIntegerField(_("start offset"))
    end_offset = models.PositiveIntegerField(_("end offset"))
    # The targets are named, not imported: their modules import this one (a mission lists
    # its sources).
    mission = models.ForeignKey(
        "initiatives.Mission",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    involvement = models.ForeignKey(
        "initiatives.Involvement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    workstream = models.ForeignKey(
        "initiatives.Workstream",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    milestone = models.ForeignKey(
        "initiatives.Milestone",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    link = models.ForeignKey(
        "initiatives.MissionLink",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )

    TARGETS = ("mission", "involvement", "workstream", "milestone", "link")

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = ["source", "start_offset"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_of(
                    "mission", "involvement", "workstream", "milestone", "link"
                ),
                name="citation_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=Q(start_offset__lt=models.F("end_offset")),
                name="citation_offsets_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"« {self.quote[:60]}… » ({self.source.key})"

    @property
    def target_kind(self) -> str:
        """Which of TARGETS this quote supports a fact of."""
        return next(kind for kind in self.TARGETS if getattr(self, f"{kind}_id") is not None)

    @property
    def target_id(self) -> int:
        return int(getattr(self, f"{self.target_kind}_id"))

    @property
    def fact_label(self) -> StrOrPromise:
        return fact_label(self.fact, self.target_kind)

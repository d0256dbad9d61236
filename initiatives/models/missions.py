"""Missions, their workstreams, and the actors and labels around them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import periods
from .base import Precision, _period_check, _period_of, key_field
from .ratings import assessed_fields, assessment_diverges
from .sources import Source


class Actor(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        COMPANY = "company", _("company")
        ORGANISATION = "organisation", _("organisation")
        STATE_BODY = "state_body", _("State body")
        COUNTRY = "country", _("country")

    key = key_field(unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    affiliation = models.ForeignKey(
        "self",
        verbose_name=_("affiliation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Label(models.Model):
    class Kind(models.TextChoices):
        THEME = "theme", _("theme")
        CERTIFICATION = "certification", _("certification")
        PROGRAMME = "programme", _("programme")

    key = key_field(unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Mission(models.Model):
    class Status(models.TextChoices):
        ANNOUNCED = "announced", _("announced")
        LAUNCHED = "launched", _("launched")
        COMPLETED = "completed", _("completed")
        ABANDONED = "abandoned", _("abandoned")

    class BudgetQualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        MORE_THAN = "more_than", _("more than")
        LESS_THAN = "less_than", _("less than")
        ABOUT = "about", _("about")

    key = key_field(unique=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ANNOUNCED
    )
    launch_text = models.CharField(_("launch, as written"), max_length=200, blank=True)
    launch_start = models.DateField(_("launch window start"), null=True, blank=True)
    launch_end = models.DateField(_("launch window end"), null=True, blank=True)
    launch_precision = models.CharField(
        _("launch precision"), max_length=10, choices=Precision.choices, blank=True
    )
    launch_reference = models.DateField(_("launch read against"), null=True, blank=True)
    budget_eur = models.DecimalField(
        _("budget (EUR)"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    budget_qualifier = models.CharField(
        _("budget qualifier"), max_length=20, choices=BudgetQualifier.choices, blank=True
    )
    budget_text = models.CharField(_("budget, as written"), max_length=200, blank=True)
    editorial = models.JSONField(
        _("editorial notes"),
        default=dict,
        blank=True,
        help_text=_("Facts with no supporting quote, by fact name, with the reason."),
    )
    labels = models.ManyToManyField(
        Label, verbose_name=_("labels"), related_name="missions", blank=True
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="missions", blank=True
    )
    assessed_status, assessed_on = assessed_fields()
    rhythm_days = models.PositiveSmallIntegerField(
        _("expected rhythm (days)"),
        default=180,
        validators=[MinValueValidator(1)],
        help_text=_(
            "The mission is flagged “no news” when it goes longer than this without a new "
            "source, an update or a milestone change."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["-launch_start", "key"]
        constraints = [
            *_period_check("launch", "mission"),
            models.CheckConstraint(
                condition=Q(budget_eur__isnull=True) | Q(budget_eur__gte=0),
                name="mission_budget_non_negative",
            ),
            models.CheckConstraint(condition=Q(rhythm_days__gte=1), name="mission_rhythm_positive"),
            models.CheckConstraint(
                condition=Q(budget_eur__isnull=True, budget_qualifier="")
                | Q(budget_eur__isnull=False) & ~Q(budget_qualifier=""),
                name="mission_budget_has_qualifier",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="mission_status_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def launch(self) -> periods.Period | None:
        return _period_of(self, "launch")

    @property
    def assessment_diverges(self) -> bool:
        return assessment_diverges(self.status, self.assessed_status)


class Involvement(models.Model):
    """An actor's role in a mission."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("coordinator")
        PILOT = "pilot", _("pilot")
        SPONSOR = "sponsor", _("sponsor")
        ANNOUNCER = "announcer", _("announcer")
        PARTNER = "partner", _("partner")
        SUPPORT = "support", _("support")
        CERTIFIER = "certifier", _("certifier")
        PARTICIPANT = "participant", _("participant")

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="involvements"
    )
    actor = models.ForeignKey(
        Actor, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="involvements"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    capacity = models.CharField(
        _("in the capacity of"),
        max_length=300,
        blank=True,
        help_text=_("The actor's title as the source gives it."),
    )
    editorial = models.JSONField(_("editorial notes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("involvement")
        verbose_name_plural = _("involvements")
        ordering = ["mission", "role", "actor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "actor", "role"], name="involvement_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor} — {self.get_role_display()}"


class Workstream(models.Model):
    """One axis (axe, chantier, pilier) of a mission."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="workstreams"
    )
    key = key_field()
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    lead = models.ForeignKey(
        Actor,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_workstreams",
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        related_name="coordinated_workstreams",
        blank=True,
        help_text=_("Users who may update this workstream's milestones."),
    )
    editorial = models.JSONField(_("editorial notes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("workstream")
        verbose_name_plural = _("workstreams")
        ordering = ["mission", "position"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "key"], name="workstream_unique_key"),
            models.UniqueConstraint(
                fields=["mission", "position"], name="workstream_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.title

"""The domain: missions, their workstreams and milestones, the actors and labels around them,
and the source texts every fact is quoted from (see ../shared/DESIGN.md, "The domain")."""

from __future__ import annotations

import hashlib

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import periods

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


class Assessed(models.TextChoices):
    """The evidence-based scale of an assessment ("statut constaté"), beside the status its
    coordinators declare. Definitions: templates/initiatives/methodology.html."""

    NOT_ASSESSED = "not_assessed", _("not assessed")
    NO_EVIDENCE = "no_evidence", _("no conclusive evidence")
    NOT_STARTED = "not_started", _("not started")
    ENGAGED = "engaged", _("engaged")
    STALLED = "stalled", _("stalled")
    PARTIAL = "partial", _("partially achieved")
    ACHIEVED = "achieved", _("achieved")
    NOT_ACHIEVED = "not_achieved", _("not achieved")
    SUPERSEDED = "superseded", _("no longer relevant / replaced")

    @classmethod
    def needs_evidence(cls, value: str) -> bool:
        """Every rating stands on at least one quote, except "not assessed" and "no
        conclusive evidence", which stand on their rationale alone."""
        return value not in {cls.NOT_ASSESSED, cls.NO_EVIDENCE}


# One line per rating, for the assessment form and the methodology page.
# One line each, shown in the assessment form and on the methodology page (one wording).
ASSESSED_DEFINITIONS = {
    Assessed.NOT_ASSESSED: _("Nobody has looked at the evidence yet. This is not “no progress”."),
    Assessed.NO_EVIDENCE: _("Looked for, but no public text says where it stands."),
    Assessed.NOT_STARTED: _("The texts show that nothing has been done yet."),
    Assessed.ENGAGED: _("A verifiable formal act exists: a published text, a call for tenders, a budget line. An announcement is not one."),
    Assessed.STALLED: _("Engaged, but the texts show nothing moving for a long time."),
    Assessed.PARTIAL: _("Part of what was promised is verifiably delivered, not all of it."),
    Assessed.ACHIEVED: _("The outcome is verified, not the intention: what was promised exists, as a text shows."),
    Assessed.NOT_ACHIEVED: _("Its window and a grace period have ended without it being delivered, or it was abandoned."),
    Assessed.SUPERSEDED: _("No longer relevant, or replaced by another commitment: the assessment points to what replaced it."),
}

# The assessed ratings that agree with each declared status (a milestone's or a mission's:
# their values do not overlap). "Not assessed" agrees with everything: nothing to compare.
# Any other rating outside the set is a divergence: e.g. declared done but assessed anything
# except achieved (no evidence included: "done" is a claim a text must bear out); declared
# planned or in progress but assessed achieved, not achieved or superseded; declared in
# progress but assessed not started; declared cancelled or missed but assessed achieved or
# engaged.
_OPEN_AGREES = {Assessed.NO_EVIDENCE, Assessed.NOT_STARTED, Assessed.ENGAGED, Assessed.STALLED, Assessed.PARTIAL}
_STARTED_AGREES = _OPEN_AGREES - {Assessed.NOT_STARTED}
_CLOSED_AGREES = {
    Assessed.NO_EVIDENCE, Assessed.NOT_STARTED, Assessed.STALLED, Assessed.PARTIAL,
    Assessed.NOT_ACHIEVED, Assessed.SUPERSEDED,
}
AGREEING_RATINGS: dict[str, frozenset[str]] = {
    # Milestone.Status
    "planned": frozenset(_OPEN_AGREES),
    "in_progress": frozenset(_STARTED_AGREES),
    "done": frozenset({Assessed.ACHIEVED}),
    "missed": frozenset(_CLOSED_AGREES),
    "cancelled": frozenset(_CLOSED_AGREES),
    # Mission.Status
    "announced": frozenset(_OPEN_AGREES),
    "launched": frozenset(_STARTED_AGREES),
    "completed": frozenset({Assessed.ACHIEVED}),
    "abandoned": frozenset(_CLOSED_AGREES),
}


def assessment_diverges(declared: str, assessed: str) -> bool:
    """Whether the status its coordinators declare and the status an observer assessed
    disagree (the rule, with AGREEING_RATINGS). Pure: the pages and the tests call it."""
    if assessed == Assessed.NOT_ASSESSED:
        return False
    agreeing = AGREEING_RATINGS.get(declared)
    return agreeing is not None and assessed not in agreeing


def assessed_fields() -> tuple[models.CharField, models.DateField]:
    """The current assessment, copied on the assessed row by services.record_assessment so
    that lists filter and count on it; the assessments themselves are the record."""
    return (
        models.CharField(
            _("assessed status"), max_length=20, choices=Assessed.choices, default=Assessed.NOT_ASSESSED
        ),
        models.DateField(_("assessed as of"), null=True, blank=True),
    )


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
    | (Q(health="overdue", status="planned") & (Q(news_on__isnull=True) | Q(news_on__lte=models.F("due_end"))))
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
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.DELIVERABLE,
        help_text=_("A deliverable counts toward progress; an event (announcement, meeting, signature) does not."),
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
        errors: dict[str, str] = {}
        if self.workstream_id and self.mission_id and self.workstream.mission_id != self.mission_id:
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


class Citation(models.Model):
    """A verbatim quote of a source that supports one fact of one object.

    A citation points at exactly one of mission, involvement, workstream or milestone (a check
    constraint holds it): plain foreign keys rather than a generic relation, so full-text search
    and the source page can join quotes with indexes."""

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
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    involvement = models.ForeignKey(
        Involvement, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    workstream = models.ForeignKey(
        Workstream, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )

    TARGETS = ("mission", "involvement", "workstream", "milestone")

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = ["source", "start_offset"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(mission__isnull=False, involvement=None, workstream=None, milestone=None)
                    | Q(mission=None, involvement__isnull=False, workstream=None, milestone=None)
                    | Q(mission=None, involvement=None, workstream__isnull=False, milestone=None)
                    | Q(mission=None, involvement=None, workstream=None, milestone__isnull=False)
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
    """A deadline alert under a user's bell: one per (user, alert), read or not.

    Its words are rendered when it is shown, in the reader's language, from the alert."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    alert = models.ForeignKey(
        DeadlineAlert,
        verbose_name=_("alert"),
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
            models.UniqueConstraint(fields=["user", "alert"], name="notification_once_per_alert")
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_idx"),
            # The bell counts these, every minute, for every signed-in page.
            models.Index(
                fields=["user"], name="notification_unread_idx", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.alert}"


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
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.day}"


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


class Assessment(models.Model):
    """An observer's evidence-based rating of a milestone or of a mission, as of a date.

    Revisions are new rows: the latest (as_of, then recorded_at) is the current one, copied on
    the assessed row; the others are its timeline. Written by services.record_assessment."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="assessments",
    )
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="assessments",
    )
    rating = models.CharField(_("assessed status"), max_length=20, choices=Assessed.choices)
    as_of = models.DateField(_("as of"))
    rationale = models.TextField(_("rationale"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assessments",
    )
    # "No longer relevant / replaced": what replaced it, when it is in the observatory.
    successor_milestone = models.ForeignKey(
        Milestone, verbose_name=_("replaced by (milestone)"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    successor_mission = models.ForeignKey(
        Mission, verbose_name=_("replaced by (mission)"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
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
                condition=Q(mission__isnull=False, milestone=None) | Q(mission=None, milestone__isnull=False),
                name="assessment_exactly_one_target",
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="assessment_has_rationale"),
        ]
        indexes = [
            models.Index(fields=["milestone", "-as_of", "-recorded_at"], name="assessment_milestone_idx"),
            models.Index(fields=["mission", "-as_of", "-recorded_at"], name="assessment_mission_idx"),
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
        _("primary evidence"), default=True,
        help_text=_("Primary: the act itself (a published text, a decision); secondary: a report of it."),
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["assessment", "-primary", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_offset__lt=models.F("end_offset")), name="evidence_offsets_ordered"
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
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("weather forecast")
        verbose_name_plural = _("weather forecasts")
        ordering = ["-stated_on", "-recorded_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(narrative=""), name="forecast_has_narrative")]
        indexes = [models.Index(fields=["workstream", "-stated_on", "-recorded_at"], name="forecast_ws_idx")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.stated_on})"


# The writes made by people (an edit page, the admin): news of a mission. Imports and the
# sweep write too, but they are bookkeeping.
NEWS_VIA = ("edit", "admin", "sheet", "assessment")


class HistoryEntry(models.Model):
    """One committed write to a mission, workstream or milestone, recorded by a database
    trigger (history.py): the whole row before and after, who, and through what."""

    class Action(models.TextChoices):
        INSERT = "insert", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")

    table_name = models.CharField(_("table"), max_length=63)
    row_id = models.BigIntegerField(_("row"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        # The trigger writes raw ids; a deleted account leaves its changes, unsigned.
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
    )
    via = models.CharField(_("through"), max_length=20)
    old = models.JSONField(_("before"), null=True, blank=True)
    new = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["table_name", "row_id", "-id"], name="history_row_idx"),
            # A mission's last news: the changes people made (selectors.with_news), a small
            # part of the history next to what imports and the sweep write.
            models.Index(
                fields=["table_name", "row_id", "at"],
                name="history_news_idx",
                condition=Q(via__in=NEWS_VIA),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table_name} {self.row_id} {self.action} ({self.at:%Y-%m-%d %H:%M})"


class WriteContext(models.Model):
    """SQLite only: who writes in the current transaction, for the history triggers
    (PostgreSQL keeps it in transaction-local settings). Written and cleared inside it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    actor_id = models.BigIntegerField(null=True)
    via = models.CharField(max_length=20)


class ProConnectIdentity(models.Model):
    """What ProConnect says of an agent who logged in through it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proconnect"
    )
    uid = models.CharField(_("ProConnect identifier"), max_length=255)
    siret = models.CharField(_("SIRET of the organisation"), max_length=14, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ProConnect identity")
        verbose_name_plural = _("ProConnect identities")

    def __str__(self) -> str:
        return f"{self.user} ({self.siret or '—'})"


class ImportDraft(models.Model):
    """Files an administrator brought in (fixture documents and the source texts they cite,
    uploaded or drafted by extraction from an article), held for review: nothing of them is
    published until someone applies the plan they were shown. Kept afterwards as a record."""

    class Origin(models.TextChoices):
        UPLOAD = "upload", _("upload")
        EXTRACTION = "extraction", _("extraction from an article")

    title = models.CharField(_("title"), max_length=300)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    # name -> text: documents (.yaml, .yml, .json) and the texts they cite (.txt).
    files = models.JSONField(_("files"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    # The preview as last shown (import_admin.draft_preview), with what it was built from:
    # reading a large document again on every view would take seconds.
    preview = models.JSONField(_("preview"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def documents(self) -> dict[str, str]:
        return {n: t for n, t in self.files.items() if not n.lower().endswith(".txt")}

    @property
    def texts(self) -> dict[str, str]:
        return {n: t for n, t in self.files.items() if n.lower().endswith(".txt")}


class DataVersion(models.Model):
    """A single row whose number changes with every committed write to the published data.

    Database triggers bump it (see dataversion.py); the pages key their cache on it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.BigIntegerField(_("version"), default=1)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("data version")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="data_version_single_row")]

    def __str__(self) -> str:
        return f"{self.version} ({self.changed_at:%Y-%m-%d %H:%M})"


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

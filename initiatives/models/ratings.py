"""The assessed status ("statut constaté"): its scale, the definitions shown with it, and
when it diverges from the status coordinators declare. No table: missions and milestones
carry a copy of their current assessment (assessed_fields), assessments.py the record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    Assessed.ENGAGED: _(
        "A verifiable formal act exists: a published text, a call for tenders, a budget line. An announcement is not one."
    ),
    Assessed.STALLED: _("Engaged, but the texts show nothing moving for a long time."),
    Assessed.PARTIAL: _("Part of what was promised is verifiably delivered, not all of it."),
    Assessed.ACHIEVED: _(
        "The outcome is verified, not the intention: what was promised exists, as a text shows."
    ),
    Assessed.NOT_ACHIEVED: _(
        "Its window and a grace period have ended without it being delivered, or it was abandoned."
    ),
    Assessed.SUPERSEDED: _(
        "No longer relevant, or replaced by another commitment: the assessment points to what replaced it."
    ),
}

# The assessed ratings that agree with each declared status (a milestone's or a mission's:
# their values do not overlap). "Not assessed" agrees with everything: nothing to compare.
# Any other rating outside the set is a divergence: e.g. declared done but assessed anything
# except achieved (no evidence included: "done" is a claim a text must bear out); declared
# planned or in progress but assessed achieved, not achieved or superseded; declared in
# progress but assessed not started; declared cancelled or missed but assessed achieved or
# engaged.
_OPEN_AGREES = {
    Assessed.NO_EVIDENCE,
    Assessed.NOT_STARTED,
    Assessed.ENGAGED,
    Assessed.STALLED,
    Assessed.PARTIAL,
}
_STARTED_AGREES = _OPEN_AGREES - {Assessed.NOT_STARTED}
_CLOSED_AGREES = {
    Assessed.NO_EVIDENCE,
    Assessed.NOT_STARTED,
    Assessed.STALLED,
    Assessed.PARTIAL,
    Assessed.NOT_ACHIEVED,
    Assessed.SUPERSEDED,
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
            _("assessed status"),
            max_length=20,
            choices=Assessed.choices,
            default=Assessed.NOT_ASSESSED,
        ),
        models.DateField(_("assessed as of"), null=True, blank=True),
    )

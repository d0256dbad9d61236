"""Assessments ("statut constaté"): observers rate a milestone or a mission, on evidence.
record_assessment is the only writer of Assessment and Evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import dates, history
from ..models import Assessed, Assessment, Evidence, Milestone, Mission, Source, Workstream
from ..quotes import find_quote
from .deadlines import resolve_alerts


@dataclass(frozen=True)
class EvidenceQuote:
    """A quote an assessment stands on: a source's key and the verbatim words."""

    source_key: str
    quote: str
    primary: bool = True


@dataclass(frozen=True)
class AssessmentInput:
    rating: str
    as_of: dt.date
    rationale: str
    evidence: Sequence[EvidenceQuote] = ()
    successor_milestone_id: int | None = None
    successor_mission_id: int | None = None
    key: str = ""


def can_assess(user: Any) -> bool:
    """Observers (the "Observateurs" group, or anyone granted initiatives.add_assessment) and
    administrators assess; coordinators declare."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_perm("initiatives.add_assessment"))
    )


def coordinates(user: Any, target: Milestone | Mission) -> bool:
    """Whether `user` coordinates what `target` belongs to: a milestone's workstream, or any
    workstream of a mission. Nobody assesses their own work."""
    if not getattr(user, "pk", None):
        return False
    if isinstance(target, Milestone):
        return (
            target.workstream_id is not None
            and Workstream.coordinators.through.objects.filter(
                workstream_id=target.workstream_id, user_id=user.pk
            ).exists()
        )
    return Workstream.coordinators.through.objects.filter(
        workstream__mission_id=target.pk, user_id=user.pk
    ).exists()


def can_assess_target(user: Any, target: Milestone | Mission) -> bool:
    return can_assess(user) and not coordinates(user, target)


def too_early_to_say_not_achieved(
    rating: str, as_of: dt.date, status: str, due_end: dt.date | None
) -> str | None:
    """ "Not achieved" of a milestone needs its window and the grace period to have ended by
    the assessment's date, or the milestone abandoned (declared missed or cancelled): a late
    promise is not yet a broken one. Why not, in words; None when it may be said."""
    if rating != Assessed.NOT_ACHIEVED or status in (
        Milestone.Status.MISSED,
        Milestone.Status.CANCELLED,
    ):
        return None
    if due_end is None:
        return _(
            "“not achieved” needs a deadline that has passed, with its grace period, or a milestone declared missed or cancelled"
        )
    grace_end = due_end + dt.timedelta(days=settings.ASSESSMENT_GRACE_DAYS)
    if as_of <= grace_end:
        return _(
            "too early to say “not achieved”: the window and its grace period run until %(day)s"
        ) % {"day": dates.day(grace_end, get_language())}
    return None


def rating_rule_errors(
    *,
    rating: str,
    as_of: dt.date,
    today: dt.date,
    has_evidence: bool,
    has_successor: bool,
    milestone: tuple[str, dt.date | None] | None = None,
) -> dict[str, str]:
    """The rules of an assessment that need no database, for record_assessment and for the
    importer's document paths alike: field (as_of, evidence, successor, rating) -> message.
    `milestone`: the assessed milestone's (status, due_end), if it is one."""
    errors: dict[str, str] = {}
    if as_of > today:
        errors["as_of"] = _("an assessment cannot be dated in the future")
    if rating in Assessed.values and Assessed.needs_evidence(rating) and not has_evidence:
        errors["evidence"] = _(
            "this rating needs at least one piece of evidence: a source and a verbatim quote of it"
        )
    if has_successor and rating != Assessed.SUPERSEDED:
        errors["successor"] = _(
            "only a rating “no longer relevant / replaced” points to a successor"
        )
    early = milestone and too_early_to_say_not_achieved(rating, as_of, *milestone)
    if early:
        errors["rating"] = early
    return errors


def record_assessment(
    user: Any,
    target: Milestone | Mission,
    given: AssessmentInput,
    *,
    today: dt.date | None = None,
    via: str = "assessment",
) -> Assessment:
    """Record an assessment of a milestone or a mission, as `user` (None: an import, whose
    permission is the import's). The rules, here and only here:
    - observers and administrators assess, never the coordinators of what they assess;
    - a rating other than "not assessed" and "no conclusive evidence" stands on at least one
      quote, each found verbatim in its source (as every citation is);
    - every rating has a rationale; its "as of" date is not in the future;
    - "no longer relevant / replaced" may point to what replaced it, elsewhere than itself.
    A revision is a new assessment: the latest (as of, then recorded) is copied on the
    assessed row (assessed status, assessed on), for lists, filters and counts. It is news of
    a milestone, so its health is read again, and it answers the milestone's open alerts.
    Raises PermissionDenied or ValidationError (field -> messages; nothing written)."""
    today = today or timezone.localdate()
    if user is not None and not can_assess_target(user, target):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if given.rating not in Assessed.values:
        errors["rating"] = [_("unknown assessed status")]
    if not given.rationale.strip():
        errors["rationale"] = [
            _("an assessment needs a rationale: what was looked at, and what it shows")
        ]
    # Numbered as given, blank rows included: "evidence 3" is the form's third row.
    quotes = [
        (n, e) for n, e in enumerate(given.evidence, start=1) if e.quote.strip() or e.source_key
    ]
    rules = rating_rule_errors(
        rating=given.rating,
        as_of=given.as_of,
        today=today,
        has_evidence=bool(quotes),
        has_successor=bool(given.successor_milestone_id or given.successor_mission_id),
        milestone=(target.status, target.due_end) if isinstance(target, Milestone) else None,
    )
    for field, message in rules.items():
        # On the form, a successor without "replaced" is the rating's mistake.
        errors.setdefault("rating" if field == "successor" else field, []).append(message)
    sources = Source.objects.in_bulk({e.source_key for _n, e in quotes}, field_name="key")
    found: list[tuple[EvidenceQuote, Source, tuple[int, int]]] = []
    for number, item in quotes:
        source = sources.get(item.source_key)
        if source is None:
            errors.setdefault("evidence", []).append(
                _("evidence %(n)s: choose a source") % {"n": number}
            )
            continue
        if not item.quote.strip():
            errors.setdefault("evidence", []).append(
                _("evidence %(n)s: copy the words of the source that support the rating")
                % {"n": number}
            )
            continue
        offsets = find_quote(source.text, item.quote)
        if offsets is None:
            errors.setdefault("evidence", []).append(
                _("evidence %(n)s: this quote is not in “%(source)s” word for word")
                % {"n": number, "source": source.title}
            )
            continue
        found.append((item, source, offsets))
    if isinstance(target, Milestone) and given.successor_milestone_id == target.pk:
        errors["successor_milestone"] = [_("a milestone cannot replace itself")]
    if isinstance(target, Mission) and given.successor_mission_id == target.pk:
        errors["successor_mission"] = [_("a mission cannot replace itself")]
    if given.successor_milestone_id and "successor_milestone" not in errors:
        # A milestone is replaced by one of its own mission (a deferred foreign key would
        # only fail at commit, as a server error).
        successor = (
            Milestone.objects.filter(pk=given.successor_milestone_id)
            .values_list("mission_id", flat=True)
            .first()
        )
        if successor is None:
            errors["successor_milestone"] = [_("this milestone does not exist")]
        elif isinstance(target, Milestone) and successor != target.mission_id:
            errors["successor_milestone"] = [
                _("a milestone is replaced by a milestone of the same mission")
            ]
    if (
        given.successor_mission_id
        and "successor_mission" not in errors
        and not Mission.objects.filter(pk=given.successor_mission_id).exists()
    ):
        errors["successor_mission"] = [_("this mission does not exist")]
    if errors:
        raise ValidationError(errors)
    field = "milestone" if isinstance(target, Milestone) else "mission"
    with history.acting_as(user, via):
        assessment = Assessment.objects.create(
            **{field: target},
            rating=given.rating,
            as_of=given.as_of,
            rationale=given.rationale.strip(),
            assessor=user if getattr(user, "pk", None) else None,
            successor_milestone_id=given.successor_milestone_id,
            successor_mission_id=given.successor_mission_id,
            key=given.key,
        )
        Evidence.objects.bulk_create(
            Evidence(
                assessment=assessment,
                source=source,
                quote=item.quote.strip(),
                start_offset=start,
                end_offset=end,
                primary=item.primary,
            )
            for item, source, (start, end) in found
        )
        _copy_current_assessment(target, news_on=today if user is not None else None, today=today)
    return assessment


def _copy_current_assessment(
    target: Milestone | Mission, *, news_on: dt.date | None, today: dt.date
) -> None:
    """Copy the current assessment onto the assessed row, under the row's lock (taken first,
    so two assessments at once copy the latest, not the one that read last). On a milestone,
    the news date and the health it decides are written with it, and the version moves on
    like any write of it: a form or an import that read the row before cannot write the old
    news date and health back (a coordinator's open form then merges by field)."""
    model = type(target)
    locked = model.objects.select_for_update().filter(pk=target.pk)
    row = locked.get()
    current = (
        Assessment.objects.filter(**{"milestone" if model is Milestone else "mission": target})
        .order_by("-as_of", "-recorded_at", "-pk")
        .values_list("rating", "as_of")
        .first()
    )
    rating, as_of = current or (Assessed.NOT_ASSESSED, None)
    if isinstance(row, Mission):
        locked.update(assessed_status=rating, assessed_on=as_of)
        return
    assert isinstance(row, Milestone)
    row.assessed_status, row.assessed_on = rating, as_of
    if news_on is not None and (row.news_on is None or news_on > row.news_on):
        row.news_on = news_on
    row.health = row.health_on(today, settings.DEADLINE_HORIZON_DAYS)
    Milestone.objects.filter(pk=row.pk).update(
        assessed_status=row.assessed_status,
        assessed_on=row.assessed_on,
        news_on=row.news_on,
        health=row.health,
        version=F("version") + 1,
    )
    resolve_alerts([row.pk], assessed=True)

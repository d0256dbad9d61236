"""The observers' assessment form: a rating with its definition, a date, a rationale, rows of
evidence. It only reads what was typed; the rules are services.record_assessment's, whose
refusals the view puts back on these fields."""

from __future__ import annotations

from typing import Any, TypedDict

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ASSESSED_DEFINITIONS, Assessed, Milestone, Mission

PRIMARY, SECONDARY = "primary", "secondary"
# Blank evidence rows offered at first; a refused form comes back with the rows it had.
EVIDENCE_ROWS = 3
EVIDENCE_MAX = 20


class DsfrFields:
    """Widgets dressed as the DSFR's: its classes, and the error state of a refused field
    (call mark_errors() once the form has been checked and the service has spoken)."""

    def mark_errors(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            kind = (
                "fr-select"
                if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect)
                else "fr-input"
            )
            if isinstance(widget, forms.RadioSelect):
                continue  # the radios are written out in the template
            classes = {c for c in widget.attrs.get("class", "").split() if c} | {kind}
            if name in self.errors:  # type: ignore[attr-defined]
                classes.add(f"{kind}--error")
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"  # type: ignore[index]
            widget.attrs["class"] = " ".join(sorted(classes))


class AssessmentOptions(TypedDict):
    """What AssessmentForm needs besides the data: the candidates to succeed the target
    (selectors.assessment_successors), and whether the target is a milestone."""

    successors: tuple[Any, Any]
    for_milestone: bool


class AssessmentForm(DsfrFields, forms.Form):
    rating = forms.ChoiceField(
        label=_("Assessed status"), choices=Assessed.choices, widget=forms.RadioSelect
    )
    as_of = forms.DateField(
        label=_("As of"),
        help_text=_("The day the evidence shows this status (today or earlier)."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=5000,
        help_text=_("What was looked at, and what it shows."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    successor_milestone = forms.ModelChoiceField(
        label=_("Replaced by (a milestone of this mission)"),
        queryset=Milestone.objects.none(),
        required=False,
        empty_label="—",
    )
    successor_mission = forms.ModelChoiceField(
        label=_("Replaced by (a mission)"),
        queryset=Mission.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(
        self,
        *args: Any,
        successors: tuple[Any, Any],
        for_milestone: bool,
        **kwargs: Any,
    ) -> None:
        kwargs["initial"] = {"as_of": timezone.localdate(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        milestones, missions = successors
        self._choice_field("successor_mission").queryset = missions
        if for_milestone:
            self._choice_field("successor_milestone").queryset = milestones
        else:
            del self.fields["successor_milestone"]  # a mission is replaced by a mission

    def _choice_field(self, name: str) -> forms.ModelChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)  # declared above
        return field

    def rating_choices(self) -> list[dict[str, Any]]:
        """Each rating with its definition and whether it is the one chosen, for the radios."""
        chosen = str(self["rating"].value() or "")
        return [
            {
                "value": rating.value,
                "label": rating.label,
                "definition": ASSESSED_DEFINITIONS[rating],
                "checked": rating.value == chosen,
            }
            for rating in Assessed
        ]


class EvidenceForm(DsfrFields, forms.Form):
    """One piece of evidence: a source, the verbatim words, primary or secondary. A row left
    blank is no evidence, not an error."""

    source = forms.ChoiceField(label=_("Source"), required=False)
    quote = forms.CharField(
        label=_("Quote, word for word"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    weight = forms.ChoiceField(
        label=_("Kind of evidence"),
        choices=[
            (PRIMARY, _("primary: the act itself (a published text, a decision)")),
            (SECONDARY, _("secondary: a report of it (press, blog)")),
        ],
        initial=PRIMARY,
    )

    def __init__(self, *args: Any, sources: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = [("", "—"), *sources]


BaseEvidenceFormSet = forms.formset_factory(
    EvidenceForm,
    extra=EVIDENCE_ROWS,
    max_num=EVIDENCE_MAX,
    validate_max=True,
    absolute_max=EVIDENCE_MAX,
)


def evidence_formset(data: Any = None, *, sources: list[tuple[str, str]]) -> Any:
    return BaseEvidenceFormSet(data, prefix="evidence", form_kwargs={"sources": sources})

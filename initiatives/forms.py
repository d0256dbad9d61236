from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import periods
from .models import Citation, Milestone, Mission, period_error_message
from .quotes import find_quote, fold_whitespace


class PeriodTextMixin:
    """Reads a `<prefix>_text` field with periods.py and fills the stored window.

    New words are read against today, the day someone wrote them. Words edited without moving
    the date (a typo, an apostrophe) keep the date they were first read against: "à l'automne"
    read in 2020 must not jump to this autumn because someone fixed its apostrophe."""

    period_prefix: str

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        name = f"{self.period_prefix}_text"
        if name not in self.changed_data and self._stored("start"):  # type: ignore[attr-defined]
            return cleaned
        text = (cleaned.get(name) or "").strip()
        if not text:
            self._store(None)
            return cleaned
        try:
            period = self._same_window_as_stored(text) or periods.parse_period(
                text, timezone.localdate()
            )
        except periods.PeriodParseError as exc:
            self.add_error(  # type: ignore[attr-defined]
                name,
                _("%(problem)s. Examples: “fin 2021”, “T4 2024”, “d'ici le printemps”.")
                % {"problem": period_error_message(exc)},
            )
            return cleaned
        self._store(period)
        return cleaned

    def _stored(self, part: str) -> Any:
        return getattr(self.instance, f"{self.period_prefix}_{part}", None)  # type: ignore[attr-defined]

    def _same_window_as_stored(self, text: str) -> periods.Period | None:
        reference = self._stored("reference")
        if reference is None:
            return None
        for tense in ("future", "past"):
            try:
                period = periods.parse_period(text, reference, tense=tense)  # type: ignore[arg-type]
            except periods.PeriodParseError:
                return None
            if (period.start, period.end) == (self._stored("start"), self._stored("end")):
                return period
        return None

    def _store(self, period: periods.Period | None) -> None:
        prefix = self.period_prefix
        self.instance.__dict__.update(  # type: ignore[attr-defined]
            {
                f"{prefix}_start": period.start if period else None,
                f"{prefix}_end": period.end if period else None,
                f"{prefix}_precision": period.precision.value if period else "",
                f"{prefix}_reference": period.reference if period else None,
            }
        )


class MilestoneAdminForm(PeriodTextMixin, forms.ModelForm):
    period_prefix = "due"
    # The version the form was opened on: saving over a newer one would lose that edit.
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Milestone
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["base_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            # Locked until the admin's transaction commits, so no save slips in between.
            current = (
                Milestone.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current != cleaned.get("base_version"):
                raise forms.ValidationError(
                    _(
                        "This milestone was changed by someone else since you opened this page (now version %(version)s). Your entries are kept below: reload the page to see the new values, then apply them again."
                    )
                    % {"version": current},
                    code="stale",
                )
        status = cleaned.get("status")
        if status == Milestone.Status.DONE:
            cleaned["progress"] = 100  # done means done: the bar follows the status
        errors = Milestone.rule_errors(
            status=status or "",
            progress=cleaned.get("progress"),
            completed_on=cleaned.get("completed_on"),
            comment=cleaned.get("comment") or "",
            today=timezone.localdate(),
        )
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)
        return cleaned


class MissionAdminForm(PeriodTextMixin, forms.ModelForm):
    period_prefix = "launch"

    class Meta:
        model = Mission
        fields = "__all__"


class CitationAdminForm(forms.ModelForm):
    """A quote typed in the admin obeys the importer's rule: verbatim in its source, or refused."""

    class Meta:
        model = Citation
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        source, quote = cleaned.get("source"), cleaned.get("quote")
        if source is None or not quote:
            return cleaned
        offsets = find_quote(source.text, quote)
        if offsets is None:
            self.add_error("quote", _("This quote is not found verbatim in the source text."))
            return cleaned
        cleaned["quote"] = fold_whitespace(quote)
        self.instance.start_offset, self.instance.end_offset = offsets
        return cleaned


class MissionFilterForm(forms.Form):
    """The mission list's filters. A value that is not valid is dropped, not an error: a
    stale shared link still shows missions."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    label = forms.ChoiceField(label=_("Label"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(Mission.Status.choices)
    )
    health = forms.ChoiceField(
        label=_("Milestone health"),
        required=False,
        choices=[("", _("All"))] + list(Milestone.Health.choices),
    )
    actor = forms.ChoiceField(label=_("Actor"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100)

    def __init__(
        self,
        *args: Any,
        labels: list[tuple[str, str]],
        actors: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = [("", _("All"))] + labels
        self.fields["actor"].choices = [("", _("All"))] + actors

    def filters(self) -> dict[str, Any]:
        """The valid filters only (call after is_valid())."""
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


class MilestoneEditForm(forms.Form):
    """A coordinator's edit of one milestone. The rules live in services.milestone_update;
    this form only reads the fields (and keeps what was typed when the service refuses)."""

    status = forms.ChoiceField(label=_("Status"), choices=Milestone.Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    completed_on = forms.DateField(
        label=_("Completed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    due_text = forms.CharField(
        label=_("Due, as written"),
        required=False,
        max_length=200,
        help_text=_("In words, as a source would say it: “T3 2026”, “à l'automne 2026”, “avant fin 2027”."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @classmethod
    def for_milestone(cls, milestone: Milestone) -> "MilestoneEditForm":
        return cls(
            initial={
                "status": milestone.status,
                "progress": milestone.progress,
                "completed_on": milestone.completed_on,
                "due_text": milestone.due_text,
                "comment": milestone.comment,
                "version": milestone.version,
            }
        )
